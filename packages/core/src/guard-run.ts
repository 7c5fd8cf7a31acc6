/**
 * The per-request half of a guard: one request through one guard, and the denial or audit event
 * it ends with. `guard.ts` makes guards; this runs them.
 */
import { emitAudit, failureReason, type AuditEvent } from './audit.js'
import { reportSafely } from './report.js'
import type { Decision } from './decision.js'
import { describeValue } from './errors.js'
import type { Allowed, Denial, GuardInput, Outcome, Requirement } from './guard.js'
import { asHttpFailure } from './http-failure.js'
import { isThenable } from './maybe-promise.js'
import type { CompiledPermission, CompiledPolicy } from './policy/compile-policy.js'
import type { PermissionOf, PolicyInput } from './policy/types.js'
import { failedCheckProblem, missingPermissionProblem, missingRoleProblem } from './problem.js'
import {
  PerRequestRolegate,
  unauthorized,
  type RequestRolegate,
  type Settings,
} from './request-rolegate.js'
import { Context, type CheckOptions, type RoleContext } from './role-context.js'

/** What name checks need of a rolegate, whatever its policy type. */
export interface NameChecker {
  permission(permission: string): unknown
  role(role: string): unknown
}

/** Throws the unknown-name error for the first name of `requirement` the rolegate's policy lacks. */
export function validate(rolegate: NameChecker, requirement: Requirement): void {
  if (requirement.kind === 'permission')
    for (const permission of requirement.permissions) rolegate.permission(permission)
  else for (const role of requirement.roles) rolegate.role(role)
}

type Verdict = Pick<AuditEvent, 'allowed' | 'reason'> & { readonly denial?: Denial }
type Check = CheckOptions & { readonly scope: string | undefined }

/**
 * Whether the requirement is met: `can()` on the hot path, which allocates nothing; the reasons
 * are worked out only for a denial or an audit event. Loops rather than `some`/`every` over a
 * closure, which would allocate on every request.
 */
function meets<P extends PolicyInput>(
  ctx: RoleContext<P>,
  spec: GuardSpec,
  options: Check,
): boolean {
  const { requirement, compiled } = spec
  if (requirement.kind === 'role') {
    for (const role of requirement.roles) if (ctx.hasRole(role, options)) return true
    return false
  }
  const all = requirement.mode === 'all'
  // A context of the policy the guard compiled its permissions with: no name lookups.
  if (compiled !== undefined && ctx instanceof Context && ctx.policy === compiled.policy) {
    for (const permission of compiled.permissions)
      if (ctx.allows(permission, options) !== all) return !all
    return all
  }
  for (const permission of requirement.permissions)
    if (ctx.can(permission as PermissionOf<P>, options) !== all) return !all
  return all
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
    reportSafely(settings?.onError, error)
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
  return { allowed: false, reason: failureReason(http), denial }
}

/** What a guard fixes when it is made. */
export interface GuardSpec {
  /** The rolegate the names were checked against when the guard was made, if any. */
  readonly rolegate: NameChecker | undefined
  readonly requirement: Requirement
  /** The requirement's names, as audit events carry them. */
  readonly names: Pick<AuditEvent, 'permissions' | 'roles'>
  /** The rolegates whose policies are known to declare every name. */
  readonly checked: WeakSet<NameChecker>
  /** The permissions as the guard's rolegate compiled them, when it has one. */
  readonly compiled:
    | { readonly policy: CompiledPolicy; readonly permissions: readonly CompiledPermission[] }
    | undefined
}

type Step<P extends PolicyInput> = Outcome<P> | Promise<Outcome<P>>

/**
 * What an audited run learns on the way, for its audit event: made only when there is an audit
 * hook, so that a run without one allocates nothing but its outcome.
 */
interface Trace<P extends PolicyInput> {
  /** When the check began; read only for an audit hook, since the clock is not free. */
  readonly started: number
  context: RoleContext<P> | undefined
  scope: string | undefined
}

/**
 * One request through one guard: the context, then the scope, then the resource, then the
 * decision. Each step goes on at once when the one before answered synchronously, so a request
 * whose callbacks are all synchronous is decided without a promise; a step that returns one makes
 * the rest wait for it. What a step throws or rejects with becomes a denial. Never throws, and a
 * promise it returns never rejects.
 *
 * The steps are functions handed what they need, not methods of an object per run: this runs for
 * every guarded request, and such an object was 88 of the bytes a request allocated (bench README,
 * session 13).
 */
export function runGuard<P extends PolicyInput>(
  spec: GuardSpec,
  request: RequestRolegate<P> | undefined,
  input: GuardInput,
): Step<P> {
  const state = request instanceof PerRequestRolegate ? request : undefined
  const trace: Trace<P> | undefined =
    state?.settings.audit === undefined
      ? undefined
      : { started: performance.now(), context: undefined, scope: undefined }
  try {
    if (state === undefined)
      throw new TypeError('No rolegate on this request: mount rolegate() before its guards.')
    checkRolegate(spec, state.rolegate)
    const context = state.resolve()
    if (isThenable(context))
      return later(context, spec, state, trace, (ctx) =>
        withContext(spec, state, input, trace, ctx),
      )
    return withContext(spec, state, input, trace, context)
  } catch (error) {
    return fail(spec, state, trace, error)
  }
}

/** Throws unless the request's rolegate is the guard's, or one whose policy declares its names. */
function checkRolegate(spec: GuardSpec, own: NameChecker): void {
  const { rolegate, requirement, checked } = spec
  if (rolegate !== undefined && own !== rolegate)
    throw new TypeError("The guard's rolegate is not the one attached to this request.")
  // A guard made with this very rolegate checked its names then: no lookup on every request.
  if (own !== rolegate && !checked.has(own)) {
    validate(own, requirement)
    checked.add(own)
  }
}

function withContext<P extends PolicyInput>(
  spec: GuardSpec,
  state: PerRequestRolegate<P>,
  input: GuardInput,
  trace: Trace<P> | undefined,
  ctx: RoleContext<P> | undefined,
): Step<P> {
  if (ctx === undefined) throw unauthorized(state.settings)
  if (trace !== undefined) trace.context = ctx
  const { scope } = input
  if (typeof scope !== 'function') return inScope(spec, state, input, trace, ctx, scope)
  const found = scope()
  if (isThenable(found))
    return later(found, spec, state, trace, (s) => inScope(spec, state, input, trace, ctx, s))
  return inScope(spec, state, input, trace, ctx, found)
}

function inScope<P extends PolicyInput>(
  spec: GuardSpec,
  state: PerRequestRolegate<P>,
  input: GuardInput,
  trace: Trace<P> | undefined,
  ctx: RoleContext<P>,
  scope: string | undefined,
): Step<P> {
  // A scope function of the app may hand on what the request sent (`?team=a&team=b` is a list):
  // anything but a string is refused, never turned into one that may name a scope the subject has.
  if (scope !== undefined && typeof scope !== 'string')
    throw new TypeError(`A guard's scope must be a string, got ${describeValue(scope)}.`)
  if (trace !== undefined) trace.scope = scope
  const { resource } = input
  if (resource === undefined) return decide(spec, state, trace, ctx, scope, undefined)
  const loaded = resource()
  if (isThenable(loaded))
    return later(loaded, spec, state, trace, (r) => decide(spec, state, trace, ctx, scope, r))
  return decide(spec, state, trace, ctx, scope, loaded)
}

function decide<P extends PolicyInput>(
  spec: GuardSpec,
  state: PerRequestRolegate<P>,
  trace: Trace<P> | undefined,
  ctx: RoleContext<P>,
  scope: string | undefined,
  resource: unknown,
): Outcome<P> {
  const { requirement } = spec
  // The outcome is also the check's options (it has their `scope` and `resource`): one object
  // fewer on every request.
  const outcome: Allowed<P> = { allowed: true, context: ctx, scope, resource }
  if (meets(ctx, spec, outcome)) {
    if (trace !== undefined)
      audit(state, trace, true, allowedReason(ctx, requirement, outcome), spec.names)
    return outcome
  }
  return deny(spec, state, trace, denied(ctx, requirement, outcome))
}

/**
 * Goes on with `next` once `value` resolves; a rejection, or what `next` throws, becomes a denial.
 * The steps call each other directly when a value is already there, so that the JIT can inline the
 * synchronous path.
 */
function later<P extends PolicyInput, T>(
  value: PromiseLike<T>,
  spec: GuardSpec,
  state: PerRequestRolegate<P>,
  trace: Trace<P> | undefined,
  next: (value: T) => Step<P>,
): Promise<Outcome<P>> {
  return Promise.resolve(value)
    .then(next)
    .catch((error: unknown) => fail(spec, state, trace, error))
}

function fail<P extends PolicyInput>(
  spec: GuardSpec,
  state: PerRequestRolegate<P> | undefined,
  trace: Trace<P> | undefined,
  error: unknown,
): Denial {
  return deny(spec, state, trace, failure(error, state?.settings))
}

function deny<P extends PolicyInput>(
  spec: GuardSpec,
  state: PerRequestRolegate<P> | undefined,
  trace: Trace<P> | undefined,
  { reason, denial }: Verdict & { denial: Denial },
): Denial {
  // A trace means an audit hook, and so a request rolegate that has one.
  if (trace !== undefined) {
    // A refused impersonation names the permission it lacked, not the route's.
    const { names } = spec
    const refused = denial.decision?.permission
    const lacked =
      refused !== undefined && names.permissions?.includes(refused) !== true
        ? { permissions: [refused] }
        : names
    audit(state as PerRequestRolegate<P>, trace, false, reason, lacked)
  }
  return denial
}

function audit<P extends PolicyInput>(
  state: PerRequestRolegate<P>,
  trace: Trace<P>,
  allowed: boolean,
  reason: AuditEvent['reason'],
  names: GuardSpec['names'],
): void {
  const { audit: hook, onError } = state.settings
  const { context: ctx, scope, started } = trace
  const event: AuditEvent = {
    ...names,
    // Before the context is known, a refused impersonation still names its real actor.
    actor: ctx?.actor.id ?? state.actor?.id,
    subject: ctx?.subject.id,
    scope,
    allowed,
    reason,
    durationMs: performance.now() - started,
  }
  emitAudit(hook, event, onError)
}
