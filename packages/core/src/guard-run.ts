/**
 * The per-request half of a guard: one request through one guard, and the denial or audit event
 * it ends with. `guard.ts` makes guards; this runs them.
 */
import { emitAudit, type AuditEvent } from './audit.js'
import type { Decision } from './decision.js'
import type { Allowed, Denial, GuardInput, Outcome, Requirement } from './guard.js'
import { asHttpFailure } from './http-failure.js'
import { isThenable } from './maybe-promise.js'
import type { CompiledPermission, CompiledPolicy } from './policy/compile-policy.js'
import type { PermissionOf, PolicyInput } from './policy/types.js'
import { failedCheckProblem, missingPermissionProblem, missingRoleProblem } from './problem.js'
import {
  PerRequestRolegate,
  reportError,
  reportSafely,
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
    reportSafely(settings?.onError ?? reportError, error)
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
 * One request through one guard: the context, then the scope, then the resource, then the
 * decision. Each step goes on at once when the one before answered synchronously, so a request
 * whose callbacks are all synchronous is decided without a promise; a step that returns one makes
 * the rest wait for it. What a step throws or rejects with becomes a denial.
 */
export class GuardRun<P extends PolicyInput> {
  readonly #spec: GuardSpec
  readonly #request: PerRequestRolegate<P> | undefined
  readonly #input: GuardInput
  readonly #settings: Settings | undefined
  /** When the check began; read only for an audit hook, since the clock is not free. */
  readonly #started: number
  #context: RoleContext<P> | undefined = undefined
  #scope: string | undefined = undefined

  constructor(spec: GuardSpec, request: RequestRolegate<P> | undefined, input: GuardInput) {
    this.#spec = spec
    this.#request = request instanceof PerRequestRolegate ? request : undefined
    this.#input = input
    this.#settings = this.#request?.settings
    this.#started = this.#settings?.audit === undefined ? 0 : performance.now()
  }

  /** The outcome; never throws, and a promise it returns never rejects. */
  run(): Step<P> {
    try {
      return this.#start()
    } catch (error) {
      return this.#fail(error)
    }
  }

  #start(): Step<P> {
    const request = this.#request
    if (request === undefined)
      throw new TypeError('No rolegate on this request: mount rolegate() before its guards.')
    const { rolegate, requirement, checked } = this.#spec
    const own: NameChecker = request.rolegate
    if (rolegate !== undefined && own !== rolegate)
      throw new TypeError("The guard's rolegate is not the one attached to this request.")
    // A guard made with this very rolegate checked its names then: no lookup on every request.
    if (own !== rolegate && !checked.has(own)) {
      validate(own, requirement)
      checked.add(own)
    }
    const context = request.resolve()
    if (isThenable(context)) return this.#later(context, this.#withContext)
    return this.#withContext(context)
  }

  #withContext(ctx: RoleContext<P> | undefined): Step<P> {
    if (ctx === undefined) throw unauthorized(this.#settings as Settings)
    this.#context = ctx
    const { scope } = this.#input
    if (typeof scope !== 'function') return this.#inScope(scope)
    const found = scope()
    if (isThenable(found)) return this.#later(found, this.#inScope)
    return this.#inScope(found)
  }

  #inScope(scope: string | undefined): Step<P> {
    this.#scope = scope
    const { resource } = this.#input
    if (resource === undefined) return this.#decide(undefined)
    const loaded = resource()
    if (isThenable(loaded)) return this.#later(loaded, this.#decide)
    return this.#decide(loaded)
  }

  #decide(resource: unknown): Outcome<P> {
    const ctx = this.#context as RoleContext<P>
    const scope = this.#scope
    const { requirement } = this.#spec
    // The outcome is also the check's options (it has their `scope` and `resource`): one object
    // fewer on every request.
    const outcome: Allowed<P> = { allowed: true, context: ctx, scope, resource }
    if (meets(ctx, this.#spec, outcome)) {
      if (this.#settings?.audit !== undefined)
        this.#audit(true, allowedReason(ctx, requirement, outcome), this.#spec.names)
      return outcome
    }
    return this.#deny(denied(ctx, requirement, outcome))
  }

  /**
   * Goes on with `next` once `value` resolves; a rejection becomes a denial. The steps call each
   * other directly when a value is already there, so that the JIT can inline the synchronous path.
   */
  #later<T>(
    value: PromiseLike<T>,
    next: (this: GuardRun<P>, value: T) => Step<P>,
  ): Promise<Outcome<P>> {
    return Promise.resolve(value)
      .then((resolved) => next.call(this, resolved))
      .catch((error: unknown) => this.#fail(error))
  }

  #fail(error: unknown): Denial {
    return this.#deny(failure(error, this.#settings))
  }

  #deny({ reason, denial }: Verdict & { denial: Denial }): Denial {
    if (this.#settings?.audit !== undefined) {
      // A refused impersonation names the permission it lacked, not the route's.
      const { names } = this.#spec
      const refused = denial.decision?.permission
      const lacked =
        refused !== undefined && names.permissions?.includes(refused) !== true
          ? { permissions: [refused] }
          : names
      this.#audit(false, reason, lacked)
    }
    return denial
  }

  #audit(allowed: boolean, reason: AuditEvent['reason'], names: GuardSpec['names']): void {
    const settings = this.#settings as Settings
    const ctx = this.#context
    const event: AuditEvent = {
      ...names,
      // Before the context is known, a refused impersonation still names its real actor.
      actor: ctx?.actor.id ?? this.#request?.actor?.id,
      subject: ctx?.subject.id,
      scope: this.#scope,
      allowed,
      reason,
      durationMs: performance.now() - this.#started,
    }
    emitAudit(settings.audit, event, settings.onError)
  }
}
