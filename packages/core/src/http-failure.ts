import type { Decision } from './decision.js'
import type { Problem } from './problem.js'

/**
 * A rolegate error meant to become an HTTP response ({@link ForbiddenError},
 * {@link UnauthorizedError}, {@link BackendUnavailableError}), as {@link asHttpFailure} reads it.
 */
export interface HttpFailure {
  readonly code:
    'ERR_ROLEGATE_UNAUTHORIZED' | 'ERR_ROLEGATE_FORBIDDEN' | 'ERR_ROLEGATE_BACKEND_UNAVAILABLE'
  readonly status: 401 | 403 | 503
  readonly headers: Readonly<Record<string, string>>
  readonly problem: Problem
  /** The decision that denied, for a 403 from `assert`. */
  readonly decision?: Decision
}

const HTTP_CODES: ReadonlySet<unknown> = new Set<HttpFailure['code']>([
  'ERR_ROLEGATE_UNAUTHORIZED',
  'ERR_ROLEGATE_FORBIDDEN',
  'ERR_ROLEGATE_BACKEND_UNAVAILABLE',
])

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null

/**
 * The error as a rolegate HTTP error, or `undefined` when it is not one. It is read by its `code`
 * and fields, not with `instanceof`, so an error thrown by another copy of `@rolegate/core` in the
 * same app (two versions in `node_modules`) is recognised too.
 *
 * @example
 * ```ts
 * const http = asHttpFailure(error)
 * if (http === undefined) throw error
 * res.status(http.status).set(http.headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(http.problem))
 * ```
 */
export function asHttpFailure(error: unknown): HttpFailure | undefined {
  if (!isObject(error)) return undefined
  const { code, status, headers, problem } = error as Partial<Record<keyof HttpFailure, unknown>>
  return HTTP_CODES.has(code) &&
    typeof status === 'number' &&
    isObject(headers) &&
    isObject(problem)
    ? (error as HttpFailure)
    : undefined
}
