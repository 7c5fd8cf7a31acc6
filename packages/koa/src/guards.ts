import {
  guard,
  guardInputOf,
  type Allowed,
  type Guard,
  type GuardInput,
  type Outcome,
  type PermissionOf,
  type PolicyInput,
  type RequestRolegate,
  type ResourceOf,
  type RoleOf,
  type RolegateSource,
} from '@rolegate/core'
import type { Middleware, Next, ParameterizedContext } from 'koa'
import { Stream } from 'node:stream'
import { deny, failedCheck, type OnDenied } from './send.js'

/** The context guard options see: Koa's, with the route parameters `@koa/router` sets. */
export type GuardContext = ParameterizedContext & { readonly params: Record<string, string> }

/** Options every guard takes. */
export interface GuardOptions {
  /**
   * The scope to decide in: a string, or a function of the context (e.g. of a route parameter).
   * @defaultValue none: global roles only
   */
  readonly scope?:
    string | ((ctx: GuardContext) => string | undefined | Promise<string | undefined>)
  /** Replaces the default problem response for this guard. @defaultValue the middleware's `onDenied` */
  readonly onDenied?: OnDenied
}

/** Options of `requirePermission`. */
export interface PermissionGuardOptions extends GuardOptions {
  /** `'all'`: every permission is required; `'any'`: one is enough. @defaultValue `'all'` */
  readonly mode?: 'all' | 'any'
  /** Loads the resource instance that conditional grants (`when`) are weighed against. */
  readonly resource?: (ctx: GuardContext) => unknown
}

/** Options of `requireRole`. */
export type RoleGuardOptions = GuardOptions

/** Options of `redactFor`. */
export interface RedactOptions extends GuardOptions {
  /** Loads the instance that conditional grants are weighed against, for the check and the redaction. */
  readonly resource?: (ctx: GuardContext) => unknown
}

/** Guards whose names are typed by the policy `P` and checked against it when created. */
export interface Guards<P extends PolicyInput = PolicyInput> {
  /** Lets the request through only when the permissions are allowed (all of them, or any with `mode: 'any'`). */
  requirePermission(
    permission: PermissionOf<P> | readonly PermissionOf<P>[],
    options?: PermissionGuardOptions,
  ): Middleware
  /** Lets the request through only when one of the roles is in force, in the guard's scope. */
  requireRole(role: RoleOf<P> | readonly RoleOf<P>[], options?: RoleGuardOptions): Middleware
  /** Requires `resource:read`, then removes from plain-object and array bodies the fields the caller may not read. */
  redactFor(resource: ResourceOf<P>, options?: RedactOptions): Middleware
}

const list = <T>(names: T | readonly T[]): readonly T[] =>
  Array.isArray(names) ? (names as readonly T[]) : [names as T]

/**
 * Whether Koa writes the body as JSON: any object but those it sends as they are (a Buffer or
 * other binary view, a stream, and Koa 3's Blob, ReadableStream and Response). A class instance is
 * JSON too, so it is redacted as well, even one with a `pipe` method: a stream is recognised as
 * Koa recognises it (`isNodeStream`), never by a method name, which an entity may have too.
 */
function isJsonBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false
  if (ArrayBuffer.isView(body) || body instanceof ArrayBuffer) return false
  if (isNodeStream(body) || body instanceof ReadableStream) return false
  return !(body instanceof Blob) && !(body instanceof Response)
}

/**
 * Koa's own test (koa 3's `lib/is-stream.js`; koa 2 takes only a `Stream`): a `Stream`, or an
 * object with every member of a readable Node stream.
 */
function isNodeStream(body: object): boolean {
  if (body instanceof Stream) return true
  const stream = body as Partial<Record<string, unknown>>
  return (
    stream.readable === true &&
    typeof stream.pipe === 'function' &&
    typeof stream.read === 'function' &&
    typeof stream.readableObjectMode === 'boolean' &&
    typeof stream.destroy === 'function' &&
    typeof stream.destroyed === 'boolean'
  )
}

/**
 * Makes the guards over one way of finding the request's rolegate. With `rolegate`, names are
 * checked now; without, against the request's rolegate on first use (an unknown name denies).
 */
export function bindGuards<P extends PolicyInput>(
  rolegate: RolegateSource<P> | undefined,
  stateOf: (ctx: ParameterizedContext) => RequestRolegate<P> | undefined,
): Guards<P> {
  /**
   * Runs the check and answers a denial. Gives the allowed outcome, at once when the check answered
   * synchronously; a promise of `undefined` means the denial is being answered.
   */
  function run(
    check: Guard<P>,
    ctx: ParameterizedContext,
    input: GuardInput,
    onDenied: OnDenied | undefined,
  ): Allowed<P> | Promise<Allowed<P> | undefined> {
    const state = stateOf(ctx)
    // Only the check is guarded here: errors from next() belong to the app's error handling.
    let outcome: Outcome<P> | Promise<Outcome<P>>
    try {
      outcome = check(state, input)
    } catch {
      outcome = failedCheck // a guard never throws; should one ever, it denies
    }
    // No closure on the synchronous path: it runs for every guarded request.
    if (!(outcome instanceof Promise)) return settle(outcome, ctx, state, onDenied)
    return outcome.then(
      (settled) => settle(settled, ctx, state, onDenied),
      () => settle(failedCheck, ctx, state, onDenied),
    )
  }

  /** The allowed outcome, or a promise of `undefined` while the denial is answered. */
  function settle(
    outcome: Outcome<P>,
    ctx: ParameterizedContext,
    state: RequestRolegate<P> | undefined,
    onDenied: OnDenied | undefined,
  ): Allowed<P> | Promise<undefined> {
    return outcome.allowed ? outcome : deny(ctx, outcome, state, onDenied).then(() => undefined)
  }

  return {
    requirePermission(permission, { mode = 'all', scope, resource, onDenied } = {}) {
      const check = guard(rolegate, { kind: 'permission', permissions: list(permission), mode })
      const inputOf = guardInputOf(scope, resource)
      return function requirePermission(ctx: ParameterizedContext, next: Next) {
        const allowed = run(check, ctx, inputOf(ctx as GuardContext), onDenied)
        if (!(allowed instanceof Promise)) return next()
        return allowed.then((outcome) => (outcome === undefined ? undefined : next()))
      }
    },
    requireRole(role, { scope, onDenied } = {}) {
      const check = guard(rolegate, { kind: 'role', roles: list(role) })
      const inputOf = guardInputOf(scope, undefined)
      return function requireRole(ctx: ParameterizedContext, next: Next) {
        const allowed = run(check, ctx, inputOf(ctx as GuardContext), onDenied)
        if (!(allowed instanceof Promise)) return next()
        return allowed.then((outcome) => (outcome === undefined ? undefined : next()))
      }
    },
    redactFor(resource, { scope, resource: loader, onDenied } = {}) {
      const permissions = [`${resource}:read`]
      const check = guard(rolegate, { kind: 'permission', permissions, mode: 'all' })
      const inputOf = guardInputOf(scope, loader)
      return async function redactFor(ctx: ParameterizedContext, next: Next) {
        const outcome = await run(check, ctx, inputOf(ctx as GuardContext), onDenied)
        if (outcome === undefined) return
        await next()
        const { context, ...where } = outcome
        if (isJsonBody(ctx.body)) ctx.body = context.redact(resource, ctx.body, where)
      }
    },
  }
}

const fromContext = (ctx: ParameterizedContext): RequestRolegate | undefined =>
  (ctx.state as { rolegate?: RequestRolegate }).rolegate

/** The rolegate to check names against when the guard is created, for the free guards. */
export interface BindOption<P extends PolicyInput> {
  /**
   * The rolegate of the app, its policy store or its whole store: names are then typed by its
   * policy and checked when the guard is created. Without it, they are checked against
   * `ctx.state.rolegate` on first use, and an unknown name denies (403) and is reported to
   * `onError`.
   */
  readonly rolegate?: RolegateSource<P> | undefined
}

/**
 * Lets the request through only when the permissions are allowed in the guard's scope: all of them,
 * or one with `mode: 'any'`. Prefer the bound form, `rolegate(rg).requirePermission`, or pass
 * `{ rolegate: rg }`: names are then typed and checked at start-up.
 *
 * @throws {@link UnknownPermissionError} when created with a rolegate whose policy lacks a name.
 * @example
 * ```ts
 * router.post('/teams/:team/projects', requirePermission('projects:write', {
 *   rolegate: rg, scope: (ctx) => `team:${ctx.params.team}`,
 * }), handler)
 * ```
 */
export function requirePermission<P extends PolicyInput = PolicyInput>(
  permission: NoInfer<PermissionOf<P>> | readonly NoInfer<PermissionOf<P>>[],
  options: PermissionGuardOptions & BindOption<P> = {},
): Middleware {
  const stateOf = fromContext as (ctx: ParameterizedContext) => RequestRolegate<P> | undefined
  return bindGuards(options.rolegate, stateOf).requirePermission(permission, options)
}

/**
 * Lets the request through only when one of the roles is in force in the guard's scope.
 *
 * @throws {@link UnknownRoleError} when created with a rolegate whose policy lacks a name.
 * @example
 * ```ts
 * router.delete('/users/:id', requireRole('admin', { rolegate: rg }), handler)
 * ```
 */
export function requireRole<P extends PolicyInput = PolicyInput>(
  role: NoInfer<RoleOf<P>> | readonly NoInfer<RoleOf<P>>[],
  options: RoleGuardOptions & BindOption<P> = {},
): Middleware {
  const stateOf = fromContext as (ctx: ParameterizedContext) => RequestRolegate<P> | undefined
  return bindGuards(options.rolegate, stateOf).requireRole(role, options)
}

/**
 * Requires `resource:read`, then, after the handler, passes a plain-object or array `ctx.body`
 * through the context's `redact`, so fields the caller may not read never leave the server.
 *
 * @throws {@link UnknownPermissionError} when created with a rolegate whose policy lacks the resource.
 * @example
 * ```ts
 * router.get('/customers/:id', redactFor('customers', { rolegate: rg }), (ctx) => {
 *   ctx.body = customer // without customers.address.bcc for a support agent
 * })
 * ```
 */
export function redactFor<P extends PolicyInput = PolicyInput>(
  resource: NoInfer<ResourceOf<P>>,
  options: RedactOptions & BindOption<P> = {},
): Middleware {
  const stateOf = fromContext as (ctx: ParameterizedContext) => RequestRolegate<P> | undefined
  return bindGuards(options.rolegate, stateOf).redactFor(resource, options)
}
