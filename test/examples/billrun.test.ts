import { createApp, type AppOptions, type BillRunApp } from '@rolegate-example/billrun'
import {
  DEMO_USERS,
  demoInstructions,
  demoRequests,
  demoSubject,
  seedDemoUsers,
} from '@rolegate-example/billrun/demo-users'
import type { Request } from 'express'
import { describe, expect, test } from 'vitest'
import {
  assignmentRefused,
  invalidRequest,
  missingPermission,
  missingRole,
  notFound,
  UNAUTHENTICATED,
} from './support/problem-bodies.js'
import { bodyOf, sendAsDemoUser, type DemoCall } from './support/send-as-demo-user.js'

const NOW = new Date('2025-07-01T02:00:00.000Z')
const USERS = ['ada', 'otto', 'rita', 'rex', 'mira', 'nina'] as const
type User = (typeof USERS)[number]

/** A fresh app with the demo users seeded, in demo mode, on a fixed clock. */
async function demoApp(options: AppOptions = {}): Promise<BillRunApp> {
  const billrun = createApp({ demo: true, now: () => NOW, ...options })
  await seedDemoUsers(billrun.store)
  return billrun
}

const PLANS = [
  { id: 'basic', name: 'Basic', monthlyPrice: 1500 },
  { id: 'pro', name: 'Pro', monthlyPrice: 4900 },
]
const CUSTOMERS = [
  { id: 'c-1', name: 'Acme Ltd', planId: 'pro' },
  { id: 'c-2', name: 'Globex', planId: 'basic' },
  { id: 'c-3', name: 'Initech', planId: 'basic' },
]

interface Route extends Omit<DemoCall, 'user'> {
  /** Who may: the seed's roles, through the demo users (ada admin, otto write, rita read, rex reports, mira read+reports, nina none). */
  readonly allowed: readonly User[]
  /** Status and body when allowed. */
  readonly ok: (user: User) => readonly [status: number, body: unknown]
  /** The body when an authenticated user is refused. */
  readonly refused: unknown
}

const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/me',
    allowed: USERS,
    ok: (user) => [200, { id: user, roles: DEMO_USERS.find((u) => u.id === user)?.roles }],
    refused: undefined,
  },
  {
    method: 'GET',
    path: '/plans',
    allowed: ['ada', 'otto', 'rita', 'mira'],
    ok: () => [200, { plans: PLANS }],
    refused: missingPermission('operations.plans:read'),
  },
  {
    method: 'PUT',
    path: '/plans/basic',
    body: { monthlyPrice: 1900 },
    allowed: ['ada', 'otto'],
    ok: () => [200, { id: 'basic', name: 'Basic', monthlyPrice: 1900 }],
    refused: missingPermission('operations.plans:write'),
  },
  {
    method: 'GET',
    path: '/customers',
    allowed: ['ada', 'otto', 'rita', 'mira'],
    ok: () => [200, { customers: CUSTOMERS }],
    refused: missingPermission('crm.customers:read'),
  },
  {
    method: 'POST',
    path: '/customers',
    body: { name: 'Hooli', planId: 'pro' },
    allowed: ['ada', 'otto'],
    ok: () => [201, { id: 'c-4', name: 'Hooli', planId: 'pro' }],
    refused: missingPermission('crm.customers:write'),
  },
  {
    method: 'GET',
    path: '/invoices',
    allowed: ['ada', 'otto', 'rita', 'mira'],
    ok: () => [200, { invoices: [] }],
    refused: missingPermission('billing.invoices:read'),
  },
  {
    method: 'GET',
    path: '/billing/runs',
    allowed: ['ada', 'otto', 'rita', 'mira'],
    ok: () => [200, { runs: [] }],
    refused: missingPermission('billing.runs:read'),
  },
  {
    method: 'POST',
    path: '/billing/runs',
    body: { cycle: '2025-06' },
    allowed: ['ada', 'otto'],
    ok: (user) => [
      201,
      {
        id: 'run-1',
        cycle: '2025-06',
        startedBy: user,
        startedAt: NOW.toISOString(),
        invoices: ['inv-1', 'inv-2', 'inv-3'],
      },
    ],
    refused: missingPermission('billing.runs:execute'),
  },
  {
    method: 'GET',
    path: '/reports',
    allowed: ['ada', 'otto', 'rita', 'rex', 'mira'],
    ok: () => [200, { customers: 3, invoices: 0, revenue: 0 }],
    refused: missingPermission('reports:read'),
  },
  {
    method: 'GET',
    path: '/reports/export',
    allowed: ['ada', 'rex', 'mira'],
    ok: () => [200, 'invoice,customer,cycle,amount\n'],
    refused: missingPermission('reports:export'),
  },
  {
    method: 'GET',
    path: '/config',
    allowed: ['ada'],
    ok: () => [200, { currency: 'EUR', invoiceDay: 1 }],
    refused: missingPermission('config:read'),
  },
  {
    method: 'PUT',
    path: '/config',
    body: { currency: 'USD', invoiceDay: 15 },
    allowed: ['ada'],
    ok: () => [200, { currency: 'USD', invoiceDay: 15 }],
    refused: missingPermission('config:write'),
  },
  {
    method: 'GET',
    path: '/admin/users',
    allowed: ['ada'],
    ok: () => [
      200,
      {
        users: [
          { id: 'ada', roles: ['admin'] },
          { id: 'mira', roles: ['read', 'reports'] },
          { id: 'otto', roles: ['write'] },
          { id: 'rex', roles: ['reports'] },
          { id: 'rita', roles: ['read'] },
        ],
      },
    ],
    refused: missingRole('admin'),
  },
  {
    method: 'PUT',
    path: '/admin/users/nina/roles',
    body: { roles: ['read'] },
    allowed: ['ada'],
    ok: () => [200, { id: 'nina', roles: ['read'] }],
    refused: missingRole('admin'),
  },
]

/** Every demo user, and nobody, through every route. */
const TABLE = ROUTES.flatMap(({ allowed, ok, refused, ...call }) => [
  ...USERS.map((user) => {
    const [status, body] = allowed.includes(user) ? ok(user) : [403, refused]
    return { ...call, user, status, expected: body }
  }),
  { ...call, user: undefined, status: 401, expected: UNAUTHENTICATED },
])

describe('BillRun example: four coarse roles over HTTP', () => {
  test('the table covers every route for every demo user and for nobody', () => {
    expect(TABLE).toHaveLength(ROUTES.length * (USERS.length + 1))
    expect(DEMO_USERS.map((u) => u.id)).toEqual(USERS)
  })

  test.each(TABLE)('$user: $method $path → $status', async ({ status, expected, ...call }) => {
    const { app } = await demoApp()
    const res = await sendAsDemoUser(app, call)
    expect([res.status, bodyOf(res)]).toEqual([status, expected])
  })

  test('several roles: the most permissive applies (mira holds read and reports)', async () => {
    const { app } = await demoApp()
    const statuses = await Promise.all(
      ['/customers', '/reports/export', '/config'].map(
        async (path) => (await sendAsDemoUser(app, { user: 'mira', method: 'GET', path })).status,
      ),
    )
    expect(statuses).toEqual([200, 200, 403])
  })
})

describe('BillRun example: local users, role changes on the next request', () => {
  test('a role given by the admin API applies to the very next request, and so does its removal', async () => {
    const { app } = await demoApp()
    const createCustomer = () =>
      sendAsDemoUser(app, {
        user: 'rita',
        method: 'POST',
        path: '/customers',
        body: { name: 'Hooli', planId: 'pro' },
      })
    const setRoles = (roles: string[]) =>
      sendAsDemoUser(app, {
        user: 'ada',
        method: 'PUT',
        path: '/admin/users/rita/roles',
        body: { roles },
      })
    expect((await createCustomer()).status).toBe(403)
    expect((await setRoles(['read', 'write'])).status).toBe(200)
    const created = await createCustomer()
    expect([created.status, created.body]).toEqual([
      201,
      { id: 'c-4', name: 'Hooli', planId: 'pro' },
    ])
    expect((await setRoles([])).status).toBe(200)
    const after = await createCustomer()
    expect([after.status, bodyOf(after)]).toEqual([403, missingPermission('crm.customers:write')])
    const customers = await sendAsDemoUser(app, { user: 'rita', method: 'GET', path: '/customers' })
    expect(customers.status).toBe(403)
  })

  test('an unknown role is refused with 422 and changes nothing', async () => {
    const { app, store } = await demoApp()
    const res = await sendAsDemoUser(app, {
      user: 'ada',
      method: 'PUT',
      path: '/admin/users/rita/roles',
      body: { roles: ['read', 'superuser'] },
    })
    expect([res.status, bodyOf(res)]).toEqual([
      422,
      assignmentRefused('Assignment for subject "rita" refused: unknown role "superuser" globally'),
    ])
    expect(await store.get('rita')).toEqual({ roles: ['read'], scoped: {} })
  })

  test.each([
    ['PUT', '/admin/users/rita/roles', { roles: 'admin' }, 'Send { "roles": [role names] }.'],
    [
      'PUT',
      '/plans/basic',
      { monthlyPrice: -1 },
      'Send { "name"?: string, "monthlyPrice"?: cents }.',
    ],
    ['POST', '/customers', { name: 'Hooli' }, 'Send { "name": string, "planId": string }.'],
    ['POST', '/customers', { name: 'Hooli', planId: 'gold' }, 'There is no plan "gold".'],
    ['POST', '/billing/runs', { cycle: '2025-13' }, 'Send { "cycle": "YYYY-MM" }.'],
    [
      'PUT',
      '/config',
      { currency: 'euro', invoiceDay: 1 },
      'Send { "currency": "EUR", "invoiceDay": 1-28 }.',
    ],
  ] as const)('%s %s with %j → 400', async (method, path, body, detail) => {
    const { app } = await demoApp()
    const res = await sendAsDemoUser(app, { user: 'ada', method, path, body })
    expect([res.status, bodyOf(res)]).toEqual([400, invalidRequest(detail)])
  })

  test('a body that is not JSON is a 400 problem, an unknown plan or route a 404 problem', async () => {
    const { app } = await demoApp()
    const malformed = await sendAsDemoUser(app, {
      user: 'ada',
      method: 'PUT',
      path: '/config',
      headers: { 'content-type': 'application/json' },
      body: '{"currency":',
    })
    const plan = await sendAsDemoUser(app, {
      user: 'ada',
      method: 'PUT',
      path: '/plans/gold',
      body: { name: 'Gold' },
    })
    const route = await sendAsDemoUser(app, { user: 'ada', method: 'GET', path: '/nowhere' })
    expect([malformed, plan, route].map((res) => [res.status, bodyOf(res)])).toEqual([
      [400, invalidRequest('The body is not valid JSON.')],
      [404, notFound('There is no plan "gold".')],
      [404, notFound('No route for GET /nowhere.')],
    ])
  })
})

describe('BillRun example: the billing job decides as the API does', () => {
  test.each(USERS)(
    '%s: POST /billing/runs and the background job give the same decision',
    async (user) => {
      const api = await demoApp()
      const job = await demoApp()
      const http = await sendAsDemoUser(api.app, {
        user,
        method: 'POST',
        path: '/billing/runs',
        body: { cycle: '2025-06' },
      })
      const run = await job.runBillingJob({ id: user }, '2025-06').then(
        (result) => ({ status: 201, body: result }),
        (error: { status: number; problem: unknown }) => ({
          status: error.status,
          body: error.problem,
        }),
      )
      expect(run).toEqual({ status: http.status, body: bodyOf(http) })
    },
  )

  test('a job scheduled by a user who lost the role meanwhile is refused when it runs', async () => {
    const { store, runBillingJob, data } = await demoApp()
    const scheduled = { id: 'otto' }
    await store.revoke('otto', 'write')
    await expect(runBillingJob(scheduled, '2025-06')).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_FORBIDDEN',
      status: 403,
      problem: missingPermission('billing.runs:execute'),
    })
    expect(data.invoices()).toEqual([])
  })

  test('a job bills each customer once per cycle', async () => {
    const { runBillingJob, data } = await demoApp()
    await runBillingJob({ id: 'otto' }, '2025-06')
    const again = await runBillingJob({ id: 'ada' }, '2025-06')
    expect([again.invoices, data.invoices()]).toEqual([
      [],
      [
        { id: 'inv-1', customerId: 'c-1', cycle: '2025-06', amount: 4900 },
        { id: 'inv-2', customerId: 'c-2', cycle: '2025-06', amount: 1500 },
        { id: 'inv-3', customerId: 'c-3', cycle: '2025-06', amount: 1500 },
      ],
    ])
  })
})

describe('BillRun example: demo mode', () => {
  test('demo tokens are refused unless the app is created with demo: true', async () => {
    const off = createApp()
    await seedDemoUsers(off.store)
    const res = await sendAsDemoUser(off.app, { user: 'ada', method: 'GET', path: '/config' })
    expect([res.status, bodyOf(res)]).toEqual([401, UNAUTHENTICATED])
  })

  test.each([
    ['Bearer demo-ada', { id: 'ada' }],
    ['Bearer demo-nina', { id: 'nina' }],
    ['Bearer demo-mallory', undefined],
    ['Bearer demo-ADA', undefined],
    ['Bearer demo-ada ', undefined],
    ['Basic demo-ada', undefined],
    ['demo-ada', undefined],
    [undefined, undefined],
  ])('demoSubject reads %j as %j', (authorization, subject) => {
    const req = { get: (name: string) => (name === 'authorization' ? authorization : undefined) }
    expect(demoSubject(req as Request)).toEqual(subject)
  })

  test.each(DEMO_USERS.map((u) => [u.id, u] as const))(
    'what the start-up message promises for %s holds',
    async (_id, user) => {
      const { app } = await demoApp()
      for (const { method, path, status } of demoRequests(user)) {
        expect([path, (await sendAsDemoUser(app, { user: user.id, method, path })).status]).toEqual(
          [path, status],
        )
      }
    },
  )

  test('the start-up message has one curl line per demo user, then one without a token', () => {
    const curls = demoInstructions('http://localhost:3000')
      .split('\n')
      .filter((line) => line.trim().startsWith('curl'))
      .map((line) => line.trim())
    expect(curls).toEqual([
      "curl -s -w ' [%{http_code}]\\n' -H 'authorization: Bearer demo-ada' http://localhost:3000/config",
      "curl -s -w ' [%{http_code}]\\n' -H 'authorization: Bearer demo-otto' http://localhost:3000/customers http://localhost:3000/config",
      "curl -s -w ' [%{http_code}]\\n' -H 'authorization: Bearer demo-rita' http://localhost:3000/invoices http://localhost:3000/reports/export",
      "curl -s -w ' [%{http_code}]\\n' -H 'authorization: Bearer demo-rex' http://localhost:3000/reports/export http://localhost:3000/customers",
      "curl -s -w ' [%{http_code}]\\n' -H 'authorization: Bearer demo-mira' http://localhost:3000/reports/export http://localhost:3000/config",
      "curl -s -w ' [%{http_code}]\\n' -H 'authorization: Bearer demo-nina' http://localhost:3000/me http://localhost:3000/reports",
      "curl -s -w ' [%{http_code}]\\n' http://localhost:3000/reports",
    ])
  })
})
