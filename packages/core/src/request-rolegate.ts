import type { AuditHook } from './audit.js'
import { reportError } from './report.js'
import type { Rolegate } from './create-rolegate.js'
import type { Decision } from './decision.js'
import { UnauthorizedError, describeValue, invalidArgument } from './errors.js'
import { areWritableHeaders } from './http-failure.js'
import { impersonationRefused } from './impersonation-refused.js'
import { audited } from './request-audit.js'
import { impersonationRoles, type RequestImpersonation } from './request-impersonation.js'
import type { PermissionOf, PolicyInput, ResourceOf, RoleOf, Subject } from './policy/types.js'
import { unauthorizedProblem } from './problem.js'
import type { CheckOptions, RoleContext } from './role-context.js'
import { contextResolver, type ContextResolver } from './stores/context-resolver.js'
import { isRolegateStore, rolegateOf, type RolegateSource } from './stores/live-rolegate.js'
import { andThen, isThenable, type MaybePromise } from './maybe-promise.js'
import type { AssignmentStore } from './stores/types.js'

/**
 * The per-request face of a rolegate, as adapters attach it (`req.rolegate`, `ctx.state.rolegate`).
 * The subject is resolved on the first call that needs it, once per request.
 */
export interface RequestRolegate<P extends PolicyInput = PolicyInput> {
  readonly rolegate: Rolegate<P>
  /**
   * The request's role context, or `undefined` when there is no authenticated subject. Rejects when
   * the subject resolver, the store or an impersonation check fails.
   */
  context(): Promise<RoleContext<P> | undefined>
  /** Whether the permission is allowed; `false` without a subject. */
  can(permission: PermissionOf<P>, options?: CheckOptions): Promise<boolean>
  /** @throws {@link UnauthorizedError} without a subject. */
  explain(permission: PermissionOf<P>, options?: CheckOptions): Promise<Decision>
  /** @throws {@link UnauthorizedError} without a subject, {@link ForbiddenError} when denied. */
  assert(permission: PermissionOf<P>, options?: CheckOptions): Promise<RoleContext<P>>
  /** @throws {@link UnauthorizedError} without a subject. */
  redact<T>(resource: ResourceOf<P>, value: T, options?: CheckOptions): Promise<Partial<T>>
}

/** Options of {@link requestRolegate}. */
export interface RequestRolegateOptions<P extends PolicyInput, R> {
  /** Reads the authenticated subject; `undefined`, `null` or `false` mean none (401). */
  readonly subject: (request: R) => unknown
  /**
   * Assignments added to the subject's own, read by the default resolver; refused beside `resolve`
   * or a whole store, which read their own.
   */
  readonly store?: AssignmentStore | undefined
  /**
   * Turns a subject into a context; a cache plugs in here.
   * @defaultValue a whole store's `resolve`, else `contextResolver({ rolegate, store })`
   */
  readonly resolve?: ContextResolver<P> | undefined
  /** Lets a subject holding a permission act as another. @defaultValue off */
  readonly impersonation?: RequestImpersonation<P, R> | undefined
  /**
   * Receives every decision: the guards', and those a handler makes through the request rolegate
   * (`can`, `explain`, `assert`; not `redact`, which decides field by field). What it throws is
   * reported to `onError` and ignored.
   */
  readonly audit?: AuditHook | undefined
  /** Hears what failed closed: a throwing resolver or loader, an unavailable backend, an audit hook. @defaultValue `console.error` */
  readonly onError?: ((error: unknown) => void) | undefined
  /** The `WWW-Authenticate` header of 401 answers, e.g. `'Bearer'`. @defaultValue none */
  readonly wwwAuthenticate?: string | undefined
  /**
   * What the adapter keeps for the responses of these request rolegates (e.g. its `onDenied`), read
   * back with {@link adapterDataOf}; core never reads it. Kept once, not on each request's object.
   */
  readonly adapter?: unknown
}

/** What every request rolegate of one `requestRolegate()` shares; the guard reads it back. */
export interface Settings {
  readonly audit: AuditHook | undefined
  readonly onError: (error: unknown) => void
  readonly wwwAuthenticate: string | undefined
  readonly adapter: unknown
}

/** What the request rolegates of one {@link requestRolegate} share. */
interface Shared<P extends PolicyInput, R> {
  readonly rolegate: Rolegate<P>
  readonly settings: Settings
  readonly contextOf: (
    request: R,
    state: PerRequestRolegate<P, R>,
  ) => MaybePromise<RoleContext<P> | undefined>
}

/** A failure of resolving, remembered: every later call throws, or rejects with, the same error. */
class ResolveFailure {
  readonly error: unknown
  constructor(error: unknown) {
    this.error = error
  }
}

/** The state of a request's context before anything asked for it. */
const NOT_STARTED: unique symbol = Symbol('rolegate.notStarted')

/**
 * One request's rolegate. A class, so that a request costs one small object and no closures: this
 * is made for every request that passes through the middleware, guarded or not, and an adapter
 * keeps it for the request's life (in Express, reachable from `res` until the response is done),
 * so it has as few fields as it can: the context's three states share one, and it has no private
 * methods (they would add a field to every instance).
 */
export class PerRequestRolegate<P extends PolicyInput, R = unknown> implements RequestRolegate<P> {
  /** @internal The authenticated actor once known, so a refused impersonation is audited under its name. */
  actor: Subject | undefined = undefined
  readonly #shared: Shared<P, R>
  readonly #request: R
  /** Not started; the context, or a promise of it, once started; or what resolving threw. */
  #context: MaybePromise<RoleContext<P> | undefined> | typeof NOT_STARTED | ResolveFailure =
    NOT_STARTED

  constructor(shared: Shared<P, R>, request: R) {
    this.#shared = shared
    this.#request = request
  }

  get rolegate(): Rolegate<P> {
    return this.#shared.rolegate
  }

  /** @internal What the guard reads: the hooks of the middleware that made this request rolegate. */
  get settings(): Settings {
    return this.#shared.settings
  }

  /**
   * @internal The context, resolved on the first call and remembered: the value itself when the
   * subject reader and the resolver answered synchronously, else a promise. A failure is
   * remembered too: every later call throws, or rejects with, the same error.
   */
  resolve(): MaybePromise<RoleContext<P> | undefined> {
    const known = this.#context
    if (known instanceof ResolveFailure) throw known.error
    if (known !== NOT_STARTED) return known
    // Started before it asks: a reader or resolver that asks again meanwhile gets no context (and
    // is denied), not a loop.
    this.#context = undefined
    let context: MaybePromise<RoleContext<P> | undefined>
    try {
      context = this.#shared.contextOf(this.#request, this)
    } catch (error) {
      this.#context = new ResolveFailure(error)
      throw error
    }
    // Once settled, later calls (a second guard, the handler) get the value itself.
    this.#context = isThenable(context) ? context.then((ctx) => (this.#context = ctx)) : context
    return this.#context
  }

  async context(): Promise<RoleContext<P> | undefined> {
    return this.resolve()
  }

  async can(permission: PermissionOf<P>, check?: CheckOptions): Promise<boolean> {
    if (this.settings.audit !== undefined)
      return (await audited(this, permission, check))?.allowed ?? false
    return (await this.resolve())?.can(permission, check) ?? false
  }

  async explain(permission: PermissionOf<P>, check?: CheckOptions): Promise<Decision> {
    if (this.settings.audit === undefined)
      return (await authenticated(this)).explain(permission, check)
    const decision = await audited(this, permission, check)
    if (decision === undefined) throw unauthorized(this.settings)
    return decision
  }

  async assert(permission: PermissionOf<P>, check?: CheckOptions): Promise<RoleContext<P>> {
    // Audited first, so a 401 or a 403 is heard as well as what allows.
    if (this.settings.audit !== undefined) await audited(this, permission, check)
    const ctx = await authenticated(this)
    ctx.assert(permission, check)
    return ctx
  }

  async redact<T>(resource: ResourceOf<P>, value: T, check?: CheckOptions): Promise<Partial<T>> {
    return (await authenticated(this)).redact(resource, value, check)
  }
}

/** The request's context. @throws {@link UnauthorizedError} without a subject. */
async function authenticated<P extends PolicyInput, R>(
  state: PerRequestRolegate<P, R>,
): Promise<RoleContext<P>> {
  const ctx = await state.resolve()
  if (ctx === undefined) throw unauthorized(state.settings)
  return ctx
}

/**
 * What the adapter passed as `adapter` to the {@link requestRolegate} that made `request`, a
 * request rolegate of any policy, for adapters' response hooks; `undefined` for anything else.
 *
 * @example
 * ```ts
 * const attach = requestRolegate(rg, { subject: (req: Req) => req.user, adapter: { onDenied } })
 * adapterDataOf(attach(req)) // { onDenied }
 * ```
 */
export function adapterDataOf(request: unknown): unknown {
  return request instanceof PerRequestRolegate ? request.settings.adapter : undefined
}

/**
 * Makes the per-request rolegate for an adapter. Options are checked here, at start-up. Given a
 * policy store, it decides with the rolegate in force on each request (see {@link liveRolegate}),
 * so custom roles created after start-up apply at once; given a whole store (`memoryStore`,
 * `redisStore`), it uses its policy store and its resolver.
 *
 * @throws {@link UnknownPermissionError} or {@link UnknownRoleError} for impersonation names the policy lacks.
 * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`) for an `impersonation.role` function without `impersonation.roles`.
 * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`) for a `store` beside `resolve` or a whole store.
 * @example
 * ```ts
 * const attach = requestRolegate(rg, { subject: (req: IncomingMessage & { user?: Subject }) => req.user })
 * const state = attach(req) // cheap: nothing is resolved until a guard or handler asks
 * ```
 */
export function requestRolegate<P extends PolicyInput, R>(
  source: RolegateSource<P>,
  options: RequestRolegateOptions<P, R>,
): (request: R) => RequestRolegate<P> {
  const rolegate = rolegateOf(source)
  const { subject, store, impersonation: imp, audit, onError = reportError } = options
  if (typeof subject !== 'function') throw invalidArgument('subject must be a function')
  const { wwwAuthenticate } = options
  if (wwwAuthenticate !== undefined && !areWritableHeaders({ 'www-authenticate': wwwAuthenticate }))
    throw invalidArgument(
      `wwwAuthenticate must be a string that can be a header value, got ${JSON.stringify(wwwAuthenticate)}`,
    )
  const choosable = imp === undefined ? undefined : impersonationRoles(rolegate, imp)
  const wholeStore = isRolegateStore(source) ? source : undefined
  // An assignment store that nothing would read is refused, not ignored: the app meant it to count.
  if (store !== undefined && wholeStore !== undefined)
    throw invalidArgument(
      'store: a whole store brings its own assignments; pass resolve to replace its resolver',
    )
  if (store !== undefined && options.resolve !== undefined)
    throw invalidArgument('store: resolve reads the assignments; give the store to the resolver')
  const resolve = options.resolve ?? wholeStore?.resolve ?? contextResolver({ rolegate, store })

  // Each step goes on at once when the one before answered synchronously. Written out rather than
  // chained through andThen: this runs for every request, and the closures andThen needs were a
  // fifth of what a guarded request allocated in core (160 of 850 bytes, measured).
  function contextOf(
    request: R,
    state: PerRequestRolegate<P, R>,
  ): MaybePromise<RoleContext<P> | undefined> {
    const found = subject(request)
    if (isThenable(found))
      return Promise.resolve(found).then((value) => withSubject(request, state, value))
    return withSubject(request, state, found)
  }

  function withSubject(
    request: R,
    state: PerRequestRolegate<P, R>,
    found: unknown,
  ): MaybePromise<RoleContext<P> | undefined> {
    if (found === undefined || found === null || found === false) return undefined
    const actor = resolve(found as Subject)
    if (isThenable(actor)) return actor.then((value) => withActor(request, state, value))
    return withActor(request, state, actor)
  }

  function withActor(
    request: R,
    state: PerRequestRolegate<P, R>,
    actor: RoleContext<P>,
  ): MaybePromise<RoleContext<P>> {
    state.actor = actor.actor
    if (imp === undefined) return actor
    return andThen(imp.target(request), (id: unknown) => {
      // A session with nothing in it gives null as often as undefined: no impersonation either.
      if (id === undefined || id === null || id === '') return actor
      if (typeof id !== 'string')
        throw new TypeError(
          `The impersonation target must be a subject id (a string), got ${describeValue(id)}.`,
        )
      return actAs(request, actor, id, imp)
    })
  }

  async function actAs(
    request: R,
    actor: RoleContext<P>,
    id: string,
    imp: RequestImpersonation<P, R>,
  ): Promise<RoleContext<P>> {
    actor.assert(imp.permission)
    const role = typeof imp.role === 'function' ? imp.role(request) : imp.role
    const chosen = role === undefined || role === '' ? {} : { role: role as RoleOf<P> }
    // The name is not repeated: it may be anything a header carried.
    if (chosen.role !== undefined && choosable?.has(chosen.role) === false)
      throw impersonationRefused(imp.permission, 'The role asked for may not be acted with.')
    const target = await imp.loadSubject(id, request)
    if (target == null)
      throw impersonationRefused(imp.permission, 'There is no such subject to act on behalf of.')
    const { subject: effective } = await resolve(target)
    return rolegate.impersonate(actor, effective, { permission: imp.permission, ...chosen })
  }

  const shared: Shared<P, R> = {
    rolegate,
    settings: {
      audit,
      onError,
      wwwAuthenticate: options.wwwAuthenticate,
      adapter: options.adapter,
    },
    contextOf,
  }
  return (request) => new PerRequestRolegate(shared, request)
}

/** The 401 error, with the configured `WWW-Authenticate` header. */
export function unauthorized(settings: Settings): UnauthorizedError {
  const { wwwAuthenticate: scheme } = settings
  return new UnauthorizedError(
    unauthorizedProblem(),
    scheme === undefined ? {} : { 'www-authenticate': scheme },
  )
}
