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

/** The same route, handler and subject middleware for every variant; only the guard differs. */
function app(guard: RequestHandler | undefined, before?: RequestHandler): Express {
  const app = express()
  app.use((req, _res, next) => {
    ;(req as { user?: unknown }).user = userFromHeader(req.get(USER_HEADER))
    next()
  })
  if (before !== undefined) app.use(before)
  const handler: RequestHandler = (_req, res) => {
    res.json(BODY)
  }
  if (guard === undefined) app.get(ROUTE, handler)
  else app.get(ROUTE, guard, handler)
  return app
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

/** The Express 5 app for one variant. */
export function expressApp(
  variant: Variant,
  guards: Readonly<Record<HandWritten, Decide>>,
): RequestListener {
  switch (variant) {
    case 'none':
      return app(undefined)
    case 'rolegate': {
      // rolegate's documented use: app.use(authz), then authz.requirePermission on the route; the
      // subject is req.user, which the subject middleware sets, as Passport would.
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
