import { problemErrors, rolegate, requirePermission } from '@rolegate/express'
import type { Express, Request, Response } from 'express'
import methodOverride from 'method-override'
import { customerEntities, type Deps } from '../fixtures.js'

/** `express()` of Express 4 or 5. */
export type ExpressFactory = () => Express

const reply = (route: string) => (req: Request, res: Response) => {
  res.json({ route, ...req.params })
}

/** The conformance app on Express: the same routes and guards as `createKoaApp`. */
export function createExpressApp(express: ExpressFactory, deps: Deps): Express {
  const team = (req: Request): string => `team:${String(req.params.team)}`
  const customer = (req: Request) => deps.loadCustomer(String(req.params.id))
  const authz = rolegate(deps.rg, {
    subject: (req) => deps.subjectFor(req.get('x-test-user')),
    store: deps.store,
    impersonation: {
      permission: 'customers:impersonate',
      loadSubject: (id) => deps.loadSubject(id),
      role: (req) => req.get('x-act-as-role'),
      roles: ['viewer'],
    },
    audit: (event) => deps.audit(event),
    onError: (error) => deps.onError(error),
    wwwAuthenticate: 'Bearer realm="rolegate-test"',
  })

  const app = express()
  app.use(methodOverride('X-HTTP-Method-Override'))
  app.use(authz)
  app.get('/invoices', authz.requirePermission('invoices:read'), reply('GET /invoices'))
  app.post('/invoices', authz.requirePermission('invoices:write'), reply('POST /invoices'))
  app.get(
    '/reports/export',
    authz.requirePermission(['reports:read', 'reports:export']),
    reply('GET /reports/export'),
  )
  app.get(
    '/reports/summary',
    authz.requirePermission(['invoices:write', 'reports:read'], { mode: 'any' }),
    reply('GET /reports/summary'),
  )
  app.post(
    '/teams/:team/projects',
    authz.requirePermission('projects:write', { scope: team }),
    reply('POST /teams/:team/projects'),
  )
  app.get(
    '/teams/:team/settings',
    authz.requireRole(['project_lead', 'admin'], { scope: team }),
    reply('GET /teams/:team/settings'),
  )
  // The scope straight from the query string, which a repeated parameter makes a list.
  app.get(
    '/team-settings',
    authz.requireRole(['project_lead', 'admin'], { scope: (req) => req.query.team as string }),
    reply('GET /team-settings'),
  )
  app.delete('/users/:id', authz.requireRole('admin'), reply('DELETE /users/:id'))
  app.get('/customer-entities', authz.redactFor('customers'), (_req, res) => {
    res.json(customerEntities())
  })
  app.get('/customers', authz.redactFor('customers'), (_req, res) => {
    res.json([...deps.customers.values()])
  })
  app.get(
    '/customers/:id',
    authz.requirePermission('customers:read', { resource: customer }),
    reply('GET /customers/:id'),
  )
  app.get(
    '/customers/:id/profile',
    authz.redactFor('customers', { resource: customer }),
    async (req, res) => {
      res.json(await deps.loadCustomer(String(req.params.id)))
    },
  )
  app.get('/whoami', authz.requirePermission('profile:read'), async (req, res) => {
    const ctx = await req.rolegate.context()
    res.json({ subject: ctx?.subject.id, actor: ctx?.actor.id, impersonating: ctx?.impersonating })
  })
  app.options('/exports', authz.requirePermission('reports:export'), (_req, res) => {
    res.status(204).end()
  })
  // Settled by hand rather than awaited: Express 4 does not pass a rejected handler on to next().
  app.get('/invoices/assert', (req, res, next) => {
    req.rolegate.assert('invoices:write').then(() => reply('GET /invoices/assert')(req, res), next)
  })
  app.get('/free/unbound', requirePermission('invoices:read'), reply('GET /free/unbound'))
  app.get(
    '/free/bound',
    requirePermission('invoices:read', { rolegate: deps.rg }),
    reply('GET /free/bound'),
  )
  app.use(problemErrors())
  return app
}
