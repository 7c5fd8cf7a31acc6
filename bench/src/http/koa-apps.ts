import type { RequestListener } from 'node:http'
import Router from '@koa/router'
import { rolegate } from '@rolegate/koa'
import Koa, { type Middleware } from 'koa'
import type { User } from '../policies/neutral.js'
import {
  BODY,
  FORBIDDEN,
  PERMISSION,
  ROUTE,
  USER_HEADER,
  httpRolegate,
  userFromHeader,
  type Decide,
  type HandWritten,
  type Variant,
} from './guards.js'

/** One variant's middleware: `use` for the app, in order, and `route` for `GET /customers`. */
export interface KoaChain {
  readonly use: readonly Middleware[]
  readonly route: readonly Middleware[]
}

/** The subject middleware every variant has first: a fresh `{ id, roles }` from the header. */
const subject: Middleware = async (ctx, next) => {
  ctx.state.user = userFromHeader(ctx.get(USER_HEADER) || undefined)
  await next()
}

const handler: Middleware = (ctx) => {
  ctx.body = BODY
}

/** The no-op middleware of the `extra-` variants, app-level or on the route: it only goes on. */
const passOn: Middleware = (_ctx, next) => next()

/** A hand-written guard: 401 without a subject, 403 unless `decide` allows. */
function handWritten(decide: Decide): Middleware {
  return async (ctx, next) => {
    const user = ctx.state.user as User | undefined
    if (user !== undefined && decide(user)) {
      await next()
      return
    }
    ctx.status = user === undefined ? 401 : 403
    ctx.body = FORBIDDEN
  }
}

/** The same route, handler and subject middleware for every variant; only the guard differs. */
export function koaChain(
  variant: Variant,
  guards: Readonly<Record<HandWritten, Decide>>,
): KoaChain {
  switch (variant) {
    case 'none':
    case 'control': // the same app as none, in a server of its own
      return { use: [subject], route: [handler] }
    case 'extra-use':
      return { use: [subject, passOn], route: [handler] }
    case 'extra-route':
      return { use: [subject], route: [passOn, handler] }
    case 'extra-both':
      return { use: [subject, passOn], route: [passOn, handler] }
    case 'rolegate': {
      // rolegate's documented use: app.use(authz), then authz.requirePermission on the route; the
      // subject is ctx.state.user, which the subject middleware sets, as koa-passport would.
      const authz = rolegate(httpRolegate(), { onError: () => {} })
      return { use: [subject, authz], route: [authz.requirePermission(PERMISSION), handler] }
    }
    case 'rolegate-unmounted': {
      // The bound guard alone, which needs no app.use(authz): for apps whose handlers do not read
      // the request's rolegate. It saves the app-level middleware on every request.
      const authz = rolegate(httpRolegate(), { onError: () => {} })
      return { use: [subject], route: [authz.requirePermission(PERMISSION), handler] }
    }
    case 'set':
    case 'core':
    case 'allow-all':
    case 'casl':
    case 'casl-cached':
    case 'casbin':
      return { use: [subject], route: [handWritten(guards[variant]), handler] }
  }
}

/** The Koa 3 app for one variant, routed by @koa/router. */
export function koaApp(
  variant: Variant,
  guards: Readonly<Record<HandWritten, Decide>>,
): RequestListener {
  const { use, route } = koaChain(variant, guards)
  const app = new Koa()
  for (const middleware of use) app.use(middleware)
  const router = new Router()
  router.get(ROUTE, ...route)
  app.use(router.routes())
  const callback = app.callback()
  return (req, res) => void callback(req, res)
}
