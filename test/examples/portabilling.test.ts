import type { AuditEvent } from '@rolegate/core'
import { createApp, type AppOptions, type PortaBillingApp } from '@rolegate-example/portabilling'
import {
  DEMO_LINES,
  DEMO_USERS,
  demoInstructions,
  demoSubject,
  seedDemo,
} from '@rolegate-example/portabilling/demo-users'
import type { Request } from 'express'
import { describe, expect, test } from 'vitest'
import {
  assignmentRefused,
  invalidRequest,
  missingPermission,
  notFound,
  UNAUTHENTICATED,
} from './support/problem-bodies.js'
import { bodyOf, sendAsDemoUser, type DemoCall } from './support/send-as-demo-user.js'

/** A fresh app in demo mode, with the demo's custom role, users and ACLs. */
async function demoApp(options: AppOptions = {}): Promise<PortaBillingApp> {
  const porta = createApp({ demo: true, ...options })
  await seedDemo(porta)
  return porta
}

const ACME = {
  id: 'acme',
  personal_info: { name: 'Acme Ltd', email: 'billing@acme.test', phone: '+1 555 0100' },
  address_info: { street: '1 Main St', city: 'Springfield', country: 'US', bcc: 'audit@acme.test' },
  invoices_taxation: { tax_id: 'US-123456', currency: 'USD' },
}
const GLOBEX = {
  id: 'globex',
  personal_info: { name: 'Globex', email: 'ap@globex.test', phone: '+44 20 7946 0000' },
  address_info: { street: '2 High St', city: 'London', country: 'GB', bcc: 'finance@globex.test' },
  invoices_taxation: { tax_id: 'GB-987654', currency: 'GBP' },
}
/** Address info without its BCC item: what a role with Restrict on the item receives. */
const withoutBccItem = (address: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(address).filter(([item]) => item !== 'bcc'))
/** The same customer without the BCC item. */
const withoutBcc = (customer: typeof ACME) => ({
  ...customer,
  address_info: withoutBccItem(customer.address_info),
})
const PHONE_CHANGED = { ...ACME.personal_info, phone: '+1 555 0199' }
const CITY_CHANGED = { ...ACME.address_info, city: 'Shelbyville' }
const CURRENCY_CHANGED = { ...ACME.invoices_taxation, currency: 'EUR' }
const ACCOUNT = {
  id: 'acme-001',
  customer: 'acme',
  services: ['voice', 'cloud_pbx'],
  balance: 1250,
}
const PRODUCTS = [
  { id: 'cloud-pbx', name: 'Cloud PBX', price: 2500 },
  { id: 'sip-trunk', name: 'SIP trunk', price: 900 },
]
const ROLES = [
  { name: 'administrator', types: ['admin'], custom: false },
  { name: 'support', types: ['admin'], custom: false },
  { name: 'customer_self_care', types: ['customer'], custom: false },
  { name: 'account_self_care', types: ['account'], custom: false },
  { name: 'acme_billing_admin', types: ['customer'], custom: true },
]

/**
 * Who calls: the demo users, an administrator acting on behalf of acme with acme's custom role or
 * with the default role, and nobody.
 */
const CALLERS = {
  ada: { user: 'ada' },
  sam: { user: 'sam' },
  acme: { user: 'acme' },
  globex: { user: 'globex' },
  'acme-001': { user: 'acme-001' },
  'ada as acme': { user: 'ada', headers: { 'x-act-as': 'acme' } },
  'ada as acme, default role': {
    user: 'ada',
    headers: { 'x-act-as': 'acme', 'x-act-as-role': 'customer_self_care' },
  },
  nobody: { user: undefined },
} as const
type Caller = keyof typeof CALLERS
type Expected = readonly [status: number, body: unknown]

const deny = (permission: string, reason = 'no-grant'): Expected => [
  403,
  missingPermission(permission, reason),
]
/** Every authenticated caller refused with the same problem, but those listed. */
const onlyFor = (
  permission: string,
  allowed: Partial<Record<Caller, Expected>>,
): Record<Caller, Expected> => {
  const table = {} as Record<Caller, Expected>
  for (const caller of Object.keys(CALLERS) as Caller[])
    table[caller] =
      allowed[caller] ?? (caller === 'nobody' ? [401, UNAUTHENTICATED] : deny(permission))
  return table
}

interface Route extends Omit<DemoCall, 'user' | 'headers'> {
  readonly expect: Record<Caller, Expected>
}

const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/me',
    expect: {
      ada: [200, { id: 'ada', type: 'admin', roles: ['administrator'], actor: 'ada' }],
      sam: [200, { id: 'sam', type: 'admin', roles: ['support'], actor: 'sam' }],
      acme: [200, { id: 'acme', type: 'customer', roles: ['acme_billing_admin'], actor: 'acme' }],
      globex: [
        200,
        { id: 'globex', type: 'customer', roles: ['customer_self_care'], actor: 'globex' },
      ],
      'acme-001': [
        200,
        { id: 'acme-001', type: 'account', roles: ['account_self_care'], actor: 'acme-001' },
      ],
      'ada as acme': [
        200,
        { id: 'acme', type: 'customer', roles: ['acme_billing_admin'], actor: 'ada' },
      ],
      'ada as acme, default role': [
        200,
        { id: 'acme', type: 'customer', roles: ['customer_self_care'], actor: 'ada' },
      ],
      nobody: [401, UNAUTHENTICATED],
    },
  },
  {
    method: 'GET',
    path: '/customers',
    expect: {
      ...onlyFor('customer:read', {
        ada: [200, [ACME, GLOBEX]],
        sam: [200, [withoutBcc(ACME), withoutBcc(GLOBEX)]],
      }),
      // Self-care grants hold on the subject's own customer: without one, nothing.
      acme: deny('customer:read', 'condition-needs-resource'),
      globex: deny('customer:read', 'condition-needs-resource'),
      'ada as acme': deny('customer:read', 'condition-needs-resource'),
      'ada as acme, default role': deny('customer:read', 'condition-needs-resource'),
    },
  },
  {
    method: 'GET',
    path: '/customers/acme',
    expect: {
      ...onlyFor('customer:read', {
        ada: [200, ACME],
        sam: [200, withoutBcc(ACME)],
        acme: [200, withoutBcc(ACME)],
        'ada as acme': [200, withoutBcc(ACME)],
        'ada as acme, default role': [200, ACME],
      }),
      globex: deny('customer:read', 'condition-failed'),
    },
  },
  {
    method: 'GET',
    path: '/customers/globex',
    expect: {
      ...onlyFor('customer:read', {
        ada: [200, GLOBEX],
        sam: [200, withoutBcc(GLOBEX)],
        globex: [200, GLOBEX],
      }),
      acme: deny('customer:read', 'condition-failed'),
      'ada as acme': deny('customer:read', 'condition-failed'),
      'ada as acme, default role': deny('customer:read', 'condition-failed'),
    },
  },
  {
    method: 'PUT',
    path: '/customers/acme/personal_info',
    body: { phone: '+1 555 0199' },
    // A PUT on a panel answers with the panel, as the caller may read it.
    expect: onlyFor('customer.personal_info:write', {
      ada: [200, PHONE_CHANGED],
      sam: [200, PHONE_CHANGED],
      acme: [200, PHONE_CHANGED],
      'ada as acme': [200, PHONE_CHANGED],
    }),
  },
  {
    method: 'PUT',
    path: '/customers/acme/address_info',
    body: { city: 'Shelbyville' },
    expect: {
      ...onlyFor('customer.address_info:write', {
        ada: [200, CITY_CHANGED],
        sam: [200, withoutBccItem(CITY_CHANGED)],
        acme: [200, withoutBccItem(CITY_CHANGED)],
        'ada as acme': [200, withoutBccItem(CITY_CHANGED)],
        'ada as acme, default role': [200, CITY_CHANGED],
      }),
      globex: deny('customer.address_info:write', 'condition-failed'),
    },
  },
  {
    method: 'PUT',
    path: '/customers/acme/address_info',
    body: { bcc: 'ap@acme.test' },
    expect: {
      ...onlyFor('customer.address_info:write', {
        ada: [200, { ...ACME.address_info, bcc: 'ap@acme.test' }],
        // Address info is writable, its BCC item restricted: refused, naming the item.
        sam: deny('customer.address_info.bcc:write', 'restricted'),
        acme: deny('customer.address_info.bcc:write', 'restricted'),
        'ada as acme': deny('customer.address_info.bcc:write', 'restricted'),
        'ada as acme, default role': [200, { ...ACME.address_info, bcc: 'ap@acme.test' }],
      }),
      globex: deny('customer.address_info:write', 'condition-failed'),
    },
  },
  {
    method: 'PUT',
    path: '/customers/acme/invoices_taxation',
    body: { currency: 'EUR' },
    expect: onlyFor('customer.invoices_taxation:write', {
      ada: [200, CURRENCY_CHANGED],
      sam: [200, CURRENCY_CHANGED],
      acme: [200, CURRENCY_CHANGED],
      'ada as acme': [200, CURRENCY_CHANGED],
    }),
  },
  {
    method: 'GET',
    path: '/accounts/acme-001',
    expect: onlyFor('account:read', {
      ada: [200, ACCOUNT],
      sam: [200, ACCOUNT],
      'acme-001': [200, ACCOUNT],
    }),
  },
  {
    method: 'PUT',
    path: '/accounts/acme-001/services',
    body: { services: ['voice'] },
    expect: onlyFor('account.services:write', {
      ada: [200, { ...ACCOUNT, services: ['voice'] }],
      'acme-001': [200, { ...ACCOUNT, services: ['voice'] }],
    }),
  },
  {
    method: 'GET',
    path: '/products',
    // sam's role gives no product; sam's ACL does.
    expect: onlyFor('product:read', { ada: [200, PRODUCTS], sam: [200, PRODUCTS] }),
  },
  {
    method: 'PUT',
    path: '/products/sip-trunk',
    body: { price: 1000 },
    expect: onlyFor('product:write', { ada: [200, { ...PRODUCTS[1], price: 1000 }] }),
  },
  {
    method: 'GET',
    path: '/admin/roles',
    expect: onlyFor('roles:read', { ada: [200, ROLES] }),
  },
  {
    method: 'POST',
    path: '/admin/roles',
    body: { name: 'pbx_viewer', type: 'customer', permissions: { customer: 'read' } },
    expect: onlyFor('roles:write', {
      ada: [
        201,
        { name: 'pbx_viewer', type: 'customer', permissions: { customer: 'read' }, custom: true },
      ],
    }),
  },
  {
    method: 'GET',
    path: '/admin/users/sam',
    expect: onlyFor('users:read', {
      ada: [200, { id: 'sam', type: 'admin', roles: ['support'], acl: { product: 'read' } }],
    }),
  },
  {
    method: 'PUT',
    path: '/admin/users/globex/roles',
    body: { type: 'customer', roles: ['customer_self_care', 'acme_billing_admin'] },
    expect: onlyFor('users:write', {
      ada: [
        200,
        { id: 'globex', type: 'customer', roles: ['customer_self_care', 'acme_billing_admin'] },
      ],
    }),
  },
  {
    method: 'PUT',
    path: '/admin/users/sam/acl',
    body: { acl: { product: 'modify' } },
    expect: onlyFor('users:write', { ada: [200, { id: 'sam', acl: { product: 'modify' } }] }),
  },
]

const TABLE = ROUTES.flatMap(({ expect: expected, ...call }) =>
  (Object.keys(CALLERS) as Caller[]).map((caller) => ({
    caller,
    ...call,
    ...CALLERS[caller],
    status: expected[caller][0],
    expected: expected[caller][1],
  })),
)

describe('PortaBilling example: the resource tree, Restrict / Read / Modify, role types', () => {
  test('the table covers every route for every demo user, acting administrator and nobody', () => {
    expect(TABLE).toHaveLength(ROUTES.length * Object.keys(CALLERS).length)
  })

  test.each(TABLE)('$caller: $method $path → $status', async ({ status, expected, ...call }) => {
    const { app } = await demoApp()
    const res = await sendAsDemoUser(app, call)
    expect([res.status, bodyOf(res)]).toEqual([status, expected])
  })
})

describe('PortaBilling example: custom roles created at run time', () => {
  test('a custom role created through the admin API is assignable and decides the next request', async () => {
    const { app } = await demoApp()
    const as = (user: string, method: DemoCall['method'], path: string, body?: unknown) =>
      sendAsDemoUser(app, { user, method, path, body })
    const created = await as('ada', 'POST', '/admin/roles', {
      name: 'pbx_viewer',
      type: 'customer',
      permissions: { customer: 'read', 'customer.address_info.bcc': 'restrict', product: 'read' },
    })
    expect(created.status).toBe(201)
    expect((await as('globex', 'GET', '/customers/globex')).body).toEqual(GLOBEX)
    const assigned = await as('ada', 'PUT', '/admin/users/globex/roles', {
      type: 'customer',
      roles: ['pbx_viewer'],
    })
    expect(assigned.status).toBe(200)
    const globex = await as('globex', 'GET', '/customers/globex')
    expect([globex.status, globex.body]).toEqual([200, withoutBcc(GLOBEX)])
    // A self-care role acts on the subject's own entity only, even where it names a whole entity.
    const products = await as('globex', 'GET', '/products')
    expect([products.status, bodyOf(products)]).toEqual(
      deny('product:read', 'condition-needs-resource'),
    )
    const address = await as('globex', 'PUT', '/customers/globex/address_info', { city: 'Leeds' })
    expect([address.status, bodyOf(address)]).toEqual(deny('customer.address_info:write'))
    const roles = await as('ada', 'GET', '/admin/roles')
    expect(roles.body).toEqual([
      ...ROLES,
      { name: 'pbx_viewer', types: ['customer'], custom: true },
    ])
  })

  test('a custom role of the admin type holds on every entity, not only the subject itself', async () => {
    const { app } = await demoApp()
    const as = (user: string, method: DemoCall['method'], path: string, body?: unknown) =>
      sendAsDemoUser(app, { user, method, path, body })
    const created = await as('ada', 'POST', '/admin/roles', {
      name: 'catalogue',
      type: 'admin',
      permissions: { product: 'modify' },
    })
    expect(created.status).toBe(201)
    expect((await as('sam', 'PUT', '/products/sip-trunk', { price: 1000 })).status).toBe(403)
    const assigned = await as('ada', 'PUT', '/admin/users/sam/roles', {
      type: 'admin',
      roles: ['support', 'catalogue'],
    })
    expect(assigned.status).toBe(200)
    const res = await as('sam', 'PUT', '/products/sip-trunk', { price: 1000 })
    expect([res.status, res.body]).toEqual([
      200,
      { id: 'sip-trunk', name: 'SIP trunk', price: 1000 },
    ])
    // The ACL stays beside the new roles.
    const user = await as('ada', 'GET', '/admin/users/sam')
    expect(user.body).toEqual({
      id: 'sam',
      type: 'admin',
      roles: ['support', 'catalogue'],
      acl: { product: 'read' },
    })
  })

  test.each([
    [
      { name: 'administrator', type: 'admin', permissions: { product: 'read' } },
      ['policy.roles.administrator: role "administrator" already exists'],
    ],
    [
      { name: 'acme_billing_admin', type: 'customer', permissions: { customer: 'read' } },
      ['policy.roles.acme_billing_admin: role "acme_billing_admin" already exists'],
    ],
    [
      {
        name: 'broken',
        type: 'customer',
        permissions: { 'customer.fax': 'read', invoices: 'modify' },
      },
      [
        'policy.roles.broken.grants["customer.fax"]: unknown resource "customer.fax"',
        'policy.roles.broken.grants.invoices: unknown resource "invoices"',
      ],
    ],
  ])('a role that does not fit the policy is refused with 422: %j', async (body, problems) => {
    const { app } = await demoApp()
    const res = await sendAsDemoUser(app, {
      user: 'ada',
      method: 'POST',
      path: '/admin/roles',
      body,
    })
    expect([res.status, bodyOf(res)]).toEqual([
      422,
      {
        type: 'urn:rolegate-example:problem:role-refused',
        title: 'Role refused',
        status: 422,
        detail: 'The role does not fit the policy.',
        problems,
      },
    ])
  })

  test.each([
    [{ name: 'Bad Name', type: 'customer', permissions: { customer: 'read' } }],
    [{ name: 'reseller', type: 'reseller', permissions: { customer: 'read' } }],
    [{ name: 'empty', type: 'customer', permissions: {} }],
    [{ name: 'full', type: 'customer', permissions: { customer: 'all' } }],
  ])('a malformed role is a 400: %j', async (body) => {
    const { app } = await demoApp()
    const res = await sendAsDemoUser(app, {
      user: 'ada',
      method: 'POST',
      path: '/admin/roles',
      body,
    })
    expect([res.status, bodyOf(res)]).toEqual([
      400,
      invalidRequest(
        'Send { "name": "lower_snake", "type": "admin" | "customer" | "account", "permissions": { "<node>": "restrict" | "read" | "modify" } }.',
      ),
    ])
  })
})

describe('PortaBilling example: role types and ACLs', () => {
  test.each([
    [
      'globex',
      'customer',
      ['administrator'],
      'role "administrator" cannot be given to subject type "customer" (globally)',
    ],
    [
      'sam',
      'admin',
      ['customer_self_care'],
      'role "customer_self_care" cannot be given to subject type "admin" (globally)',
    ],
    [
      'acme-001',
      'account',
      ['acme_billing_admin'],
      'role "acme_billing_admin" cannot be given to subject type "account" (globally)',
    ],
    ['globex', 'customer', ['reseller_default'], 'unknown role "reseller_default" globally'],
  ])('%s as %s cannot hold %j: 422', async (user, type, roles, message) => {
    const { app, store } = await demoApp()
    const before = await store.get(user)
    const res = await sendAsDemoUser(app, {
      user: 'ada',
      method: 'PUT',
      path: `/admin/users/${user}/roles`,
      body: { type, roles },
    })
    expect([res.status, bodyOf(res)]).toEqual([
      422,
      assignmentRefused(`Assignment for subject "${user}" refused: ${message}`),
    ])
    expect(await store.get(user)).toEqual(before)
  })

  test('an ACL granted to a user applies beside its roles on the next request, and can be replaced', async () => {
    const { app } = await demoApp()
    const products = () =>
      sendAsDemoUser(app, {
        user: 'sam',
        method: 'PUT',
        path: '/products/sip-trunk',
        body: { price: 1000 },
      })
    const acl = (body: unknown) =>
      sendAsDemoUser(app, { user: 'ada', method: 'PUT', path: '/admin/users/sam/acl', body })
    expect((await products()).status).toBe(403)
    expect((await acl({ acl: { product: 'modify' } })).body).toEqual({
      id: 'sam',
      acl: { product: 'modify' },
    })
    expect((await products()).status).toBe(200)
    expect((await acl({ acl: { 'customer.invoices_taxation': 'read' } })).status).toBe(200)
    expect((await products()).status).toBe(403)
    const user = await sendAsDemoUser(app, { user: 'ada', method: 'GET', path: '/admin/users/sam' })
    expect(user.body).toEqual({
      id: 'sam',
      type: 'admin',
      roles: ['support'],
      acl: { 'customer.invoices_taxation': 'read' },
    })
  })

  test.each([
    ['globex', 'User "globex" is of type "customer"', 'condition-failed'],
    ['acme-001', 'User "acme-001" is of type "account"', 'no-grant'],
    ['mallory', 'User "mallory" has no type', ''],
  ])(
    "an ACL for %s is refused: it would hold on every entity, not the user's own",
    async (user, who, reason) => {
      const { app, store } = await demoApp()
      const before = await store.get(user)
      const res = await sendAsDemoUser(app, {
        user: 'ada',
        method: 'PUT',
        path: `/admin/users/${user}/acl`,
        body: { acl: { customer: 'read' } },
      })
      expect([res.status, bodyOf(res)]).toEqual([
        422,
        assignmentRefused(
          `${who}: an ACL holds on every entity, so only admin users may have one. Give a customer or an account a custom role of its type instead: its grants hold on its own entity.`,
        ),
      ])
      expect(await store.get(user)).toEqual(before)
      if (user === 'mallory') return
      const other = await sendAsDemoUser(app, { user, method: 'GET', path: '/customers/globex' })
      expect(other.status).toBe(user === 'globex' ? 200 : 403)
      const acme = await sendAsDemoUser(app, { user, method: 'GET', path: '/customers/acme' })
      expect([acme.status, bodyOf(acme)]).toEqual([403, missingPermission('customer:read', reason)])
    },
  )

  test('a user with an ACL keeps the admin type until the ACL is cleared', async () => {
    const { app, store } = await demoApp()
    const as = (user: string, method: DemoCall['method'], path: string, body?: unknown) =>
      sendAsDemoUser(app, { user, method, path, body })
    const toCustomer = () =>
      as('ada', 'PUT', '/admin/users/sam/roles', {
        type: 'customer',
        roles: ['customer_self_care'],
      })
    const before = await store.get('sam')
    const refusedRetype = await toCustomer()
    expect([refusedRetype.status, bodyOf(refusedRetype)]).toEqual([
      422,
      assignmentRefused(
        'User "sam" has an ACL, which only admin users may have: clear it first with PUT /admin/users/sam/acl { "acl": {} }.',
      ),
    ])
    expect(await store.get('sam')).toEqual(before)
    expect((await as('sam', 'GET', '/products')).status).toBe(200)
    const cleared = await as('ada', 'PUT', '/admin/users/sam/acl', { acl: {} })
    expect([cleared.status, cleared.body]).toEqual([200, { id: 'sam', acl: {} }])
    const products = await as('sam', 'GET', '/products')
    expect([products.status, bodyOf(products)]).toEqual([403, missingPermission('product:read')])
    expect((await toCustomer()).status).toBe(200)
    expect((await as('ada', 'GET', '/admin/users/sam')).body).toEqual({
      id: 'sam',
      type: 'customer',
      roles: ['customer_self_care'],
      acl: {},
    })
  })

  test('an ACL on a node the tree does not have is refused', async () => {
    const { app } = await demoApp()
    const res = await sendAsDemoUser(app, {
      user: 'ada',
      method: 'PUT',
      path: '/admin/users/sam/acl',
      body: { acl: { 'product.prices': 'modify', vendor: 'read' } },
    })
    expect([res.status, bodyOf(res)]).toEqual([
      422,
      assignmentRefused('Not nodes of the resource tree: product.prices, vendor.'),
    ])
  })
})

describe('PortaBilling example: an administrator acting on behalf of a customer', () => {
  async function audited() {
    const events: (Omit<AuditEvent, 'durationMs'> & { durationMs: string })[] = []
    const porta = await demoApp({
      audit: (event) => {
        events.push({ ...event, durationMs: typeof event.durationMs })
      },
    })
    return { ...porta, events }
  }

  test("decisions use the customer's role, audit events name the real administrator", async () => {
    const { app, events, data } = await audited()
    const res = await sendAsDemoUser(app, {
      user: 'ada',
      headers: { 'x-act-as': 'acme' },
      method: 'PUT',
      path: '/customers/acme/address_info',
      body: { city: 'Shelbyville' },
    })
    const refused = await sendAsDemoUser(app, {
      user: 'ada',
      headers: { 'x-act-as': 'acme' },
      method: 'GET',
      path: '/products',
    })
    expect([res.status, refused.status, data.customer('acme')?.address_info.city]).toEqual([
      200,
      403,
      'Shelbyville',
    ])
    const addressWritten = {
      permissions: ['customer.address_info:write'],
      actor: 'ada',
      subject: 'acme',
      scope: undefined,
      allowed: true,
      reason: 'granted',
      durationMs: 'number',
    }
    // The guard's decision, then the handler's own assert on the loaded customer.
    expect(events).toEqual([
      addressWritten,
      addressWritten,
      {
        permissions: ['product:read'],
        actor: 'ada',
        subject: 'acme',
        scope: undefined,
        allowed: false,
        reason: 'no-grant',
        durationMs: 'number',
      },
    ])
  })

  test('support may act for a customer too; a customer or an account owner may not', async () => {
    const { app, events } = await audited()
    const call = (user: string) =>
      sendAsDemoUser(app, { user, headers: { 'x-act-as': 'globex' }, method: 'GET', path: '/me' })
    const sam = await call('sam')
    expect([sam.status, sam.body]).toEqual([
      200,
      { id: 'globex', type: 'customer', roles: ['customer_self_care'], actor: 'sam' },
    ])
    for (const user of ['acme', 'acme-001']) {
      const res = await call(user)
      expect([res.status, bodyOf(res)]).toEqual(deny('customer:impersonate'))
    }
    const guarded = await sendAsDemoUser(app, {
      user: 'acme',
      headers: { 'x-act-as': 'globex' },
      method: 'GET',
      path: '/customers/globex',
    })
    expect(guarded.status).toBe(403)
    expect(events).toEqual([
      {
        permissions: ['customer:impersonate'],
        actor: 'acme',
        subject: undefined,
        scope: undefined,
        allowed: false,
        reason: 'no-grant',
        durationMs: 'number',
      },
    ])
  })

  test.each([
    ['sam', 'an administrator'],
    ['acme-001', 'an account'],
    ['nobody-here', 'no such user'],
  ])('acting for %s (%s) is refused: only customers', async (target) => {
    const { app } = await demoApp()
    const res = await sendAsDemoUser(app, {
      user: 'ada',
      headers: { 'x-act-as': target },
      method: 'GET',
      path: '/customers/acme',
    })
    expect([res.status, bodyOf(res)]).toEqual([
      403,
      {
        type: 'urn:rolegate:problem:forbidden',
        title: 'Forbidden',
        status: 403,
        detail: 'There is no such subject to act on behalf of.',
        permission: 'customer:impersonate',
        reason: 'impersonation-refused',
      },
    ])
  })

  test.each([
    [
      { 'x-act-as': 'acme', 'x-act-as-role': 'administrator' },
      'x-act-as-role must be one of: customer_self_care, account_self_care.',
    ],
    [{ 'x-act-as-role': 'customer_self_care' }, 'x-act-as-role needs x-act-as.'],
  ])('acting with %j is a 400', async (headers, detail) => {
    const { app } = await demoApp()
    const res = await sendAsDemoUser(app, { user: 'ada', headers, method: 'GET', path: '/me' })
    expect([res.status, bodyOf(res)]).toEqual([400, invalidRequest(detail)])
  })

  test('a custom role created after start-up is what the administrator acts with', async () => {
    const { app } = await demoApp()
    await sendAsDemoUser(app, {
      user: 'ada',
      method: 'POST',
      path: '/admin/roles',
      body: {
        name: 'globex_finance',
        type: 'customer',
        permissions: { 'customer.invoices_taxation': 'modify' },
      },
    })
    await sendAsDemoUser(app, {
      user: 'ada',
      method: 'PUT',
      path: '/admin/users/globex/roles',
      body: { type: 'customer', roles: ['globex_finance'] },
    })
    const asGlobex = (role?: string) =>
      sendAsDemoUser(app, {
        user: 'ada',
        headers: { 'x-act-as': 'globex', ...(role === undefined ? {} : { 'x-act-as-role': role }) },
        method: 'PUT',
        path: '/customers/globex/invoices_taxation',
        body: { currency: 'EUR' },
      })
    expect((await asGlobex()).status).toBe(200)
    const asDefault = await asGlobex('customer_self_care')
    expect([asDefault.status, bodyOf(asDefault)]).toEqual(deny('customer.invoices_taxation:write'))
  })
})

describe('PortaBilling example: requests the app refuses before any decision', () => {
  test.each([
    [
      'PUT',
      '/customers/acme/address_info',
      { fax: '123' },
      'Send strings for items of address_info: street, city, country, bcc.',
    ],
    [
      'PUT',
      '/customers/acme/personal_info',
      { phone: 5550199 },
      'Send strings for items of personal_info: name, email, phone.',
    ],
    ['PUT', '/accounts/acme-001/services', { services: 'voice' }, 'Send { "services": [names] }.'],
    ['PUT', '/products/sip-trunk', { price: 'free' }, 'Send { "price": cents }.'],
    [
      'PUT',
      '/admin/users/globex/roles',
      { roles: ['customer_self_care'] },
      'Send { "type": "admin" | "customer" | "account", "roles": [names] }.',
    ],
    [
      'PUT',
      '/admin/users/globex/acl',
      { acl: { product: 'write' } },
      'Send { "acl": { "<node>": "restrict" | "read" | "modify" } }.',
    ],
  ] as const)('%s %s with %j → 400', async (method, path, body, detail) => {
    const { app } = await demoApp()
    const res = await sendAsDemoUser(app, { user: 'ada', method, path, body })
    expect([res.status, bodyOf(res)]).toEqual([400, invalidRequest(detail)])
  })

  test.each([
    ['GET', '/customers/initech', 'There is no customer "initech".'],
    ['PUT', '/customers/initech/address_info', 'There is no customer "initech".'],
    ['GET', '/accounts/initech-001', 'There is no account "initech-001".'],
    ['PUT', '/products/fax', 'There is no product "fax".'],
    ['GET', '/admin/users/mallory', 'There is no user "mallory".'],
    ['GET', '/vendors', 'No route for GET /vendors.'],
  ] as const)('%s %s → 404 for an administrator', async (method, path, detail) => {
    const { app } = await demoApp()
    const body =
      method === 'PUT' ? (path.startsWith('/products') ? { price: 1 } : { city: 'x' }) : undefined
    const res = await sendAsDemoUser(app, { user: 'ada', method, path, body })
    expect([res.status, bodyOf(res)]).toEqual([404, notFound(detail)])
  })
})

describe('PortaBilling example: demo mode', () => {
  test('demo tokens are refused unless the app is created with demo: true', async () => {
    const off = createApp()
    await seedDemo(off)
    const res = await sendAsDemoUser(off.app, { user: 'ada', method: 'GET', path: '/me' })
    expect([res.status, bodyOf(res)]).toEqual([401, UNAUTHENTICATED])
  })

  test.each([
    ['Bearer demo-acme-001', { id: 'acme-001' }],
    ['Bearer demo-sam', { id: 'sam' }],
    ['Bearer demo-initech', undefined],
    ['Bearer sam', undefined],
    [undefined, undefined],
  ])('demoSubject reads %j as %j', (authorization, subject) => {
    const req = { get: (name: string) => (name === 'authorization' ? authorization : undefined) }
    expect(demoSubject(req as Request)).toEqual(subject)
  })

  test.each(DEMO_LINES.map((line, i) => [i, line] as const))(
    'what the start-up message promises on line %i holds',
    async (_i, { user, headers = {}, allowed, refused }) => {
      const { app } = await demoApp()
      for (const { method, path, status } of refused === undefined
        ? [allowed]
        : [allowed, refused]) {
        const res = await sendAsDemoUser(app, { user, headers, method, path })
        expect([path, res.status]).toEqual([path, status])
      }
    },
  )

  test('the start-up message has a curl line per demo line, then one without a token', () => {
    const curls = demoInstructions('http://localhost:3000')
      .split('\n')
      .filter((line) => line.trim().startsWith('curl'))
    expect(curls).toHaveLength(DEMO_LINES.length + 1)
    expect(DEMO_USERS.every((u) => curls.some((c) => c.includes(`Bearer demo-${u.id}'`)))).toBe(
      true,
    )
  })
})
