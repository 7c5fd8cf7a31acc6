import {
  guard,
  guardInputOf,
  reportSafely,
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
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { deny, failedCheck, responderOf, send, type OnDenied } from './send.js'

/** Options every guard takes. */
export interface GuardOptions {
  /**
   * The scope to decide in: a string, or a function of the request (e.g. of a route parameter).
   * @defaultValue none: global roles only
   */
  readonly scope?: string | ((req: Request) => string | undefined | Promise<string | undefined>)
  /** Replaces the default problem response for this guard. @defaultValue the middleware's `onDenied` */
  readonly onDenied?: OnDenied
}

/** Options of `requirePermission`. */
export interface PermissionGuardOptions extends GuardOptions {
  /** `'all'`: every permission is required; `'any'`: one is enough. @defaultValue `'all'` */
  readonly mode?: 'all' | 'any'
  /** Loads the resource instance that conditional grants (`when`) are weighed against. */
  readonly resource?: (req: Request) => unknown
}

/** Options of `requireRole`. */
export type RoleGuardOptions = GuardOptions

/** Options of `redactFor`. */
export interface RedactOptions extends GuardOptions {
  /** Loads the instance that conditional grants are weighed against, for the check and the redaction. */
  readonly resource?: (req: Request) => unknown
}

/** Guards whose names are typed by the policy `P` and checked against it when created. */
export interface Guards<P extends PolicyInput = PolicyInput> {
  /** Lets the request through only when the permissions are allowed (all of them, or any with `mode: 'any'`). */
  requirePermission(
    permission: PermissionOf<P> | readonly PermissionOf<P>[],
    options?: PermissionGuardOptions,
  ): RequestHandler
  /** Lets the request through only when one of the roles is in force, in the guard's scope. */
  requireRole(role: RoleOf<P> | readonly RoleOf<P>[], options?: RoleGuardOptions): RequestHandler
  /** Requires `resource:read`, then removes from `res.json` bodies the fields the caller may not read. */
  redactFor(resource: ResourceOf<P>, options?: RedactOptions): RequestHandler
}

const list = <T>(names: T | readonly T[]): readonly T[] =>
  Array.isArray(names) ? (names as readonly T[]) : [names as T]

/**
 * Makes the guards over one way of finding the request's rolegate. With `rolegate`, names are
 * checked now; without, against the request's rolegate on first use (an unknown name denies).
 */
export function bindGuards<P extends PolicyInput>(
  rolegate: RolegateSource<P> | undefined,
  stateOf: (req: Request, res: Response) => RequestRolegate<P> | undefined,
): Guards<P> {
  /** Runs the check, then calls `allowed` and `next()`, or answers the denial. */
  function run(
    check: Guard<P>,
    req: Request,
    res: Response,
    next: NextFunction,
    input: GuardInput,
    onDenied: OnDenied | undefined,
    allowed?: (outcome: Allowed<P>) => void,
  ): void {
    const state = stateOf(req, res)
    // Only the check is guarded: a try around next() would catch what the route throws and could
    // let a failed check through.
    let outcome: Outcome<P> | Promise<Outcome<P>>
    try {
      outcome = check(state, input)
    } catch {
      outcome = failedCheck // a guard never throws; should one ever, it denies
    }
    // No closure on the synchronous path: it runs for every guarded request.
    if (!(outcome instanceof Promise))
      return settle(outcome, req, res, next, state, onDenied, allowed)
    // Settled here, never handed to Express: Express 4 ignores returned promises, and next(err)
    // would give control away instead of failing closed.
    void outcome
      .then(
        (settled) => settle(settled, req, res, next, state, onDenied, allowed),
        () => settle(failedCheck, req, res, next, state, onDenied, allowed),
      )
      .catch((error: unknown) => {
        // Nothing here should throw (send is total); should it ever, the request is still answered
        // and the error reported, not left as an unhandled rejection that stops the process.
        reportSafely(responderOf(state)?.onError, error)
        if (res.headersSent) res.destroy()
        else send(res, failedCheck)
      })
  }

  /** Calls `allowed` and `next()` for an allowed outcome, or answers the denial. */
  function settle(
    outcome: Outcome<P>,
    req: Request,
    res: Response,
    next: NextFunction,
    state: RequestRolegate<P> | undefined,
    onDenied: OnDenied | undefined,
    allowed: ((outcome: Allowed<P>) => void) | undefined,
  ): void {
    if (!outcome.allowed) return deny(req, res, outcome, state, onDenied)
    allowed?.(outcome)
    next()
  }

  return {
    requirePermission(permission, { mode = 'all', scope, resource, onDenied } = {}) {
      const check = guard(rolegate, { kind: 'permission', permissions: list(permission), mode })
      const inputOf = guardInputOf(scope, resource)
      return function requirePermission(req, res, next) {
        run(check, req, res, next, inputOf(req), onDenied)
      }
    },
    requireRole(role, { scope, onDenied } = {}) {
      const check = guard(rolegate, { kind: 'role', roles: list(role) })
      const inputOf = guardInputOf(scope, undefined)
      return function requireRole(req, res, next) {
        run(check, req, res, next, inputOf(req), onDenied)
      }
    },
    redactFor(resource, { scope, resource: loader, onDenied } = {}) {
      const permissions = [`${resource}:read`]
      const check = guard(rolegate, { kind: 'permission', permissions, mode: 'all' })
      const inputOf = guardInputOf(scope, loader)
      return function redactFor(req, res, next) {
        run(check, req, res, next, inputOf(req), onDenied, ({ context, ...where }) => {
          // res.send(object) goes through res.json; res.jsonp does not, so both are wrapped.
          // Every argument is redacted, not only the first: Express 4 still takes the deprecated
          // (status, body) and (body, status), and redaction leaves a number as it is.
          const redacted = (body: unknown): unknown => context.redact(resource, body, where)
          const redacting =
            (write: (...args: unknown[]) => Response) =>
            (...args: unknown[]) =>
              write(...args.map(redacted))
          res.json = redacting(res.json.bind(res))
          res.jsonp = redacting(res.jsonp.bind(res))
        })
      }
    },
  }
}

const fromRequest = (req: Request): RequestRolegate | undefined =>
  (req as { rolegate?: RequestRolegate }).rolegate

/** The rolegate to check names against when the guard is created, for the free guards. */
export interface BindOption<P extends PolicyInput> {
  /**
   * The rolegate of the app, its policy store or its whole store: names are then typed by its
   * policy and checked when the guard is created. Without it, they are checked against
   * `req.rolegate` on first use, and an unknown name denies (403) and is reported to `onError`.
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
 * app.post('/teams/:team/projects', requirePermission('projects:write', {
 *   rolegate: rg, scope: (req) => `team:${req.params.team}`,
 * }), handler)
 * ```
 */
export function requirePermission<P extends PolicyInput = PolicyInput>(
  permission: NoInfer<PermissionOf<P>> | readonly NoInfer<PermissionOf<P>>[],
  options: PermissionGuardOptions & BindOption<P> = {},
): RequestHandler {
  const stateOf = fromRequest as (req: Request) => RequestRolegate<P> | undefined
  return bindGuards(options.rolegate, stateOf).requirePermission(permission, options)
}

/**
 * Lets the request through only when one of the roles is in force in the guard's scope.
 *
 * @throws {@link UnknownRoleError} when created with a rolegate whose policy lacks a name.
 * @example
 * ```ts
 * app.delete('/users/:id', requireRole('admin', { rolegate: rg }), handler)
 * ```
 */
export function requireRole<P extends PolicyInput = PolicyInput>(
  role: NoInfer<RoleOf<P>> | readonly NoInfer<RoleOf<P>>[],
  options: RoleGuardOptions & BindOption<P> = {},
): RequestHandler {
  const stateOf = fromRequest as (req: Request) => RequestRolegate<P> | undefined
  return bindGuards(options.rolegate, stateOf).requireRole(role, options)
}

/**
 * Requires `resource:read`, then passes every `res.json` body (arrays element by element) through
 * the context's `redact`, so fields the caller may not read never leave the server.
 *
 * @throws {@link UnknownPermissionError} when created with a rolegate whose policy lacks the resource.
 * @example
 * ```ts
 * app.get('/customers/:id', redactFor('customers', { rolegate: rg }), (req, res) => {
 *   res.json(customer) // without customers.address.bcc for a support agent
 * })
 * ```
 */
export function redactFor<P extends PolicyInput = PolicyInput>(
  resource: NoInfer<ResourceOf<P>>,
  options: RedactOptions & BindOption<P> = {},
): RequestHandler {
  const stateOf = fromRequest as (req: Request) => RequestRolegate<P> | undefined
  return bindGuards(options.rolegate, stateOf).redactFor(resource, options)
}
