import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The CLI package's folder: commands run from here, so fixture paths read `fixtures/x.yaml`. */
export const CLI_DIR: string = fileURLToPath(new URL('..', import.meta.url))

/** What a CLI run printed and how it exited. */
export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `rolegate ARGS` as a subprocess from source, exactly as a user in the repository does:
 * `node --conditions=@rolegate/source --import tsx src/bin.ts ARGS`, in the package folder.
 */
export function runCli(args: readonly string[], entry = 'src/bin.ts'): Promise<CliResult> {
  const node = entry.endsWith('.ts') ? ['--conditions=@rolegate/source', '--import', 'tsx'] : []
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...node, entry, ...args],
      { cwd: CLI_DIR, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: cleanEnv() },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : error.code
        if (typeof code !== 'number') reject(error ?? new Error('no exit code'))
        else resolve({ code, stdout, stderr })
      },
    )
  })
}

/** The environment without what vitest adds for its own workers. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  return env
}
