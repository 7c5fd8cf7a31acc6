import { emitAudit, type AuditEvent } from './audit.js'
import type { Rolegate } from './create-rolegate.js'
import type { Decision } from './decision.js'
import { invalidArgument } from './errors.js'
import { asHttpFailure } from './http-failure.js'
import type { PermissionOf, PolicyInput } from './policy/types.js'
import {
  failedCheckProblem,
  missingPermissionProblem,
  missingRoleProblem,
  type Problem,
} from './problem.js'
import type { CheckOptions, RoleContext } from './role-context.js'
import {
  reportError,
  settingsOf,
  unauthorized,
  type RequestRolegate,
  type Settings,
} from './request-rolegate.js'

/** What a guard requires: all or any of some permissions, or any of some roles. */
export type Requirement =
  | {
      readonly kind: 'permission'
      readonly permissions: readonly string[]
      readonly mode: 'all' | 'any'
    }
  | { readonly kind: 'role'; readonly roles: readonly string[] }

/** A refused request: what to answer. `decision` is the permission decision that denied, if any. */
export interface Denial {
  readonly allowed: false
  readonly status: 401 | 403 | 503
  readonly headers: Readonly<Record<string, string>>
  readonly problem: Problem
  readonly decision?: Decision
}

/** What a guard decided for one request: go on with the context, or answer with the denial. */
export type Outcome<P extends PolicyInput = PolicyInput> = Allowed<P> | Denial

/** An allowed request: its context, and the scope and instance the decision was made with. */
export interface Allowed<P extends PolicyInput = PolicyInput> {
  readonly allowed: true
  readonly context: RoleContext<P>
  readonly scope: string | undefined
  /** What the `resource` loader gave, if there was one. */
  readonly resource: unknown
}

/** Where a guard decides, per request: the scope and the resource instance, each read lazily. */
export interface GuardInput {
  /** The scope to decide in, or a function of the request giving it. */
  readonly scope?: string | (() => string | undefined | Promise<string | undefined>) | undefined
  /** Loads the resource instance that conditional grants are weighed against. */
  readonly resource?: (() => unknown) | undefined
}

/** A guard made by {@link guard}: never rejects, every failure is a {@link Denial}. */
export type Guard<P extends PolicyInput = PolicyInput> = (
  request: RequestRolegate<P> | undefined,
  input?: GuardInput,
) => Promise<Outcome<P>>

/** What name checks need of a rolegate, whatever its policy type. */
interface NameChecker {
  permission(permission: string): unknown
  role(role: string): unknown
}

function validate(rolegate: NameChecker, requirement: Requirement): void {
  if (requirement.kind === 'permission')
    for (const permission of requirement.permissions) rolegate.permission(permission)
  else for (const role of requirement.roles) rolegate.role(role)
}

type Verdict = Pick<AuditEvent, 'allowed' | 'reason'> & { readonly denial?: Denial }
type Check = CheckOptions & { readonly scope: string | undefined }

/**
 * Whether the requirement is met: `can()` on the hot path, which allocates nothing; the reasons
 * are worked out only for a denial or an audit event.
 */
function meets<P extends PolicyInput>(
  ctx: RoleContext<P>,
  requirement: Requirement,
  options: Check,
): boolean {
  if (requirement.kind === 'role')
    return requirement.roles.some((role) => ctx.hasRole(role, options))
  const can = (permission: string): boolean => ctx.can(permission as PermissionOf<P>, options)
  return requirement.mode === 'all'
    ? requirement.permissions.every(can)
    : requirement.permissions.some(can)
}

/** Why an allowed request was allowed, for the audit event. */
function allowedReason<P extends PolicyInput>(
  ctx: RoleContext<P>,
  requirement: Requirement,
  options: Check,
): AuditEvent['reason'] {
  if (requirement.kind === 'role') return 'role-held'
  for (const permission of requirement.permissions) {
    const decision = ctx.explain(permission as PermissionOf<P>, options)
    if (decision.allowed) return decision.reason
  }
  return 'granted'
}

/** The denial of a request that does not meet the requirement, naming what was missing. */
function denied<P extends PolicyInput>(
  ctx: RoleContext<P>,
  requirement: Requirement,
  options: Check,
): Verdict & { denial: Denial } {
  const { scope } = options
  if (requirement.kind === 'role') {
    const problem = missingRoleProblem(requirement.roles, scope)
    const denial: Denial = { allowed: false, status: 403, headers: {}, problem }
    return { allowed: false, reason: 'role-missing', denial }
  }
  const { permissions, mode } = requirement
  const decisions = permissions.map((p) => ctx.explain(p as PermissionOf<P>, options))
  const refused = decisions.filter((d) => !d.allowed)
  const decision = refused[0] as Decision
  const missing = (mode === 'all' ? refused : decisions).map((d) => d.permission)
  const problem = missingPermissionProblem(missing, mode, scope, decision.reason)
  const denial: Denial = { allowed: false, status: 403, headers: {}, problem, decision }
  return { allowed: false, reason: decision.reason, denial }
}

/** What a thrown error means: a denial it carries itself, or 403 because the check failed. */
function failure(error: unknown, settings: Settings | undefined): Verdict & { denial: Denial } {
  const http = asHttpFailure(error)
  if (http === undefined || http.code === 'ERR_ROLEGATE_BACKEND_UNAVAILABLE')
    (settings?.onError ?? reportError)(error)
  if (http === undefined) {
    const denial: Denial = {
      allowed: false,
      status: 403,
      headers: {},
      problem: failedCheckProblem(),
    }
    return { allowed: false, reason: 'error', denial }
  }
  const { status, problem, decision } = http
  let { headers } = http
  if (status === 401 && settings?.wwwAuthenticate !== undefined)
    headers = { 'www-authenticate': settings.wwwAuthenticate, ...headers }
  const base = { allowed: false as const, status, headers, problem }
  const denial: Denial = decision === undefined ? base : { ...base, decision }
  if (status === 503) return { allowed: false, reason: 'backend-unavailable', denial }
  return { allowed: false, reason: decision?.reason ?? 'unauthenticated', denial }
}

/**
 * The framework-neutral door of the adapters: checks the names of `requirement` against the policy
 * now, and returns the per-request check. The check maps no subject to 401, an unavailable backend
 * to 503, a denial to 403 naming what was missing, and anything thrown to 403 (fail closed); it
 * sends every decision to the audit hook.
 *
 * @param rolegate The policy to check names against now. Without it, names are checked against the
 * request's rolegate on first use, and an unknown one denies.
 * @throws {@link UnknownPermissionError} or {@link UnknownRoleError} naming what the policy lacks.
 * @example
 * ```ts
 * const check = guard(rg, { kind: 'permission', permissions: ['invoices:read'], mode: 'all' })
 * const outcome = await check(req.rolegate, { scope: () => `team:${req.params.team}` })
 * if (!outcome.allowed) send(res, outcome)
 * ```
 */
export function guard<P extends PolicyInput = PolicyInput>(
  rolegate: Rolegate<P> | undefined,
  requirement: Requirement,
): Guard<P> {
  const names = requirement.kind === 'permission' ? requirement.permissions : requirement.roles
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string'))
    throw invalidArgument(`a guard needs at least one ${requirement.kind} name`)
  if (requirement.kind === 'permission' && !['all', 'any'].includes(requirement.mode))
    throw invalidArgument('mode must be "all" or "any"')
  const checked = new WeakSet<NameChecker>()
  if (rolegate !== undefined) {
    validate(rolegate, requirement)
    checked.add(rolegate)
  }
  const permissions = requirement.kind === 'permission' ? requirement.permissions : []
  const what = requirement.kind === 'permission' ? { permissions } : { roles: requirement.roles }

  return async function check(request, input = {}) {
    const started = performance.now()
    const settings = request === undefined ? undefined : settingsOf(request)
    let scope: string | undefined
    let ids: Pick<AuditEvent, 'actor' | 'subject'> = { actor: undefined, subject: undefined }
    let verdict: Verdict
    try {
      if (request === undefined || settings === undefined)
        throw new TypeError('No rolegate on this request: mount rolegate() before its guards.')
      const own: NameChecker = request.rolegate
      if (rolegate !== undefined && own !== rolegate)
        throw new TypeError("The guard's rolegate is not the one attached to this request.")
      if (!checked.has(own)) {
        validate(own, requirement)
        checked.add(own)
      }
      const ctx = await request.context()
      if (ctx === undefined) throw unauthorized(settings)
      ids = { actor: ctx.actor.id, subject: ctx.subject.id }
      scope = typeof input.scope === 'function' ? await input.scope() : input.scope
      const resource = input.resource === undefined ? undefined : await input.resource()
      const options = { scope, resource }
      if (meets(ctx, requirement, options)) {
        if (settings.audit !== undefined) {
          const reason = allowedReason(ctx, requirement, options)
          audit(settings, { ...what, ...ids, scope, allowed: true, reason }, started)
        }
        return { allowed: true, context: ctx, scope, resource }
      }
      verdict = denied(ctx, requirement, options)
    } catch (error) {
      verdict = failure(error, settings)
      if (ids.subject === undefined) ids = { actor: settings?.actor?.id, subject: undefined }
    }
    if (settings?.audit !== undefined) {
      // A refused impersonation names the permission it lacked, not the route's.
      const refused = verdict.denial?.decision?.permission
      const checkedNames =
        refused !== undefined && !permissions.includes(refused) ? { permissions: [refused] } : what
      const event = { ...checkedNames, ...ids, scope, allowed: false, reason: verdict.reason }
      audit(settings, event, started)
    }
    return verdict.denial as Denial
  }
}

function audit(
  settings: Settings | undefined,
  event: Omit<AuditEvent, 'durationMs'>,
  started: number,
): void {
  emitAudit(
    settings?.audit,
    { ...event, durationMs: performance.now() - started },
    settings?.onError,
  )
}
