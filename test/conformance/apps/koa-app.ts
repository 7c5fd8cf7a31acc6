import Router, { type RouterContext } from '@koa/router'
import { problemErrors, rolegate, requirePermission } from '@rolegate/koa'
import type Koa from 'koa'
import type { Next, ParameterizedContext } from 'koa'
import { customerEntities, type Deps } from '../fixtures.js'

/** The Koa class of Koa 2 or 3. */
export type KoaClass = typeof Koa

const reply = (route: string) => (ctx: RouterContext) => {
  ctx.body = { route, ...ctx.params }
}

/**
 * What Express's method-override does by default: a POST may name another method in
 * `X-HTTP-Method-Override`. Installed so the suite shows it cannot change what is checked.
 */
async function methodOverride(ctx: ParameterizedContext, next: Next): Promise<void> {
  const method = ctx.get('x-http-method-override')
  if (ctx.method === 'POST' && method !== '') ctx.method = method.toUpperCase()
  await next()
}

/** The conformance app on Koa: the same routes and guards as `createExpressApp`. */
export function createKoaApp(KoaApp: KoaClass, deps: Deps): Koa {
  const team = (ctx: { params: Record<string, string> }): string => `team:${ctx.params.team ?? ''}`
  const customer = (ctx: { params: Record<string, string> }) => deps.loadCustomer(ctx.params.id)
  const authz = rolegate(deps.rg, {
    subject: (ctx) => deps.subjectFor(ctx.get('x-test-user') || undefined),
    store: deps.store,
    impersonation: {
      permission: 'customers:impersonate',
      loadSubject: (id) => deps.loadSubject(id),
      role: (ctx) => ctx.get('x-act-as-role'),
      roles: ['viewer'],
    },
    audit: (event) => deps.audit(event),
    onError: (error) => deps.onError(error),
    wwwAuthenticate: 'Bearer realm="rolegate-test"',
  })

  const router = new Router()
  router.get('/invoices', authz.requirePermission('invoices:read'), reply('GET /invoices'))
  router.post('/invoices', authz.requirePermission('invoices:write'), reply('POST /invoices'))
  router.get(
    '/reports/export',
    authz.requirePermission(['reports:read', 'reports:export']),
    reply('GET /reports/export'),
  )
  router.get(
    '/reports/summary',
    authz.requirePermission(['invoices:write', 'reports:read'], { mode: 'any' }),
    reply('GET /reports/summary'),
  )
  router.post(
    '/teams/:team/projects',
    authz.requirePermission('projects:write', { scope: team }),
    reply('POST /teams/:team/projects'),
  )
  router.get(
    '/teams/:team/settings',
    authz.requireRole(['project_lead', 'admin'], { scope: team }),
    reply('GET /teams/:team/settings'),
  )
  // The scope straight from the query string, which a repeated parameter makes a list.
  router.get(
    '/team-settings',
    authz.requireRole(['project_lead', 'admin'], { scope: (ctx) => ctx.query.team as string }),
    reply('GET /team-settings'),
  )
  router.delete('/users/:id', authz.requireRole('admin'), reply('DELETE /users/:id'))
  router.get('/customer-entities', authz.redactFor('customers'), (ctx) => {
    ctx.body = customerEntities()
  })
  router.get('/customers', authz.redactFor('customers'), (ctx) => {
    ctx.body = [...deps.customers.values()]
  })
  router.get(
    '/customers/:id',
    authz.requirePermission('customers:read', { resource: customer }),
    reply('GET /customers/:id'),
  )
  router.get(
    '/customers/:id/profile',
    authz.redactFor('customers', { resource: customer }),
    async (ctx) => {
      ctx.body = await deps.loadCustomer(ctx.params.id)
    },
  )
  router.get('/whoami', authz.requirePermission('profile:read'), async (ctx) => {
    const rgCtx = await ctx.state.rolegate.context()
    ctx.body = {
      subject: rgCtx?.subject.id,
      actor: rgCtx?.actor.id,
      impersonating: rgCtx?.impersonating,
    }
  })
  router.options('/exports', authz.requirePermission('reports:export'), (ctx) => {
    ctx.status = 204
  })
  router.get('/invoices/assert', async (ctx) => {
    await ctx.state.rolegate.assert('invoices:write')
    reply('GET /invoices/assert')(ctx)
  })
  router.get('/free/unbound', requirePermission('invoices:read'), reply('GET /free/unbound'))
  router.get(
    '/free/bound',
    requirePermission('invoices:read', { rolegate: deps.rg }),
    reply('GET /free/bound'),
  )

  const app = new KoaApp()
  app.silent = true
  app.use(methodOverride)
  app.use(problemErrors())
  app.use(authz)
  app.use(router.routes()).use(router.allowedMethods())
  return app
}
