import {
  createRolegate,
  definePolicy,
  PROBLEM_CONTENT_TYPE,
  unauthorizedProblem,
  type Problem,
} from '@rolegate/core'
import { rolegate } from '@rolegate/express'
import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Response,
} from 'express'
import session from 'express-session'
import passport from 'passport'
import request from 'supertest'

/** The policy the IdP apps guard their routes with. */
export const policy = definePolicy({
  resources: ['invoices', 'reports', 'documents'],
  roles: {
    admin: { superuser: true },
    finance: { grants: { invoices: 'write', reports: 'read' } },
    analyst: { grants: { reports: 'read' } },
    support: { grants: { invoices: 'read' } },
    standard: { grants: { documents: 'write' } },
  },
})

export const rg = createRolegate({ policy })

/** A Passport instance of its own per app, with `authenticate` typed as Express middleware. */
export type Auth = passport.Authenticator<RequestHandler, RequestHandler>

function sendProblem(res: Response, problem: Problem): void {
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem))
}

/** The guarded routes every IdP app serves, each answering `{ ok: <what it guards> }`. */
export const GUARDED = {
  'GET /invoices': 'invoices:read',
  'POST /invoices': 'invoices:write',
  'GET /reports': 'reports:read',
  'GET /admin': 'role admin',
  'GET /teams/42/documents': 'documents:write in team:42',
} as const

/** The routes, guarded by @rolegate/express reading the subject the claims helpers put in `req.user`. */
function guardedRoutes(app: Express): void {
  const authz = rolegate(rg)
  const ok = (what: string) => (_req: Request, res: Response) => void res.json({ ok: what })
  app.use(authz)
  app.get('/invoices', authz.requirePermission('invoices:read'), ok('invoices:read'))
  app.post('/invoices', authz.requirePermission('invoices:write'), ok('invoices:write'))
  app.get('/reports', authz.requirePermission('reports:read'), ok('reports:read'))
  app.get('/admin', authz.requireRole('admin'), ok('role admin'))
  app.get(
    '/teams/:team/documents',
    authz.requirePermission('documents:write', {
      scope: (req) => `team:${String(req.params['team'])}`,
    }),
    ok('documents:write in team:42'),
  )
}

/**
 * Answers a login attempt: a failure or an error is 401 with the reason as `{ error }`; success
 * logs the user in and redirects to `/me`.
 */
export function login(auth: Auth, strategy: string): RequestHandler {
  return function login(req, res, next) {
    const done = (err: unknown, user: Express.User | false | undefined, info: unknown) => {
      if (err !== null && err !== undefined) {
        res.status(401).json({ error: err instanceof Error ? err.message : 'login failed' })
      } else if (user === false || user === undefined) {
        const message = (info as { message?: unknown } | undefined)?.message
        res.status(401).json({ error: typeof message === 'string' ? message : 'Unauthorized' })
      } else {
        req.logIn(user, (loginErr) => {
          if (loginErr !== undefined && loginErr !== null) next(loginErr)
          else res.redirect('/me')
        })
      }
    }
    ;(auth.authenticate(strategy, done) as RequestHandler)(req, res, next)
  }
}

/** An Express 5 app with sessions, one Passport instance, `/me` and the guarded routes. */
export function idpApp(auth: Auth, routes: (app: Express) => void): Express {
  const app = express()
  app.use(session({ secret: 'rolegate-test', resave: false, saveUninitialized: false }))
  app.use(auth.initialize())
  app.use(auth.session())
  auth.serializeUser((user, done) => done(null, user))
  auth.deserializeUser((user: Express.User, done) => done(null, user))
  routes(app)
  app.get('/me', (req, res) => {
    if (req.user === undefined) sendProblem(res, unauthorizedProblem())
    else res.json(req.user)
  })
  guardedRoutes(app)
  const onError: ErrorRequestHandler = (err: Error, _req, res, next) => {
    if (res.headersSent) next(err)
    else res.status(500).json({ error: err.message })
  }
  app.use(onError)
  return app
}

/** Status of every guarded route for an agent, e.g. `{ 'GET /invoices': 200, … }`. */
export async function probe(
  agent: ReturnType<typeof request.agent>,
): Promise<Record<keyof typeof GUARDED, number>> {
  const entries = await Promise.all(
    Object.keys(GUARDED).map(async (route) => {
      const [method, path] = route.split(' ') as [string, string]
      const res = method === 'POST' ? await agent.post(path) : await agent.get(path)
      const what = GUARDED[route as keyof typeof GUARDED]
      if (res.status === 200 && JSON.stringify(res.body) !== JSON.stringify({ ok: what })) {
        throw new Error(`${route} answered 200 with ${res.text}`)
      }
      return [route, res.status] as const
    }),
  )
  return Object.fromEntries(entries) as Record<keyof typeof GUARDED, number>
}

/** Expected statuses: every guarded route 403 but those given. */
export function allowedOnly(
  ...allowed: (keyof typeof GUARDED)[]
): Record<keyof typeof GUARDED, number> {
  const keys = Object.keys(GUARDED) as (keyof typeof GUARDED)[]
  return Object.fromEntries(keys.map((k) => [k, allowed.includes(k) ? 200 : 403])) as Record<
    keyof typeof GUARDED,
    number
  >
}

/** Every guarded route answers 401: nobody is logged in. */
export const ALL_401: Record<keyof typeof GUARDED, number> = Object.fromEntries(
  Object.keys(GUARDED).map((k) => [k, 401]),
) as Record<keyof typeof GUARDED, number>
