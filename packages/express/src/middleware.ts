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
import type { NextFunction, Request, Response } from 'express'
import { bindGuards, type Guards } from './guards.js'
import { holderOf, keepState } from './request-state.js'
import type { OnDenied, Responder } from './send.js'
import { uncachedRead } from './uncached-read.js'

type MaybePromise<T> = T | Promise<T>

/** Acting on behalf of another subject. */
export interface ImpersonationOptions<P extends PolicyInput = PolicyInput> extends Omit<
  RequestImpersonation<P, Request>,
  'target'
> {
  /**
   * Where the id of the subject to act as comes from: a header name, or a function of the request
   * (e.g. reading the session). No id means no impersonation.
   * @defaultValue `'x-act-as'`
   */
  readonly target?: string | ((req: Request) => MaybePromise<string | null | undefined>)
}

/** Options of {@link rolegate}: core's per-request options, with the request as input. */
export interface RolegateOptions<P extends PolicyInput = PolicyInput> extends Omit<
  RequestRolegateOptions<P, Request>,
  'subject' | 'impersonation' | 'adapter'
> {
  /**
   * Reads the authenticated subject; `undefined` or `null` means none (401).
   * @defaultValue `req.user`, as Passport leaves it
   */
  readonly subject?: (req: Request) => MaybePromise<Subject | null | undefined>
  /** Lets a subject holding a permission act as another. @defaultValue off */
  readonly impersonation?: ImpersonationOptions<P>
  /** Replaces the default problem response of every guard. @defaultValue the problem body */
  readonly onDenied?: OnDenied
}

/** The middleware that attaches `req.rolegate`, carrying guards typed and checked by its policy. */
export interface Rolegated<P extends PolicyInput = PolicyInput> extends Guards<P> {
  (req: Request, res: Response, next: NextFunction): void
  /**
   * The request's rolegate, typed by the policy: the same object as `req.rolegate`.
   * @param res The request's response, when at hand: spares a read of `req.res`.
   */
  of(req: Request, res?: Response): RequestRolegate<P>
}

const passportUser = (req: Request): Subject | undefined =>
  uncachedRead(req, 'user') as Subject | undefined

/**
 * Attaches `req.rolegate` to every request: the subject is resolved on the first check that needs
 * it, once per request. The returned middleware carries guards whose names are typed by the
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
 * const authz = rolegate(rg, { store }) // the subject is req.user, as Passport leaves it
 * app.use(authz)
 * app.get('/invoices', authz.requirePermission('invoices:read'), listInvoices)
 * app.delete('/users/:id', authz.requireRole('admin'), deleteUser)
 * app.get('/me/can-export', async (req, res) => res.json(await req.rolegate.can('reports:export')))
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
  const attach = requestRolegate<P, Request>(rg, {
    ...options,
    subject,
    onError,
    adapter: { onDenied, onError } satisfies Responder,
    impersonation: impersonation && {
      ...impersonation,
      target: typeof target === 'string' ? (req) => req.get(target) : target,
    },
  })
  // One key per middleware, so two rolegates on one app keep apart.
  const key: unique symbol = Symbol('rolegate.state')
  // The request this middleware found or made a rolegate for last, and that rolegate. A guard that
  // runs right after the middleware, as most do, finds it here rather than in `res.locals`: a
  // read of a property of Express's `res` is a lookup even without an inline cache to miss
  // (uncached-read.ts), then one in `res.locals`; a comparison costs one instruction. A request's
  // rolegate never changes, so the pair is never stale; it holds the last request until the next
  // one comes.
  let lastRequest: Request | undefined
  let lastState: RequestRolegate<P> | undefined
  const of = (req: Request, res?: Response): RequestRolegate<P> => {
    if (req === lastRequest) return lastState as RequestRolegate<P>
    const holder = holderOf(req, res)
    let state = holder[key] as RequestRolegate<P> | undefined
    if (state === undefined) {
      state = attach(req)
      keepState(req, holder, key, state)
    }
    lastRequest = req
    lastState = state
    return state
  }
  return Object.assign(
    function rolegate(req: Request, res: Response, next: NextFunction): void {
      of(req, res)
      next()
    },
    { of, ...bindGuards(rg, of) },
  )
}
