import {
  reportError,
  requestRolegate,
  type PolicyInput,
  type RequestImpersonation,
  type RequestRolegate,
  type RequestRolegateOptions,
  type RolegateSource,
  type Subject,
} from '@rolegate/core'
import type { Next, ParameterizedContext } from 'koa'
import { bindGuards, type Guards } from './guards.js'
import type { OnDenied, Responder } from './send.js'

type MaybePromise<T> = T | Promise<T>

/** Acting on behalf of another subject. */
export interface ImpersonationOptions<P extends PolicyInput = PolicyInput> extends Omit<
  RequestImpersonation<P, ParameterizedContext>,
  'target'
> {
  /**
   * Where the id of the subject to act as comes from: a header name, or a function of the context
   * (e.g. reading the session). No id means no impersonation.
   * @defaultValue `'x-act-as'`
   */
  readonly target?:
    string | ((ctx: ParameterizedContext) => MaybePromise<string | null | undefined>)
}

/** Options of {@link rolegate}: core's per-request options, with the context as input. */
export interface RolegateOptions<P extends PolicyInput = PolicyInput> extends Omit<
  RequestRolegateOptions<P, ParameterizedContext>,
  'subject' | 'impersonation' | 'adapter'
> {
  /**
   * Reads the authenticated subject; `undefined` or `null` means none (401).
   * @defaultValue `ctx.state.user`, as koa-passport leaves it
   */
  readonly subject?: (ctx: ParameterizedContext) => MaybePromise<Subject | null | undefined>
  /** Lets a subject holding a permission act as another. @defaultValue off */
  readonly impersonation?: ImpersonationOptions<P>
  /** Replaces the default problem response of every guard. @defaultValue the problem body */
  readonly onDenied?: OnDenied
}

/** The middleware that attaches `ctx.state.rolegate`, carrying guards typed and checked by its policy. */
export interface Rolegated<P extends PolicyInput = PolicyInput> extends Guards<P> {
  (ctx: ParameterizedContext, next: Next): Promise<void>
  /** The request's rolegate, typed by the policy: the same object as `ctx.state.rolegate`. */
  of(ctx: ParameterizedContext): RequestRolegate<P>
}

const passportUser = (ctx: ParameterizedContext): Subject | undefined =>
  (ctx.state as { user?: unknown }).user as Subject | undefined

/**
 * Attaches `ctx.state.rolegate` to every request: the subject is resolved on the first check that
 * needs it, once per request. The returned middleware carries guards whose names are typed by the
 * policy and checked when they are created, and they work whether or not it is mounted with `app.use`.
 *
 * @param rg The rolegate; or a policy store (`memoryPolicyStore`, `@rolegate/redis`'s
 * `redisPolicyStore`), and then each request is decided with the custom roles in force, including
 * its default resolver's contexts and impersonation; or a whole store (`memoryStore`,
 * `redisStore`), whose policy store and resolver are then used.
 * @throws {@link UnknownPermissionError} or {@link UnknownRoleError} for impersonation names the policy lacks.
 * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`) for an `impersonation.role` function without `impersonation.roles`.
 * @example
 * ```ts
 * const authz = rolegate(rg, { store }) // the subject is ctx.state.user, as koa-passport leaves it
 * app.use(authz)
 * router.get('/invoices', authz.requirePermission('invoices:read'), listInvoices)
 * router.delete('/users/:id', authz.requireRole('admin'), deleteUser)
 * router.get('/me/can-export', async (ctx) => (ctx.body = await ctx.state.rolegate.can('reports:export')))
 * ```
 */
export function rolegate<P extends PolicyInput>(
  rg: RolegateSource<P>,
  {
    subject = passportUser,
    impersonation,
    onDenied,
    onError = reportError,
    ...options
  }: RolegateOptions<P> = {},
): Rolegated<P> {
  const target = impersonation?.target ?? 'x-act-as'
  const attach = requestRolegate<P, ParameterizedContext>(rg, {
    ...options,
    subject,
    onError,
    adapter: { onDenied, onError } satisfies Responder,
    impersonation: impersonation && {
      ...impersonation,
      target: typeof target === 'string' ? (ctx) => ctx.get(target) : target,
    },
  })
  // One key per middleware, so two rolegates on one app keep apart; a property rather than a
  // WeakMap, whose entries keyed by per-request objects outlive young-generation GCs.
  const STATE: unique symbol = Symbol('rolegate.state')
  const of = (ctx: ParameterizedContext): RequestRolegate<P> => {
    const holder = ctx as { [STATE]?: RequestRolegate<P> }
    let state = holder[STATE]
    if (state === undefined) {
      state = attach(ctx)
      holder[STATE] = state
      // The augmentation types ctx.state.rolegate by no particular policy.
      ;(ctx.state as { rolegate?: unknown }).rolegate = state
    }
    return state
  }
  return Object.assign(
    function rolegate(ctx: ParameterizedContext, next: Next): Promise<void> {
      of(ctx)
      return next()
    },
    { of, ...bindGuards(rg, of) },
  )
}
