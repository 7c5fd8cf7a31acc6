/**
 * Koa middleware for rolegate: `rolegate(rg)` attaches a lazily resolved role context as
 * `ctx.state.rolegate`; `requirePermission`, `requireRole` and `redactFor` guard routes and answer
 * 401, 403 or 503 with RFC 9457 problem bodies; `problemErrors()` answers the same way for what
 * `ctx.state.rolegate.assert()` throws in a handler. Works with Koa 2 and 3.
 *
 * @module
 */
import type { RequestRolegate } from '@rolegate/core'

export {
  rolegate,
  type ImpersonationOptions,
  type RolegateOptions,
  type Rolegated,
} from './middleware.js'
export {
  redactFor,
  requirePermission,
  requireRole,
  type BindOption,
  type GuardContext,
  type GuardOptions,
  type Guards,
  type PermissionGuardOptions,
  type RedactOptions,
  type RoleGuardOptions,
} from './guards.js'
export { problemErrors, type OnDenied, type ProblemErrorsOptions } from './send.js'

declare module 'koa' {
  interface DefaultState {
    /** Set by `rolegate()`: the request's role context, resolved on first use. */
    rolegate: RequestRolegate
  }
}
