import type { AuditHook } from './audit.js'
import type { Rolegate } from './create-rolegate.js'
import type { Decision } from './decision.js'
import { ForbiddenError, UnauthorizedError, invalidArgument } from './errors.js'
import type { PermissionOf, PolicyInput, ResourceOf, RoleOf, Subject } from './policy/types.js'
import { missingPermissionProblem, unauthorizedProblem } from './problem.js'
import type { CheckOptions, RoleContext } from './role-context.js'
import { contextResolver, type ContextResolver } from './stores/context-resolver.js'
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

/** Impersonation as {@link requestRolegate} sees it, with the adapter's request type `R`. */
export interface RequestImpersonation<P extends PolicyInput, R> {
  /** The permission the real actor needs, e.g. `'customers:impersonate'`. */
  readonly permission: PermissionOf<P>
  /** The id of the subject to act as, or `undefined` for no impersonation. */
  readonly target: (request: R) => string | undefined | Promise<string | undefined>
  /** Loads the subject to act as; `undefined` refuses with 403. */
  readonly loadSubject: (
    id: string,
    request: R,
  ) => Subject | undefined | Promise<Subject | undefined>
  /** A named role to act with instead of the target's own roles. */
  readonly role?: RoleOf<P> | ((request: R) => string | undefined) | undefined
}

/** Options of {@link requestRolegate}. */
export interface RequestRolegateOptions<P extends PolicyInput, R> {
  /** Reads the authenticated subject; `undefined`, `null` or `false` mean none (401). */
  readonly subject: (request: R) => unknown
  /** Assignments added to the subject's own. Ignored when `resolve` is given. */
  readonly store?: AssignmentStore | undefined
  /** Turns a subject into a context; a cache plugs in here. @defaultValue `contextResolver({ rolegate, store })` */
  readonly resolve?: ContextResolver<P> | undefined
  /** Lets a subject holding a permission act as another. @defaultValue off */
  readonly impersonation?: RequestImpersonation<P, R> | undefined
  /** Receives every guard decision; what it throws is reported to `onError` and ignored. */
  readonly audit?: AuditHook | undefined
  /** Hears what failed closed: a throwing resolver or loader, an unavailable backend, an audit hook. @defaultValue `console.error` */
  readonly onError?: ((error: unknown) => void) | undefined
  /** The `WWW-Authenticate` header of 401 answers, e.g. `'Bearer'`. @defaultValue none */
  readonly wwwAuthenticate?: string | undefined
}

/** Per-request settings the guard reads back from a request rolegate. */
export interface Settings {
  readonly audit: AuditHook | undefined
  readonly onError: (error: unknown) => void
  readonly wwwAuthenticate: string | undefined
  /** The authenticated actor once known, so a refused impersonation is audited under its name. */
  actor: Subject | undefined
}

/**
 * Where each request rolegate keeps its settings: a symbol-keyed property rather than a WeakMap,
 * because WeakMap entries keyed by per-request objects survive young-generation GCs and kept every
 * request alive until a full GC (measured: a third of the guard's cost under load).
 */
const SETTINGS: unique symbol = Symbol('rolegate.settings')

/** The settings of a request rolegate made by {@link requestRolegate}, if it is one. */
export function settingsOf(request: object): Settings | undefined {
  return (request as { [SETTINGS]?: Settings })[SETTINGS]
}
/** The default `onError`. */
export const reportError = (error: unknown): void => console.error(error)

/**
 * Makes the per-request rolegate for an adapter. Options are checked here, at start-up.
 *
 * @throws {@link UnknownPermissionError} or {@link UnknownRoleError} for impersonation names the policy lacks.
 * @example
 * ```ts
 * const attach = requestRolegate(rg, { subject: (req: IncomingMessage & { user?: Subject }) => req.user })
 * const state = attach(req) // cheap: nothing is resolved until a guard or handler asks
 * ```
 */
export function requestRolegate<P extends PolicyInput, R>(
  rolegate: Rolegate<P>,
  options: RequestRolegateOptions<P, R>,
): (request: R) => RequestRolegate<P> {
  const { subject, store, impersonation: imp, audit, onError = reportError } = options
  if (typeof subject !== 'function') throw invalidArgument('subject must be a function')
  if (imp !== undefined) {
    rolegate.permission(imp.permission)
    if (typeof imp.role === 'string') rolegate.role(imp.role)
  }
  const resolve = options.resolve ?? contextResolver({ rolegate, store })
  const settings = { audit, onError, wwwAuthenticate: options.wwwAuthenticate }

  async function contextOf(request: R, state: Settings): Promise<RoleContext<P> | undefined> {
    const found: unknown = await subject(request)
    if (found === undefined || found === null || found === false) return undefined
    const actor = await resolve(found as Subject)
    state.actor = actor.actor
    const id = imp === undefined ? undefined : await imp.target(request)
    if (imp === undefined || id === undefined || id === '') return actor
    actor.assert(imp.permission)
    const target = await imp.loadSubject(id, request)
    if (target == null) {
      const problem = missingPermissionProblem([imp.permission], 'all', undefined)
      const detail = 'There is no such subject to act on behalf of.'
      throw new ForbiddenError(
        { ...problem, detail },
        { ...actor.explain(imp.permission), allowed: false },
      )
    }
    const role = typeof imp.role === 'function' ? imp.role(request) : imp.role
    const { subject: effective } = await resolve(target)
    const chosen = role === undefined || role === '' ? {} : { role: role as RoleOf<P> }
    return rolegate.impersonate(actor, effective, { permission: imp.permission, ...chosen })
  }

  return (request) => {
    const state: Settings = { ...settings, actor: undefined }
    let memo: Promise<RoleContext<P> | undefined> | undefined
    const context = (): Promise<RoleContext<P> | undefined> => (memo ??= contextOf(request, state))
    const authenticated = async (): Promise<RoleContext<P>> => {
      const ctx = await context()
      if (ctx === undefined) throw unauthorized(state)
      return ctx
    }
    const self: RequestRolegate<P> & { [SETTINGS]: Settings } = {
      [SETTINGS]: state,
      rolegate,
      context,
      can: async (permission, check) => (await context())?.can(permission, check) ?? false,
      explain: async (permission, check) => (await authenticated()).explain(permission, check),
      async assert(permission, check) {
        const ctx = await authenticated()
        ctx.assert(permission, check)
        return ctx
      },
      redact: async (resource, value, check) =>
        (await authenticated()).redact(resource, value, check),
    }
    return self
  }
}

/** The 401 error, with the configured `WWW-Authenticate` header. */
export function unauthorized(settings: Settings): UnauthorizedError {
  const { wwwAuthenticate: scheme } = settings
  return new UnauthorizedError(
    unauthorizedProblem(),
    scheme === undefined ? {} : { 'www-authenticate': scheme },
  )
}
