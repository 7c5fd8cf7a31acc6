import type { DecisionReason } from './decision.js'
import type { HttpFailure } from './http-failure.js'
import { reportSafely } from './report.js'

/** One decision as sent to an audit hook. */
export interface AuditEvent {
  /** The real actor's id (the administrator, when impersonating); undefined when no subject was authenticated. */
  readonly actor: string | undefined
  /** The effective subject's id; undefined when no subject was authenticated. */
  readonly subject: string | undefined
  /** The permissions checked, for a permission guard or a handler's `can`, `explain` or `assert`. */
  readonly permissions?: readonly string[]
  /** The roles checked, for a role guard. */
  readonly roles?: readonly string[]
  readonly scope?: string | undefined
  readonly allowed: boolean
  /** The decision's reason, or what stopped the check: `unauthenticated`, `backend-unavailable`, `error`. */
  readonly reason:
    | DecisionReason
    | 'role-held'
    | 'role-missing'
    | 'unauthenticated'
    | 'backend-unavailable'
    | 'error'
  /** Time spent deciding, in milliseconds. */
  readonly durationMs: number
}

/** Receives audit events. Called after the decision, off the request's path; what it throws is ignored. */
export type AuditHook = (event: AuditEvent) => void | Promise<void>

/**
 * Sends an event to a hook without delaying or breaking the caller: the hook runs in a microtask,
 * and both a thrown error and a rejected promise are swallowed (an audit sink that fails must not
 * turn into a denied or, worse, an allowed request). `onError` hears about failures, e.g. to log
 * them; should it throw too, that goes to `console.error`, never out of the microtask.
 */
export function emitAudit(
  hook: AuditHook | undefined,
  event: AuditEvent,
  onError: (error: unknown) => void = () => undefined,
): void {
  if (hook === undefined) return
  const failed = (error: unknown): void => reportSafely(onError, error)
  queueMicrotask(() => {
    try {
      const result = hook(event)
      // Any thenable, not only a Promise: a rejection of either must not go unhandled.
      if (result !== undefined) Promise.resolve(result).catch(failed)
    } catch (error) {
      failed(error)
    }
  })
}

/**
 * The reason an audit event gives for a check that an error stopped, from the error as
 * `asHttpFailure` read it: the refusal a rolegate HTTP error carries (`unauthenticated`,
 * `backend-unavailable`, a refused impersonation's reason), else `error`. Given what was read
 * once, not the error: an error whose getters answer differently each time must not give the
 * event another reason than the response.
 */
export function failureReason(http: HttpFailure | undefined): AuditEvent['reason'] {
  if (http === undefined) return 'error'
  if (http.status === 503) return 'backend-unavailable'
  return http.decision?.reason ?? 'unauthenticated'
}
