import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parsePolicy } from '@rolegate/core'
import { createApp, type AppOptions, type BillwerkApp } from '@rolegate-example/billwerk'
import {
  DEMO_USERS,
  demoInstructions,
  demoSubject,
  seedDemoUsers,
} from '@rolegate-example/billwerk/demo-users'
import { AREAS, POLICY_FILE, ROLES } from '@rolegate-example/billwerk/policy'
import type { Request } from 'express'
import { describe, expect, test } from 'vitest'
import {
  assignmentRefused,
  invalidRequest,
  missingPermission,
  notFound,
  UNAUTHENTICATED,
} from './support/problem-bodies.js'
import { bodyOf, sendAsDemoUser } from './support/send-as-demo-user.js'

/** A fresh app in demo mode with the demo users registered and given their roles. */
async function demoApp(options: AppOptions = {}): Promise<BillwerkApp> {
  const billwerk = createApp({ demo: true, ...options })
  await seedDemoUsers(billwerk)
  return billwerk
}

/** The demo user holding only each role, column by column as the seed prints them. */
const HOLDER = {
  admin: 'ada',
  products: 'pete',
  operations: 'otto',
  finance: 'fiona',
  read_only_operations: 'rose',
  reports: 'rex',
  templates: 'tess',
} as const satisfies Record<(typeof ROLES)[number], string>

/**
 * billwerk's rights table (shared/seeds/004), row by row in the seed's order: the label the seed
 * gives (or how the lost one was read, see the example's README), the route of that area, and the
 * cells for Admin, Products, Operations, Finance, ReadOnlyOperations, Reports and Templates as
 * the seed prints them.
 */
const SEED = [
  ['Company', '/settings/company', 'rw r r r r r r'],
  ['Sales Entities', '/settings/sales-entities', 'rw r r r r r r'],
  ['User Accounts', '/settings/user-accounts', 'rw - - - - - -'],
  ['Payment Settings', '/settings/payment-settings', 'rw - - - - - -'],
  ['Payment Escalation', '/settings/payment-escalation', 'rw - - - - - -'],
  ['(no label: taxes)', '/settings/taxes', 'rw r r rw r r r'],
  ['Billing', '/settings/billing', 'rw r r r r r r'],
  ['General Document Settings', '/settings/general-document-settings', 'rw r r r r r r'],
  ['Sequences', '/settings/sequences', 'rw r r r r r r'],
  ['(no label: templates)', '/settings/templates', 'rw r r r r r rw'],
  ['Accounts', '/settings/accounts', 'rw r r rw r r r'],
  ['Debitor Ids', '/settings/debitor-ids', 'rw r r rw r r r'],
  ['Export Settings', '/settings/export-settings', 'rw r r rw r r r'],
  ['Custom fields', '/settings/custom-fields', 'rw r r r r r r'],
  ['Webhooks', '/settings/webhooks', 'rw - - - - - -'],
  ['Self-Service', '/settings/self-service', 'rw r r r r r rw'],
  ['KPI Charts', '/kpi-charts', 'r - - - - r -'],
  ['Log lists', '/log-lists', 'r - r - r - -'],
  ['all areas (products)', '/products', 'rw rw r r r r -'],
  ['Customers and Contracts: all areas', '/customers-and-contracts', 'rw - rw r r r -'],
  ['all areas (invoices)', '/invoices', 'rw - rw rw r - -'],
  ['audit log', '/logs/audit-log', 'r - - - - - -'],
  ['all other areas', '/logs', 'r - r - r - -'],
  ['Account Reconciliation', '/account-reconciliation', 'rw - rw rw r - -'],
  ['Accounting Export', '/accounting-export', 'r - - r - - -'],
  ['Reporting', '/reporting', 'r - - r - r -'],
  ['Handling Fees', '/handling-fees', 'rw - rw - r - -'],
] as const

/**
 * Where a role reads the section a row belongs to (the settings pages, or the logs for the audit
 * log), a `-` in that row is a Restrict on the page and is refused as `restricted`; elsewhere
 * nothing was granted at all (`no-grant`).
 */
function refusal(path: string, role: number, cell: string): string {
  if (cell !== '-') return 'no-grant'
  const section = path.startsWith('/settings/')
    ? 'r'
    : path === '/logs/audit-log'
      ? logsCell(role)
      : '-'
  return section === '-' ? 'no-grant' : 'restricted'
}
const logsCell = (role: number): string =>
  SEED.find(([, path]) => path === '/logs')?.[2].split(' ')[role] ?? '-'

const MATRIX = SEED.flatMap(([label, path, cells]) =>
  cells.split(' ').flatMap((cell, column) => {
    const role = ROLES[column] as (typeof ROLES)[number]
    const area = AREAS.find((a) => a.path === path)
    const resource = area?.resource ?? path
    const ok = (data: object) => [200, { area: resource, label: area?.label, data }] as const
    const denied = (action: 'read' | 'write') =>
      [403, missingPermission(`${resource}:${action}`, refusal(path, column, cell))] as const
    const user = HOLDER[role]
    return [
      {
        label,
        role,
        cell,
        user,
        method: 'GET' as const,
        path,
        body: undefined,
        expected: cell === '-' ? denied('read') : ok({}),
      },
      {
        label,
        role,
        cell,
        user,
        method: 'PUT' as const,
        path,
        body: { note: `${role} was here` },
        expected: cell === 'rw' ? ok({ note: `${role} was here` }) : denied('write'),
      },
    ]
  }),
)

describe("billwerk example: the seed's rights matrix, every labelled cell over HTTP", () => {
  test('27 rows × 7 roles, each cell read with GET and written with PUT', () => {
    expect([SEED.length, ROLES.length, MATRIX.length]).toEqual([27, 7, 27 * 7 * 2])
    expect(SEED.map(([, path]) => path)).toEqual(AREAS.map((a) => a.path))
  })

  test.each(MATRIX)(
    '$label × $role ($cell): $method $path',
    async ({ expected, user, method, path, body }) => {
      const { app } = await demoApp()
      const res = await sendAsDemoUser(app, { user, method, path, body })
      expect([res.status, bodyOf(res)]).toEqual(expected)
    },
  )

  test('the policy is the CLI fixture that `rolegate matrix` checks against the same table', () => {
    const fixture = fileURLToPath(
      new URL('../../packages/cli/fixtures/billwerk.yaml', import.meta.url),
    )
    expect(parsePolicy(readFileSync(POLICY_FILE, 'utf8'), POLICY_FILE)).toEqual(
      parsePolicy(readFileSync(fixture, 'utf8'), fixture),
    )
  })
})

describe('billwerk example: roles combine, except Admin and ReadOnlyOperations', () => {
  test('a user with products, finance and reports gets the union of the three columns', async () => {
    const { app } = await demoApp()
    const statuses: Record<string, number> = {}
    for (const [method, path] of [
      ['PUT', '/products'],
      ['PUT', '/invoices'],
      ['PUT', '/settings/taxes'],
      ['GET', '/kpi-charts'],
      ['GET', '/reporting'],
      ['GET', '/accounting-export'],
      ['GET', '/log-lists'],
      ['PUT', '/customers-and-contracts'],
      ['GET', '/settings/webhooks'],
    ] as const) {
      const res = await sendAsDemoUser(app, {
        user: 'carla',
        method,
        path,
        body: method === 'PUT' ? {} : undefined,
      })
      statuses[`${method} ${path}`] = res.status
    }
    expect(statuses).toEqual({
      'PUT /products': 200,
      'PUT /invoices': 200,
      'PUT /settings/taxes': 200,
      'GET /kpi-charts': 200,
      'GET /reporting': 200,
      'GET /accounting-export': 200,
      'GET /log-lists': 403,
      'PUT /customers-and-contracts': 403,
      'GET /settings/webhooks': 403,
    })
  })

  test.each([
    [
      ['admin', 'finance'],
      'role "admin" is exclusive and cannot be combined with "finance" globally',
    ],
    [
      ['products', 'admin'],
      'role "admin" is exclusive and cannot be combined with "products" globally',
    ],
    [
      ['read_only_operations', 'reports'],
      'role "read_only_operations" is exclusive and cannot be combined with "reports" globally',
    ],
    [
      ['admin', 'read_only_operations'],
      'role "read_only_operations" is exclusive and cannot be combined with "admin" globally',
    ],
    [['finance', 'auditor'], 'unknown role "auditor" globally'],
  ])('giving %j is refused with 422, and the user keeps their roles', async (roles, message) => {
    const { app, store } = await demoApp()
    const res = await sendAsDemoUser(app, {
      user: 'ada',
      method: 'PUT',
      path: '/admin/users/fiona/roles',
      body: { roles },
    })
    expect([res.status, bodyOf(res)]).toEqual([
      422,
      assignmentRefused(`Assignment for subject "fiona" refused: ${message}`),
    ])
    expect(await store.get('fiona')).toEqual({ roles: ['finance'], scoped: {} })
  })

  test.each([
    [['admin']],
    [['read_only_operations']],
    [['products', 'operations', 'finance', 'reports', 'templates']],
    [[]],
  ])('giving %j is accepted and applies to the next request', async (roles) => {
    const { app } = await demoApp()
    const res = await sendAsDemoUser(app, {
      user: 'ada',
      method: 'PUT',
      path: '/admin/users/nick/roles',
      body: { roles },
    })
    expect([res.status, res.body]).toEqual([200, { id: 'nick', roles }])
    const me = await sendAsDemoUser(app, { user: 'nick', method: 'GET', path: '/me' })
    expect(me.body).toEqual({ id: 'nick', roles })
  })

  test('a role combination forced past the store still grants nothing: every decision denies', async () => {
    const { app } = await demoApp({
      authenticate: () => ({ id: 'mallory', roles: ['admin', 'finance'] }),
    })
    const res = await sendAsDemoUser(app, {
      user: undefined,
      method: 'GET',
      path: '/settings/company',
    })
    expect([res.status, bodyOf(res)]).toEqual([
      403,
      missingPermission('settings.company:read', 'exclusive-conflict'),
    ])
  })
})

describe('billwerk example: a new user sees nothing but their own personal data', () => {
  test('nick, with no role, reads and edits his personal data and nothing else', async () => {
    const { app } = await demoApp()
    const as = (method: 'GET' | 'PUT', path: string, body?: unknown) =>
      sendAsDemoUser(app, { user: 'nick', method, path, body })
    expect((await as('GET', '/me/personal-data')).body).toEqual({
      id: 'nick',
      name: 'Nick',
      email: 'nick@billwerk.test',
    })
    const edited = await as('PUT', '/me/personal-data', { name: 'Nicholas' })
    expect([edited.status, edited.body]).toEqual([
      200,
      { id: 'nick', name: 'Nicholas', email: 'nick@billwerk.test' },
    ])
    const statuses = await Promise.all(
      AREAS.map(async ({ path }) => (await as('GET', path)).status),
    )
    expect(new Set(statuses)).toEqual(new Set([403]))
    const other = await as('GET', '/users/pete/personal-data')
    expect([other.status, bodyOf(other)]).toEqual([
      403,
      missingPermission('profile:read', 'condition-failed'),
    ])
  })

  test.each(DEMO_USERS.map((u) => u.id))(
    '%s may read only their own personal data',
    async (user) => {
      const { app } = await demoApp()
      const own = await sendAsDemoUser(app, {
        user,
        method: 'GET',
        path: `/users/${user}/personal-data`,
      })
      const other = user === 'ada' ? 'pete' : 'ada'
      const theirs = await sendAsDemoUser(app, {
        user,
        method: 'GET',
        path: `/users/${other}/personal-data`,
      })
      expect([own.status, theirs.status]).toEqual([200, 403])
    },
  )

  test('an invited user starts with no rights, then gets what an admin gives, on the next request', async () => {
    // The invited user logs in through the app's own login (here: a header a test sets).
    const { app } = await demoApp({
      authenticate: (req) => {
        const id = req.get('x-test-user')
        return id === undefined ? undefined : { id }
      },
    })
    const asAdmin = (method: 'POST' | 'PUT', path: string, body: unknown) =>
      sendAsDemoUser(app, { user: 'ada', method, path, body })
    const invited = await asAdmin('POST', '/admin/users', { email: 'Nora@Example.test' })
    expect([invited.status, invited.body]).toEqual([
      201,
      {
        id: 'nora@example.test',
        name: '',
        email: 'nora@example.test',
        status: 'invited',
        roles: [],
      },
    ])
    const as = (method: 'GET' | 'PUT', path: string, body?: unknown) =>
      sendAsDemoUser(app, {
        user: undefined,
        headers: { 'x-test-user': 'nora@example.test' },
        method,
        path,
        body,
      })
    expect((await as('PUT', '/me/personal-data', { name: 'Nora' })).body).toEqual({
      id: 'nora@example.test',
      name: 'Nora',
      email: 'nora@example.test',
    })
    expect((await as('GET', '/accounting-export')).status).toBe(403)
    const given = await asAdmin('PUT', '/admin/users/nora@example.test/roles', {
      roles: ['finance', 'reports'],
    })
    expect(given.status).toBe(200)
    expect((await as('GET', '/accounting-export')).status).toBe(200)
    expect((await as('GET', '/kpi-charts')).status).toBe(200)
    const again = await asAdmin('POST', '/admin/users', { email: 'nora@example.test' })
    expect([again.status, bodyOf(again)]).toEqual([
      409,
      {
        type: 'urn:rolegate-example:problem:user-exists',
        title: 'User exists',
        status: 409,
        detail: '"nora@example.test" already has a user account.',
      },
    ])
  })

  test.each([
    [
      'POST',
      '/admin/users',
      { email: 'not an address' },
      400,
      invalidRequest('Send { "email": address }.'),
    ],
    [
      'PUT',
      '/admin/users/nick/roles',
      { roles: 'admin' },
      400,
      invalidRequest('Send { "roles": [role names] }.'),
    ],
    ['PUT', '/admin/users/ghost/roles', { roles: [] }, 404, notFound('There is no user "ghost".')],
    [
      'PUT',
      '/me/personal-data',
      { email: 'nope' },
      400,
      invalidRequest('Send { "name"?: string, "email"?: address }.'),
    ],
    [
      'PUT',
      '/settings/company',
      ['not', 'an', 'object'],
      400,
      invalidRequest('Send a JSON object.'),
    ],
  ] as const)('%s %s with %j → %i', async (method, path, body, status, problem) => {
    const { app } = await demoApp()
    const res = await sendAsDemoUser(app, { user: 'ada', method, path, body })
    expect([res.status, bodyOf(res)]).toEqual([status, problem])
  })
})

describe('billwerk example: demo mode', () => {
  test('demo tokens are refused unless the app is created with demo: true', async () => {
    const off = createApp()
    await seedDemoUsers(off)
    const res = await sendAsDemoUser(off.app, {
      user: 'ada',
      method: 'GET',
      path: '/me/personal-data',
    })
    expect([res.status, bodyOf(res)]).toEqual([401, UNAUTHENTICATED])
  })

  test.each([
    ['Bearer demo-rose', { id: 'rose' }],
    ['Bearer demo-mallory', undefined],
    ['Bearer rose', undefined],
    [undefined, undefined],
  ])('demoSubject reads %j as %j', (authorization, subject) => {
    const req = { get: (name: string) => (name === 'authorization' ? authorization : undefined) }
    expect(demoSubject(req as Request)).toEqual(subject)
  })

  test.each(DEMO_USERS.map((u) => [u.id, u] as const))(
    'what the start-up message promises for %s holds',
    async (_id, { id, allowed, refused }) => {
      const { app } = await demoApp()
      for (const { method, path, status } of [allowed, refused]) {
        const res = await sendAsDemoUser(app, { user: id, method, path })
        expect([path, res.status]).toEqual([path, status])
      }
    },
  )

  test('the start-up message has one curl line per demo user, then one without a token', () => {
    const curls = demoInstructions('http://localhost:3000')
      .split('\n')
      .filter((line) => line.trim().startsWith('curl'))
    expect(curls).toHaveLength(DEMO_USERS.length + 1)
    expect(DEMO_USERS.every((u, i) => curls[i]?.includes(`Bearer demo-${u.id}'`) === true)).toBe(
      true,
    )
  })
})
