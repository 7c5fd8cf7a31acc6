import type { Decision } from './decision.js'
import { failedCheckProblem, type Problem } from './problem.js'

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

/** The one status each code answers with. */
const STATUS_OF: Readonly<Record<HttpFailure['code'], HttpFailure['status']>> = {
  ERR_ROLEGATE_UNAUTHORIZED: 401,
  ERR_ROLEGATE_FORBIDDEN: 403,
  ERR_ROLEGATE_BACKEND_UNAVAILABLE: 503,
}

// What Node accepts in a header (RFC 9110's token and field value): anything else throws when set.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

/** Whether every header can be set as it is: a valid name and a string value Node accepts. */
export function areWritableHeaders(headers: object): headers is Readonly<Record<string, string>> {
  return Object.entries(headers).every(
    ([name, value]) =>
      HEADER_NAME.test(name) && typeof value === 'string' && HEADER_VALUE.test(value),
  )
}

/**
 * The error as a rolegate HTTP error, or `undefined` when it is not one. It is read by its `code`
 * and fields, not with `instanceof`, so an error thrown by another copy of `@rolegate/core` in the
 * same app (two versions in `node_modules`) is recognised too; and since anything can carry such a
 * `code`, it is one only when its status is its code's (never a 200) and its headers can be set.
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
  try {
    const { code, status, headers, problem } = error as Partial<Record<keyof HttpFailure, unknown>>
    return HTTP_CODES.has(code) &&
      status === STATUS_OF[code as HttpFailure['code']] &&
      isObject(headers) &&
      areWritableHeaders(headers) &&
      isObject(problem)
      ? (error as HttpFailure)
      : undefined
  } catch {
    // A getter that throws, a Proxy: not an error rolegate made.
    return undefined
  }
}

/** A denial as written on the wire. */
export interface ProblemResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** The problem as JSON, for an `application/problem+json` body. */
  readonly body: string
}

const FAILED_CHECK: ProblemResponse = {
  status: 403,
  headers: {},
  body: JSON.stringify(failedCheckProblem()),
}

/**
 * How the adapters write a denial: its status, headers and problem as JSON. Total, so that a
 * denial is always answered: a problem that does not serialise (a `BigInt`, a cycle) or a header
 * that cannot be set makes it the 403 of a failed check.
 */
export function problemResponse(
  denial: Pick<HttpFailure, 'status' | 'headers' | 'problem'>,
): ProblemResponse {
  try {
    const body = JSON.stringify(denial.problem) as string | undefined
    if (typeof body === 'string' && areWritableHeaders(denial.headers))
      return { status: denial.status, headers: denial.headers, body }
  } catch {
    // Falls through to the failed check.
  }
  return FAILED_CHECK
}
