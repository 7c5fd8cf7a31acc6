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

/** The same route, handler and subject middleware for every variant; only the guard differs. */
function app(guard: Middleware | undefined, before?: Middleware): RequestListener {
  const app = new Koa()
  app.use(async (ctx, next) => {
    ctx.state.user = userFromHeader(ctx.get(USER_HEADER) || undefined)
    await next()
  })
  if (before !== undefined) app.use(before)
  const router = new Router()
  const handler: Middleware = (ctx) => {
    ctx.body = BODY
  }
  if (guard === undefined) router.get(ROUTE, handler)
  else router.get(ROUTE, guard, handler)
  app.use(router.routes())
  const callback = app.callback()
  return (req, res) => void callback(req, res)
}

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

/** The Koa 3 app for one variant, routed by @koa/router. */
export function koaApp(
  variant: Variant,
  guards: Readonly<Record<HandWritten, Decide>>,
): RequestListener {
  switch (variant) {
    case 'none':
      return app(undefined)
    case 'rolegate': {
      // rolegate's documented use: app.use(authz), then authz.requirePermission on the route; the
      // subject is ctx.state.user, which the subject middleware sets, as koa-passport would.
      const authz = rolegate(httpRolegate(), { onError: () => {} })
      return app(authz.requirePermission(PERMISSION), authz)
    }
    case 'set':
    case 'casl':
    case 'casl-cached':
    case 'casbin':
      return app(handWritten(guards[variant]))
  }
}
