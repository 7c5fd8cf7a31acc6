import {
  contextResolver,
  createRolegate,
  memoryAssignmentStore,
  RolegateError,
  unauthorizedProblem,
  type AssignmentStore,
  type AuditHook,
  type ContextResolver,
  type Rolegate,
  type Subject,
} from '@rolegate/core'
import { problemErrors, rolegate } from '@rolegate/express'
import express, { type Express, type Request } from 'express'
import { billingJob, type RunBillingJob } from './billing-job.js'
import { createData, type BillRunData } from './data.js'
import { demoSubject } from './demo-users.js'
import { mountOidcLogin, type OidcOptions } from './oidc.js'
import { policy, type BillRunPolicy } from './policy.js'
import { answerErrors, invalidRequest, notFound, sendProblem } from './send-problem.js'

/** Options of {@link createApp}; every one has an in-memory default. */
export interface AppOptions {
  /** The compiled policy. @defaultValue `createRolegate({ policy })` */
  readonly rolegate?: Rolegate<BillRunPolicy>
  /** Local users' roles. @defaultValue an in-memory store */
  readonly store?: AssignmentStore
  /** Subject → role context; the Redis resolver plugs in here. @defaultValue reads `store` */
  readonly resolve?: ContextResolver<BillRunPolicy>
  /** Log in with an OpenID Provider. @defaultValue no login routes */
  readonly oidc?: OidcOptions
  /**
   * Accept `Authorization: Bearer demo-<user>` for the users of `demo-users.ts`. Only `server.ts`
   * turns it on, and never with `NODE_ENV=production`.
   * @defaultValue false
   */
  readonly demo?: boolean
  /** Receives every guard decision. @defaultValue none */
  readonly audit?: AuditHook
  /** @defaultValue `() => new Date()` */
  readonly now?: () => Date
}

/** The app and what tests and jobs need from it. */
export interface BillRunApp {
  readonly app: Express
  readonly rolegate: Rolegate<BillRunPolicy>
  readonly store: AssignmentStore
  readonly data: BillRunData
  /** The background billing job, bound to this app's resolver and data. */
  readonly runBillingJob: RunBillingJob
}

const CYCLE = /^\d{4}-(0[1-9]|1[0-2])$/
const CURRENCY = /^[A-Z]{3}$/

/** The authenticated subject: a Passport session's user (OIDC), or a demo token in demo mode. */
function authenticator(demo: boolean): (req: Request) => Subject | undefined {
  const sessionUser = (req: Request): Subject | undefined => req.user as Subject | undefined
  return demo ? (req) => demoSubject(req) ?? sessionUser(req) : sessionUser
}

/** The `:id` route parameter (Express 5 types parameters as `string | string[]`). */
const idOf = (req: Request): string => String(req.params['id'])

const isRecord = (body: unknown): body is Record<string, unknown> =>
  typeof body === 'object' && body !== null && !Array.isArray(body)

/**
 * BillRun's API: four coarse roles, the most permissive applies, admin supersedes, local roles
 * take effect on the next request, OIDC roles only from an explicit mapping, and the billing run
 * decides alike over HTTP and as a background job.
 */
export function createApp(options: AppOptions = {}): BillRunApp {
  const rg = options.rolegate ?? createRolegate({ policy })
  const store = options.store ?? memoryAssignmentStore({ rolegate: rg })
  const resolve = options.resolve ?? contextResolver({ rolegate: rg, store })
  const now = options.now ?? (() => new Date())
  const data = createData()
  const runBillingJob = billingJob({ resolve, data, now })
  const authenticate = authenticator(options.demo === true)
  const authz = rolegate(rg, {
    subject: authenticate,
    resolve,
    ...(options.audit === undefined ? {} : { audit: options.audit }),
  })

  const app = express()
  app.use(express.json())
  if (options.oidc !== undefined) mountOidcLogin(app, rg, options.oidc)
  app.use(authz)

  app.get('/me', async (req, res) => {
    const ctx = await authz.of(req).context()
    if (ctx === undefined) sendProblem(res, unauthorizedProblem())
    else res.json({ id: ctx.subject.id, roles: ctx.roles().inForce })
  })

  // Operations: price plans.
  app.get('/plans', authz.requirePermission('operations.plans:read'), (_req, res) => {
    res.json({ plans: data.plans() })
  })
  app.put('/plans/:id', authz.requirePermission('operations.plans:write'), (req, res) => {
    const { name, monthlyPrice } = isRecord(req.body) ? req.body : {}
    if (
      (name !== undefined && typeof name !== 'string') ||
      (monthlyPrice !== undefined && !(Number.isInteger(monthlyPrice) && Number(monthlyPrice) >= 0))
    ) {
      sendProblem(res, invalidRequest('Send { "name"?: string, "monthlyPrice"?: cents }.'))
      return
    }
    const change = {
      ...(name === undefined ? {} : { name }),
      ...(monthlyPrice === undefined ? {} : { monthlyPrice: Number(monthlyPrice) }),
    }
    const plan = data.updatePlan(idOf(req), change)
    if (plan === undefined) sendProblem(res, notFound(`There is no plan "${idOf(req)}".`))
    else res.json(plan)
  })

  // CRM: customers.
  app.get('/customers', authz.requirePermission('crm.customers:read'), (_req, res) => {
    res.json({ customers: data.customers() })
  })
  app.post('/customers', authz.requirePermission('crm.customers:write'), (req, res) => {
    const { name, planId } = isRecord(req.body) ? req.body : {}
    if (typeof name !== 'string' || name === '' || typeof planId !== 'string') {
      sendProblem(res, invalidRequest('Send { "name": string, "planId": string }.'))
    } else if (data.plan(planId) === undefined) {
      sendProblem(res, invalidRequest(`There is no plan "${planId}".`))
    } else res.status(201).json(data.addCustomer({ name, planId }))
  })

  // Billing: invoices and billing runs.
  app.get('/invoices', authz.requirePermission('billing.invoices:read'), (_req, res) => {
    res.json({ invoices: data.invoices() })
  })
  app.get('/billing/runs', authz.requirePermission('billing.runs:read'), (_req, res) => {
    res.json({ runs: data.runs() })
  })
  app.post('/billing/runs', authz.requirePermission('billing.runs:execute'), async (req, res) => {
    const { cycle } = isRecord(req.body) ? req.body : {}
    if (typeof cycle !== 'string' || !CYCLE.test(cycle)) {
      sendProblem(res, invalidRequest('Send { "cycle": "YYYY-MM" }.'))
      return
    }
    // The same job a scheduler runs, for the same subject: it checks the policy again itself.
    res.status(201).json(await runBillingJob(authenticate(req) as Subject, cycle))
  })

  // Reports: dashboards for read, write and reports; exports for reports only.
  app.get('/reports', authz.requirePermission('reports:read'), (_req, res) => {
    const invoices = data.invoices()
    res.json({
      customers: data.customers().length,
      invoices: invoices.length,
      revenue: invoices.reduce((sum, i) => sum + i.amount, 0),
    })
  })
  app.get('/reports/export', authz.requirePermission('reports:export'), (_req, res) => {
    const rows = data.invoices().map((i) => `${i.id},${i.customerId},${i.cycle},${i.amount}`)
    res.type('text/csv').send(['invoice,customer,cycle,amount', ...rows].join('\n') + '\n')
  })

  // System configuration and user administration: admin only.
  app.get('/config', authz.requirePermission('config:read'), (_req, res) => {
    res.json(data.config())
  })
  app.put('/config', authz.requirePermission('config:write'), (req, res) => {
    const { currency, invoiceDay } = isRecord(req.body) ? req.body : {}
    if (
      typeof currency !== 'string' ||
      !CURRENCY.test(currency) ||
      !Number.isInteger(invoiceDay) ||
      Number(invoiceDay) < 1 ||
      Number(invoiceDay) > 28
    ) {
      sendProblem(res, invalidRequest('Send { "currency": "EUR", "invoiceDay": 1-28 }.'))
      return
    }
    res.json(data.setConfig({ currency, invoiceDay: Number(invoiceDay) }))
  })
  app.get('/admin/users', authz.requireRole('admin'), async (_req, res) => {
    const holders = await Promise.all(
      rg.policy.roles.map(async ({ name }) => [name, await store.list({ role: name })] as const),
    )
    const users = new Map<string, string[]>()
    for (const [role, ids] of holders)
      for (const id of ids) users.set(id, [...(users.get(id) ?? []), role])
    const list = [...users].map(([id, roles]) => ({ id, roles }))
    res.json({ users: list.sort((a, b) => a.id.localeCompare(b.id)) })
  })
  app.put('/admin/users/:id/roles', authz.requireRole('admin'), async (req, res) => {
    const { roles } = isRecord(req.body) ? req.body : {}
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) {
      sendProblem(res, invalidRequest('Send { "roles": [role names] }.'))
      return
    }
    try {
      // Takes effect on the subject's next request: every request reads the store.
      await store.set(idOf(req), { roles, scoped: {} })
    } catch (error) {
      if (!(error instanceof RolegateError && error.code === 'ERR_ROLEGATE_ASSIGNMENT_REJECTED'))
        throw error
      sendProblem(res, {
        type: 'urn:rolegate-example:problem:assignment-refused',
        title: 'Assignment refused',
        status: 422,
        detail: error.message,
      })
      return
    }
    res.json({ id: idOf(req), roles })
  })

  app.use((req, res) => sendProblem(res, notFound(`No route for ${req.method} ${req.path}.`)))
  // rolegate's 401, 403 and 503 thrown by handlers, then the app's own errors.
  app.use(problemErrors(), answerErrors())
  return { app, rolegate: rg, store, data, runBillingJob }
}
