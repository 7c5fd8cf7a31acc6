import type { Decision } from './decision.js'
import type { Problem } from './problem.js'

/** Every stable error code a rolegate package throws. Match on `code`, not on `instanceof`. */
export type RolegateErrorCode =
  | 'ERR_ROLEGATE_POLICY_INVALID'
  | 'ERR_ROLEGATE_UNKNOWN_PERMISSION'
  | 'ERR_ROLEGATE_UNKNOWN_ROLE'
  | 'ERR_ROLEGATE_INVALID_ARGUMENT'
  | 'ERR_ROLEGATE_INVALID_SUBJECT'
  | 'ERR_ROLEGATE_ASSIGNMENT_REJECTED'
  | 'ERR_ROLEGATE_FORBIDDEN'
  | 'ERR_ROLEGATE_UNAUTHORIZED'
  | 'ERR_ROLEGATE_BACKEND_UNAVAILABLE'
  | 'ERR_ROLEGATE_RESPONSE_STARTED'
  | 'ERR_ROLEGATE_CLAIM_MAPPING'

/**
 * The base class of every error rolegate throws on purpose.
 *
 * @example
 * ```ts
 * try {
 *   createRolegate({ policy })
 * } catch (err) {
 *   if (err instanceof RolegateError && err.code === 'ERR_ROLEGATE_POLICY_INVALID') process.exit(1)
 *   throw err
 * }
 * ```
 */
export class RolegateError extends Error {
  /** A stable, machine-readable code. */
  readonly code: RolegateErrorCode

  constructor(code: RolegateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** One thing wrong with a policy: where (a path such as `roles.finance.grants["customers.bcc"]`) and what. */
export interface PolicyProblem {
  /** Where in the policy, as a JavaScript-like path from its root. */
  readonly path: string
  /** What is wrong there. */
  readonly message: string
  /** The file the policy came from, when it was loaded from one. */
  readonly file?: string
}

/** A policy failed validation. `problems` lists every problem found, not only the first. */
export class PolicyError extends RolegateError {
  /** Every problem, in the order the validator met them. */
  readonly problems: readonly PolicyProblem[]

  constructor(problems: readonly PolicyProblem[], options?: { cause?: unknown }) {
    super('ERR_ROLEGATE_POLICY_INVALID', formatProblems(problems), options)
    this.problems = problems
  }
}

function formatProblems(problems: readonly PolicyProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
  const lines = problems.map(
    (p) => `  - ${p.file === undefined ? '' : `${p.file}: `}${p.path}: ${p.message}`,
  )
  return `Invalid rolegate policy (${count}):\n${lines.join('\n')}`
}

/** A guard or a check named a permission the policy does not declare. Thrown when the guard is created. */
export class UnknownPermissionError extends RolegateError {
  /** The permission as written. */
  readonly permission: string

  constructor(permission: string, why: string) {
    super('ERR_ROLEGATE_UNKNOWN_PERMISSION', `Unknown permission "${permission}": ${why}`)
    this.permission = permission
  }
}

/** A guard, store or option named a role the policy does not declare. */
export class UnknownRoleError extends RolegateError {
  /** The role as written. */
  readonly role: string

  constructor(role: string, where?: string) {
    super(
      'ERR_ROLEGATE_UNKNOWN_ROLE',
      `Unknown role "${role}"${where === undefined ? '' : ` in ${where}`}: the policy does not declare it`,
    )
    this.role = role
  }
}

/** A role assignment was refused: an exclusive role combined, a conflicting pair, a wrong subject type. */
export class AssignmentError extends RolegateError {
  /** The subject whose assignment was refused. */
  readonly subjectId: string

  constructor(subjectId: string, message: string) {
    super(
      'ERR_ROLEGATE_ASSIGNMENT_REJECTED',
      `Assignment for subject "${subjectId}" refused: ${message}`,
    )
    this.subjectId = subjectId
  }
}

/**
 * An error meant to become an HTTP response. It carries http-errors' fields, so Koa's `ctx.onerror`
 * and Express's final handler answer with the right status and headers even if it escapes.
 */
export class HttpRolegateError extends RolegateError {
  /** The HTTP status. */
  readonly status: 401 | 403 | 503
  /** Same as `status`, for Express. */
  readonly statusCode: 401 | 403 | 503
  /** The message may be shown to the client. */
  readonly expose: boolean = true
  /** Headers the response must carry. */
  readonly headers: Readonly<Record<string, string>>
  /** The RFC 9457 body. */
  readonly problem: Problem

  constructor(
    code: RolegateErrorCode,
    problem: Problem & { status: 401 | 403 | 503 },
    headers: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(code, problem.detail, options)
    this.status = problem.status
    this.statusCode = problem.status
    this.headers = headers
    this.problem = problem
  }
}

/** The subject may not do what was asked. Thrown by `assert`; carries the decision. */
export class ForbiddenError extends HttpRolegateError {
  /** Why it was refused. */
  readonly decision: Decision

  constructor(problem: Problem & { status: 403 }, decision: Decision) {
    super('ERR_ROLEGATE_FORBIDDEN', problem)
    this.decision = decision
  }
}

/** No authenticated subject. */
export class UnauthorizedError extends HttpRolegateError {
  constructor(problem: Problem & { status: 401 }, headers?: Readonly<Record<string, string>>) {
    super('ERR_ROLEGATE_UNAUTHORIZED', problem, headers)
  }
}

/** A store or cache could not answer in time: the request is refused with 503, never allowed. */
export class BackendUnavailableError extends HttpRolegateError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      'ERR_ROLEGATE_BACKEND_UNAVAILABLE',
      {
        type: 'urn:rolegate:problem:backend-unavailable',
        title: 'Authorization backend unavailable',
        status: 503,
        detail,
      },
      { 'retry-after': '1' },
      options,
    )
  }
}

/**
 * A guard denied a request whose response had already started (a middleware before it flushed
 * the headers or wrote part of a body): its status could no longer be set, so the adapter closed
 * the connection rather than let that response finish, and reports this error to `onError`.
 */
export class ResponseStartedError extends RolegateError {
  /** The status the denial would have answered with. */
  readonly status: number

  constructor(status: number) {
    super(
      'ERR_ROLEGATE_RESPONSE_STARTED',
      `A request was denied (${status}) after its response had started, so its connection was ` +
        'closed instead: mount guards before any middleware that writes to the response.',
    )
    this.status = status
  }
}

/** Every error class rolegate's core throws, discriminated by `code`. */
export type AnyRolegateError =
  | PolicyError
  | UnknownPermissionError
  | UnknownRoleError
  | AssignmentError
  | ForbiddenError
  | UnauthorizedError
  | BackendUnavailableError
  | ResponseStartedError

/** A bad argument, thrown as a `TypeError` with a code (openid-client's habit). */
export function invalidArgument(
  message: string,
): TypeError & { code: 'ERR_ROLEGATE_INVALID_ARGUMENT' } {
  return Object.assign(new TypeError(message), { code: 'ERR_ROLEGATE_INVALID_ARGUMENT' as const })
}

/** A value named for an error message without serialising it (it may be hostile or huge). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
