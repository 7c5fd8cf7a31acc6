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

  constructor(
    message: string,
    where: { readonly connection?: string; readonly rule?: string } = {},
    options?: { cause?: unknown },
  ) {
    const prefix = [
      where.connection === undefined ? undefined : `connection "${where.connection}"`,
      where.rule === undefined ? undefined : `rule "${where.rule}"`,
    ].filter((part) => part !== undefined)
    super(
      'ERR_ROLEGATE_CLAIM_MAPPING',
      `Claim mapping: ${prefix.length === 0 ? '' : `${prefix.join(', ')}: `}${message}`,
      options,
    )
    this.connection = where.connection
    this.rule = where.rule
  }
}
