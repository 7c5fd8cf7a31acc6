import { RolegateError } from '@rolegate/core'

/**
 * A claim mapper was configured wrongly, or asked to map for a connection it does not know. Thrown
 * when the mapper is created (so the app fails at start-up) or by a programming mistake at call
 * time; a provider's bad or suspicious data is never thrown, it is a rejection in the result.
 *
 * @example
 * ```ts
 * try {
 *   createClaimMapper({ connections })
 * } catch (err) {
 *   if (err instanceof RolegateError && err.code === 'ERR_ROLEGATE_CLAIM_MAPPING') console.error(err.message)
 *   throw err
 * }
 * ```
 */
export class ClaimMappingError extends RolegateError {
  /** The connection the problem is in, when there is one. */
  readonly connection: string | undefined
  /** The rule the problem is in (its `id`), when there is one. */
  readonly rule: string | undefined
  /** Every problem found, each naming where it is: one, or all of them when several were found. */
  readonly problems: readonly string[]

  constructor(
    message: string,
    where: { readonly connection?: string; readonly rule?: string } = {},
    options?: { cause?: unknown; problems?: readonly string[] },
  ) {
    const prefix = [
      where.connection === undefined ? undefined : `connection "${where.connection}"`,
      where.rule === undefined ? undefined : `rule "${where.rule}"`,
    ].filter((part) => part !== undefined)
    const located = `${prefix.length === 0 ? '' : `${prefix.join(', ')}: `}${message}`
    super('ERR_ROLEGATE_CLAIM_MAPPING', `Claim mapping: ${located}`, options)
    this.connection = where.connection
    this.rule = where.rule
    this.problems = options?.problems ?? [located]
  }
}

/**
 * One error for every problem found: the one itself when there is one, else an error whose
 * message lists them all, each naming its connection and rule, as a policy's errors do.
 */
export function claimMappingErrors(errors: readonly ClaimMappingError[]): ClaimMappingError {
  if (errors.length === 1) return errors[0] as ClaimMappingError
  const problems = errors.flatMap((error) => error.problems)
  const listed = problems.map((problem) => `  - ${problem}`).join('\n')
  return new ClaimMappingError(`${problems.length} problems:\n${listed}`, {}, { problems })
}

/**
 * `check` of every item, in order; the claim-mapping errors it throws are gathered and thrown
 * together once every item has been checked, so that one start-up lists every problem.
 */
export function checkEach<T, R>(items: readonly T[], check: (item: T, index: number) => R): R[] {
  const problems: ClaimMappingError[] = []
  const results: R[] = []
  items.forEach((item, index) => {
    try {
      results.push(check(item, index))
    } catch (error) {
      if (!(error instanceof ClaimMappingError)) throw error
      problems.push(error)
    }
  })
  if (problems.length > 0) throw claimMappingErrors(problems)
  return results
}

/** Throws a {@link ClaimMappingError} naming each key of `value` not in `known`, with `where`. */
export function refuseUnknownKeys(
  value: object,
  known: ReadonlySet<string>,
  what: string,
  where: { readonly connection?: string; readonly rule?: string },
): void {
  const unknown = Object.keys(value).filter((key) => !known.has(key))
  if (unknown.length === 0) return
  const names = unknown.map((key) => JSON.stringify(key)).join(', ')
  throw new ClaimMappingError(
    `unknown ${unknown.length === 1 ? 'key' : 'keys'} ${names} in ${what} (known: ${[...known].join(', ')})`,
    where,
  )
}
