import {
  contextResolver,
  liveRolegate,
  memoryAssignmentStore,
  memoryPolicyStore,
  missingPermissionProblem,
  unauthorizedProblem,
  type AssignmentStore,
  type AuditHook,
  type ContextResolver,
  type PermissionOf,
  type PolicyStore,
  type Rolegate,
  type Subject,
} from '@rolegate/core'
import { problemErrors, rolegate } from '@rolegate/express'
import express, { type Express, type Request, type RequestHandler } from 'express'
import { adminRoutes } from './admin-routes.js'
import { createData, PANELS, type Panel, type PortaBillingData } from './data.js'
import { demoSubject } from './demo-users.js'
import { conditions, DEFAULT_ROLES, policy, type PortaBillingPolicy } from './policy.js'
import { idOf, isRecord } from './read-request.js'
import { answerErrors, invalidRequest, notFound, sendProblem } from './send-problem.js'

/** Options of {@link createApp}; every one has an in-memory default. */
export interface AppOptions {
  /** Custom roles; `@rolegate/redis`'s policy store plugs in here. @defaultValue in memory */
  readonly roles?: PolicyStore<PortaBillingPolicy>
  /** Users' types, roles and ACLs. @defaultValue an in-memory store */
  readonly store?: AssignmentStore
  /** Subject → role context; the Redis resolver plugs in here. @defaultValue reads `store` */
  readonly resolve?: ContextResolver<PortaBillingPolicy>
  /** Reads your login's user. @defaultValue `req.user`, as Passport leaves it */
  readonly authenticate?: (req: Request) => Subject | undefined
  /**
   * Accept `Authorization: Bearer demo-<user>` for the users of `demo-users.ts`. Only `server.ts`
   * turns it on, and never with `NODE_ENV=production`.
   * @defaultValue false
   */
  readonly demo?: boolean
  /** Receives every guard decision, naming the real administrator when one acts for a customer. */
  readonly audit?: AuditHook
}

/** The app and what tests need from it. */
export interface PortaBillingApp {
  readonly app: Express
  /** Always the rolegate in force: the policy in code plus the custom roles. */
  readonly rolegate: Rolegate<PortaBillingPolicy>
  readonly roles: PolicyStore<PortaBillingPolicy>
  readonly store: AssignmentStore
  readonly data: PortaBillingData
}

const SELF_CARE_DEFAULTS: readonly (typeof DEFAULT_ROLES)[keyof typeof DEFAULT_ROLES][] =
  Object.values(DEFAULT_ROLES)

/** `x-act-as-role` may only name a default self-care role, and only with `x-act-as`. */
const checkActAsRole: RequestHandler = function checkActAsRole(req, res, next) {
  const role = req.get('x-act-as-role')
  if (role === undefined) return next()
  if (req.get('x-act-as') === undefined)
    return sendProblem(res, invalidRequest('x-act-as-role needs x-act-as.'))
  if (!(SELF_CARE_DEFAULTS as readonly string[]).includes(role))
    return sendProblem(
      res,
      invalidRequest(`x-act-as-role must be one of: ${SELF_CARE_DEFAULTS.join(', ')}.`),
    )
  next()
}

/**
 * PortaBilling's API: the customer resource tree with panels and items, Restrict / Read / Modify,
 * role types, custom roles created at run time, ACLs beside roles, and administrators acting on
 * behalf of a customer with its own role or the default one, audited under their own name.
 */
export function createApp(options: AppOptions = {}): PortaBillingApp {
  const roles = options.roles ?? memoryPolicyStore({ policy, conditions })
  // Custom roles change the policy at run time: every part is given the policy store, and so
  // decides with the roles in force.
  const store = options.store ?? memoryAssignmentStore({ rolegate: roles })
  const resolve = options.resolve ?? contextResolver({ rolegate: roles, store })
  const data = createData()
  const login = options.authenticate ?? ((req: Request) => req.user as Subject | undefined)
  const authenticate =
    options.demo === true ? (req: Request) => demoSubject(req) ?? login(req) : login

  const authz = rolegate(roles, {
    subject: authenticate,
    resolve,
    ...(options.audit === undefined ? {} : { audit: options.audit }),
    impersonation: {
      permission: 'customer:impersonate',
      target: 'x-act-as',
      // Only a customer's self-care can be entered on its behalf.
      loadSubject: async (id) => ((await store.get(id))?.type === 'customer' ? { id } : undefined),
      role: (req) => req.get('x-act-as-role'),
      roles: SELF_CARE_DEFAULTS,
    },
  })
  const loadCustomer = (req: Request) => data.customer(idOf(req))
  const loadAccount = (req: Request) => data.account(idOf(req))

  const app = express()
  app.use(express.json(), checkActAsRole, authz)

  app.get('/me', async (req, res) => {
    const ctx = await authz.of(req).context()
    if (ctx === undefined) return sendProblem(res, unauthorizedProblem())
    const { subject, actor } = ctx
    res.json({ id: subject.id, type: subject.type, roles: ctx.roles().inForce, actor: actor.id })
  })

  // Customers: redacted item by item for the caller, edited panel by panel.
  app.get('/customers', authz.redactFor('customer'), (_req, res) => {
    res.json(data.customers())
  })
  app.get('/customers/:id', authz.redactFor('customer', { resource: loadCustomer }), (req, res) => {
    const customer = loadCustomer(req)
    if (customer === undefined) sendProblem(res, notFound(`There is no customer "${idOf(req)}".`))
    else res.json(customer)
  })
  for (const panel of Object.keys(PANELS) as Panel[]) {
    const guard = authz.requirePermission(`customer.${panel}:write`, { resource: loadCustomer })
    app.put(`/customers/:id/${panel}`, guard, async (req, res) => {
      const customer = loadCustomer(req)
      if (customer === undefined)
        return sendProblem(res, notFound(`There is no customer "${idOf(req)}".`))
      const items: readonly string[] = PANELS[panel]
      const body: unknown = req.body
      if (
        !isRecord(body) ||
        !Object.entries(body).every(([k, v]) => items.includes(k) && typeof v === 'string')
      )
        return sendProblem(
          res,
          invalidRequest(`Send strings for items of ${panel}: ${items.join(', ')}.`),
        )
      // The panel may be writable while one of its items is restricted (Advanced mode).
      const ctx = await authz.of(req).assert(`customer.${panel}:write`, { resource: customer })
      const writable = ctx.permittedFields(`customer.${panel}`, 'write', { resource: customer })
      const item = Object.keys(body).find((key) => !writable.includes(key))
      if (item !== undefined) {
        const permission = `customer.${panel}.${item}:write` as PermissionOf<PortaBillingPolicy>
        const { reason } = ctx.explain(permission, { resource: customer })
        return sendProblem(res, missingPermissionProblem([permission], 'all', undefined, reason))
      }
      const updated = data.updatePanel(customer.id, panel, body as Record<string, string>)
      // The panel as the caller may read it: its restricted items stay hidden.
      res.json(ctx.redact(`customer.${panel}`, updated[panel], { resource: updated }))
    })
  }

  // Accounts.
  app.get('/accounts/:id', authz.redactFor('account', { resource: loadAccount }), (req, res) => {
    const account = loadAccount(req)
    if (account === undefined) sendProblem(res, notFound(`There is no account "${idOf(req)}".`))
    else res.json(account)
  })
  app.put(
    '/accounts/:id/services',
    authz.requirePermission('account.services:write', { resource: loadAccount }),
    (req, res) => {
      const { services } = isRecord(req.body) ? req.body : {}
      if (loadAccount(req) === undefined)
        return sendProblem(res, notFound(`There is no account "${idOf(req)}".`))
      if (!Array.isArray(services) || !services.every((s) => typeof s === 'string'))
        return sendProblem(res, invalidRequest('Send { "services": [names] }.'))
      res.json(data.setServices(idOf(req), services))
    },
  )

  // Products.
  app.get('/products', authz.requirePermission('product:read'), (_req, res) => {
    res.json(data.products())
  })
  app.put('/products/:id', authz.requirePermission('product:write'), (req, res) => {
    const { price } = isRecord(req.body) ? req.body : {}
    if (!Number.isInteger(price) || Number(price) < 0)
      return sendProblem(res, invalidRequest('Send { "price": cents }.'))
    const product = data.setPrice(idOf(req), Number(price))
    if (product === undefined) sendProblem(res, notFound(`There is no product "${idOf(req)}".`))
    else res.json(product)
  })

  app.use('/admin', adminRoutes({ authz, roles, store }))

  app.use((req, res) => sendProblem(res, notFound(`No route for ${req.method} ${req.path}.`)))
  // rolegate's 401, 403 and 503 thrown by handlers, then the app's own errors.
  app.use(problemErrors(), answerErrors())
  return { app, rolegate: liveRolegate(roles), roles, store, data }
}
