import type Router from '@koa/router'
import type { ResourceOf } from '@rolegate/core'
import type { ParameterizedContext } from 'koa'
import { currentMember } from '../authenticate.js'
import { inOwnAccount, type Deps } from '../deps.js'
import { accountScope, type policy } from '../policy.js'
import { ProblemError } from '../problem.js'
import type { Collection, Item } from '../records.js'
import { bodyOf, textField } from '../request-body.js'

type Resource = ResourceOf<typeof policy>

/** Objects anyone with read may list and anyone with write may create. */
const CATALOG: readonly { path: string; collection: Collection; resource: Resource }[] = [
  { path: '/metering/meters', collection: 'meters', resource: 'metering.meters' },
  { path: '/metering/reports', collection: 'reports', resource: 'metering.reports' },
  { path: '/billing/plans', collection: 'plans', resource: 'billing.plans' },
  { path: '/billing/promotions', collection: 'promotions', resource: 'billing.promotions' },
]

/** Data no role creates by hand: usage comes from meter records, invoices and metrics from billing runs. */
const READ_ONLY: readonly { path: string; collection: Collection; resource: Resource }[] = [
  { path: '/metering/usage', collection: 'usage', resource: 'metering.usage' },
  { path: '/billing/invoices', collection: 'invoices', resource: 'billing.invoices' },
  { path: '/billing/metrics', collection: 'metrics', resource: 'billing.metrics' },
]

/** `name` (required) and the other plain fields of a new object; never its `id`. */
function newFields(ctx: ParameterizedContext): Record<string, unknown> {
  const body = bodyOf(ctx)
  const name = textField(body, 'name')
  if (name === undefined)
    throw new ProblemError(
      422,
      'invalid-field',
      'Invalid field',
      'A non-empty "name" is required.',
      {
        field: 'name',
      },
    )
  const fields: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(body)) {
    if (key !== 'id' && ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value
  }
  return { ...fields, name }
}

/** The Metering and Billing services: every route decides in the caller's account. */
export function serviceRoutes(router: Router, { authz, records }: Deps): void {
  const account = (ctx: ParameterizedContext): string => currentMember(ctx).account
  const list = (collection: Collection) => (ctx: ParameterizedContext) => {
    ctx.body = records.list(account(ctx), collection)
  }

  for (const { path, collection, resource } of CATALOG) {
    router.get(path, authz.requirePermission(`${resource}:read`, inOwnAccount), list(collection))
    router.post(path, authz.requirePermission(`${resource}:write`, inOwnAccount), (ctx) => {
      ctx.status = 201
      ctx.body = records.add(account(ctx), collection, newFields(ctx))
    })
  }
  for (const { path, collection, resource } of READ_ONLY) {
    router.get(path, authz.requirePermission(`${resource}:read`, inOwnAccount), list(collection))
  }

  // Querying usage is a read, though it is a POST: Analysts "view and query".
  router.post(
    '/metering/usage/query',
    authz.requirePermission('metering.usage:read', inOwnAccount),
    (ctx) => {
      const meter = textField(bodyOf(ctx), 'meter')
      const usage = records.list(account(ctx), 'usage')
      ctx.body = meter === undefined ? usage : usage.filter((u) => u.meter === meter)
    },
  )

  // A customer's `billing` (plan, balance) is Billing data: Developers see customers without it.
  router.get(
    '/metering/customers',
    authz.redactFor('metering.customers', inOwnAccount),
    list('customers'),
  )
  router.post(
    '/metering/customers',
    authz.requirePermission('metering.customers:write', inOwnAccount),
    async (ctx) => {
      const billing = bodyOf(ctx)['billing']
      // Creating a customer with billing details is also a write of those details.
      if (billing !== undefined)
        await authz.of(ctx).assert('metering.customers.billing:write', {
          scope: accountScope(account(ctx)),
        })
      const fields = newFields(ctx)
      ctx.status = 201
      ctx.body = records.add(
        account(ctx),
        'customers',
        billing === undefined ? fields : { ...fields, billing },
      )
    },
  )
  router.put(
    '/metering/customers/:id/billing',
    authz.requirePermission('metering.customers.billing:write', inOwnAccount),
    (ctx) => {
      const id = ctx.params.id ?? ''
      const customer = records.get(account(ctx), 'customers', id)
      if (customer === undefined) throw notFound('customer', id)
      const plan = textField(bodyOf(ctx), 'plan')
      if (plan === undefined || records.get(account(ctx), 'plans', plan) === undefined)
        throw new ProblemError(422, 'invalid-field', 'Invalid field', '"plan" must name a plan.', {
          field: 'plan',
        })
      const balance = (customer.billing as { balance?: unknown } | undefined)?.balance ?? 0
      ctx.body = records.update(account(ctx), 'customers', customer.id, {
        billing: { plan, balance },
      }) as Item
    },
  )
}

/** 404 for an object that is not in the caller's account (whether or not it is in another). */
export function notFound(what: string, id: string): ProblemError {
  return new ProblemError(
    404,
    'not-found',
    'Not found',
    `There is no ${what} "${id}" in your account.`,
  )
}
