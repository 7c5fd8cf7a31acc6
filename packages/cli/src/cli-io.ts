import { PolicyError } from '@rolegate/core'

/** Where a command writes: its result to `out`, diagnostics and usage to `err`. */
export interface CliIo {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, found: 1, usage: 2 } as const

/** A command line the CLI cannot run: unknown command or flag, missing or extra arguments. */
export class UsageError extends Error {
  readonly code = 'ERR_ROLEGATE_USAGE'
  /** The command whose usage to print, if known. */
  readonly command: string | undefined

  constructor(message: string, command?: string) {
    super(message)
    this.name = 'UsageError'
    this.command = command
  }
}

/**
 * Runs node:util's `parseArgs` (pass `strict: true` and `allowPositionals: true`), turning its
 * errors into {@link UsageError}s, then checks how many positionals there are.
 */
export function parseCommandArgs<T extends { readonly positionals: readonly string[] }>(
  command: string,
  parse: () => T,
  positionals: { readonly min: number; readonly max: number; readonly names: string },
): T {
  let parsed: T
  try {
    parsed = parse()
  } catch (error) {
    throw new UsageError((error as Error).message, command)
  }
  const count = parsed.positionals.length
  if (count < positionals.min) throw new UsageError(`missing ${positionals.names}`, command)
  if (count > positionals.max) {
    const extra = parsed.positionals[positionals.max] ?? ''
    throw new UsageError(`unexpected argument "${extra}"`, command)
  }
  return parsed
}

/** One of `allowed`, or a {@link UsageError} naming the flag. */
export function oneOf<const T extends string>(
  command: string,
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T {
  const choice = value ?? allowed[0]
  const found = allowed.find((a) => a === choice)
  if (found === undefined) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, not "${choice}"`, command)
  }
  return found
}

/** A comma-separated list flag: `a,b` → `['a', 'b']`, empty entries dropped. */
export function listFlag(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

/**
 * Prints the problems of a policy that cannot be loaded and returns the usage exit code: commands
 * other than `check` cannot answer for an invalid policy, and their 0 and 1 mean something else.
 */
export function policyFailure(io: CliIo, error: unknown): number {
  if (!(error instanceof PolicyError)) throw error
  io.err(
    error.problems
      .map((p) => `${p.file === undefined ? '' : `${p.file}: `}${p.path}: ${p.message}\n`)
      .join(''),
  )
  io.err('the policy is invalid: run rolegate check for details\n')
  return EXIT.usage
}
