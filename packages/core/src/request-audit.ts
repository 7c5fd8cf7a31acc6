/**
 * A handler's decisions through its request rolegate (`can`, `explain`, `assert`), sent to the
 * audit hook as a guard's are.
 */
import { emitAudit, failureReason, type AuditEvent } from './audit.js'
import type { Decision } from './decision.js'
import { asHttpFailure } from './http-failure.js'
import type { PermissionOf, PolicyInput } from './policy/types.js'
import type { PerRequestRolegate } from './request-rolegate.js'
import type { CheckOptions, RoleContext } from './role-context.js'

/** What an audit event says of a handler's decision, beside what was checked and how long it took. */
type AuditOutcome = Pick<AuditEvent, 'actor' | 'subject' | 'allowed' | 'reason'>

/**
 * The decision on one permission in the request's context, sent to the audit hook: a handler's
 * decisions (`can`, `explain`, `assert`) are audited as the guards' are. `undefined` without a
 * subject; what resolving throws (a failed store, a refused impersonation) is audited, then thrown.
 */
export async function audited<P extends PolicyInput, R>(
  state: PerRequestRolegate<P, R>,
  permission: PermissionOf<P>,
  check: CheckOptions | undefined,
): Promise<Decision | undefined> {
  const { audit, onError } = state.settings
  const started = performance.now()
  const send = (outcome: AuditOutcome, checked: string = permission): void => {
    const durationMs = performance.now() - started
    const event = { permissions: [checked], scope: check?.scope, ...outcome, durationMs }
    emitAudit(audit, event, onError)
  }
  let ctx: RoleContext<P> | undefined
  try {
    ctx = await state.resolve()
  } catch (error) {
    const http = asHttpFailure(error)
    const reason = failureReason(http)
    // A refused impersonation names the permission it lacked, as a guard's event does.
    const lacked = http?.decision?.permission
    send({ actor: state.actor?.id, subject: undefined, allowed: false, reason }, lacked)
    throw error
  }
  if (ctx === undefined) {
    send({ actor: undefined, subject: undefined, allowed: false, reason: 'unauthenticated' })
    return undefined
  }
  const decision = ctx.explain(permission, check)
  const { allowed, reason } = decision
  send({ actor: ctx.actor.id, subject: ctx.subject.id, allowed, reason })
  return decision
}
