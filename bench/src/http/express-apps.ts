import type { RequestListener } from 'node:http'
import { rolegate } from '@rolegate/express'
import express, { type Express, type RequestHandler } from 'express'
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
export interface ExpressChain {
  readonly use: readonly RequestHandler[]
  readonly route: readonly RequestHandler[]
}

/** The subject middleware every variant has first: a fresh `{ id, roles }` from the header. */
const subject: RequestHandler = (req, _res, next) => {
  ;(req as { user?: unknown }).user = userFromHeader(req.get(USER_HEADER))
  next()
}

const handler: RequestHandler = (_req, res) => {
  res.json(BODY)
}

/** The no-op middleware of the `extra-` variants, app-level or on the route: it only goes on. */
const passOn: RequestHandler = (_req, _res, next) => {
  next()
}

/** A hand-written guard: 401 without a subject, 403 unless `decide` allows. */
function handWritten(decide: Decide): RequestHandler {
  return (req, res, next) => {
    const user = (req as unknown as { user?: User }).user
    if (user === undefined) res.status(401).json(FORBIDDEN)
    else if (decide(user)) next()
    else res.status(403).json(FORBIDDEN)
  }
}

/** The same route, handler and subject middleware for every variant; only the guard differs. */
export function expressChain(
  variant: Variant,
  guards: Readonly<Record<HandWritten, Decide>>,
): ExpressChain {
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
      // subject is req.user, which the subject middleware sets, as Passport would.
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

/** The Express 5 app for one variant. */
export function expressApp(
  variant: Variant,
  guards: Readonly<Record<HandWritten, Decide>>,
): RequestListener {
  const { use, route } = expressChain(variant, guards)
  const app: Express = express()
  for (const middleware of use) app.use(middleware)
  app.get(ROUTE, ...route)
  return app
}
