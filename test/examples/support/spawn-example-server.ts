import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../..', import.meta.url))

/** An example's `server.ts` running in its own process, as `pnpm start` runs it. */
export interface ExampleServer {
  /** The URL the server printed. */
  readonly url: string
  /** Everything it printed so far (stdout and stderr). */
  output(): string
  /** Sends SIGTERM and waits for the process to exit; returns its exit code. */
  stop(): Promise<number | null>
}

/**
 * Starts `examples/<name>/src/server.ts` exactly as its `start` script does (`node
 * --conditions=@rolegate/source --import tsx`, from the example's folder) on a free port, and
 * resolves once it has printed `listening on <url>` and, last, `Press Ctrl+C to stop.`
 */
export async function spawnExampleServer(
  name: string,
  env: Readonly<Record<string, string>> = {},
): Promise<ExampleServer> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--conditions=@rolegate/source', '--import', 'tsx', 'src/server.ts'],
    {
      cwd: `${root}examples/${name}`,
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', REDIS_URL: '', ...env },
    },
  )
  let output = ''
  const collect = (chunk: Buffer): void => {
    output += chunk.toString()
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const url = await new Promise<string>((resolve, reject) => {
    const look = (): void => {
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
      if (found !== undefined && output.includes('Press Ctrl+C to stop.')) resolve(found)
    }
    child.stdout.on('data', look)
    child.once('exit', (code) => reject(new Error(`server.ts exited with ${code}:\n${output}`)))
  })
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode
      child.kill('SIGTERM')
      const [code] = (await once(child, 'exit')) as [number | null]
      return code
    },
  }
}
