import { readFileSync } from 'node:fs'
import { EXIT, UsageError, type CliIo } from './cli-io.js'
import { check } from './commands/check.js'
import { diff } from './commands/diff.js'
import { explain } from './commands/explain.js'
import { matrix } from './commands/matrix.js'
import { USAGE, type CommandName } from './usage.js'

const COMMANDS: Readonly<Record<CommandName, (args: readonly string[], io: CliIo) => number>> = {
  check,
  matrix,
  explain,
  diff,
}

const isCommand = (name: string | undefined): name is CommandName =>
  name !== undefined && Object.hasOwn(COMMANDS, name)

const wantsHelp = (args: readonly string[]): boolean =>
  args.includes('--help') || args.includes('-h')

/** The process's own streams. */
export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
}

function version(): string {
  // Two levels up from src/run.ts and dist/run.js alike.
  const manifest = readFileSync(new URL('../package.json', import.meta.url), 'utf8')
  return (JSON.parse(manifest) as { version: string }).version
}

/**
 * Runs the `rolegate` command line and returns its exit code: 0 ok, 1 problems found (check),
 * denied (explain) or changed (diff), 2 usage error or a policy that cannot be loaded.
 *
 * @example
 * ```ts
 * process.exitCode = run(['check', 'policy.yaml'])
 * ```
 */
export function run(argv: readonly string[], io: CliIo = processIo): number {
  const [name, ...args] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = args[0]
    if (name === undefined) {
      io.err(USAGE.rolegate)
      return EXIT.usage
    }
    io.out(isCommand(topic) ? USAGE[topic] : USAGE.rolegate)
    return EXIT.ok
  }
  if (name === '--version' || name === '-v') {
    io.out(`${version()}\n`)
    return EXIT.ok
  }
  if (!isCommand(name)) {
    io.err(`rolegate: unknown command "${name}"\n\n${USAGE.rolegate}`)
    return EXIT.usage
  }
  if (wantsHelp(args)) {
    io.out(USAGE[name])
    return EXIT.ok
  }
  try {
    return COMMANDS[name](args, io)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.err(
      `rolegate ${name}: ${error.message}\n\n${USAGE[error.command === undefined ? name : (error.command as CommandName)]}`,
    )
    return EXIT.usage
  }
}
