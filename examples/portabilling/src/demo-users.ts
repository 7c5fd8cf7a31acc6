/**
 * Demo users and their tokens, for trying the example with curl. **Demo mode only**: the app reads
 * these tokens only when it is created with `demo: true`, which `server.ts` does unless
 * `NODE_ENV=production`. Delete this file when you copy the example.
 */
import type { AssignmentStore, PolicyStore, Subject } from '@rolegate/core'
import type { Request } from 'express'
import { customRole, type Permission } from './permissions.js'
import type { PortaBillingPolicy, RoleType } from './policy.js'

/** A demo user: `Authorization: Bearer demo-<id>`. */
export interface DemoUser {
  readonly id: string
  readonly type: RoleType
  readonly roles: readonly string[]
  /** Direct grants beside the roles (an ACL). */
  readonly grants?: Readonly<Record<string, 'read' | 'write' | 'none'>>
  readonly about: string
}

/** A custom role the demo creates at start, as `POST /admin/roles` would. */
export const DEMO_CUSTOM_ROLE = {
  name: 'acme_billing_admin',
  type: 'customer',
  permissions: {
    customer: 'read',
    'customer.personal_info': 'modify',
    'customer.address_info': 'modify',
    'customer.address_info.bcc': 'restrict',
    'customer.invoices_taxation': 'modify',
  },
} as const satisfies {
  name: string
  type: RoleType
  permissions: Readonly<Record<string, Permission>>
}

export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'ada', type: 'admin', roles: ['administrator'], about: 'administrator' },
  {
    id: 'sam',
    type: 'admin',
    roles: ['support'],
    grants: { product: 'read' },
    about: 'customer care: BCC restricted, products through an ACL',
  },
  {
    id: 'acme',
    type: 'customer',
    roles: [DEMO_CUSTOM_ROLE.name],
    about: 'a customer with a custom role',
  },
  {
    id: 'globex',
    type: 'customer',
    roles: ['customer_self_care'],
    about: 'a customer, default role',
  },
  { id: 'acme-001', type: 'account', roles: ['account_self_care'], about: 'an account owner' },
]

/** A request shown in the start-up instructions: a GET, and the status it gets. */
export interface DemoRequest {
  readonly method: 'GET'
  readonly path: string
  readonly status: number
}

/** One line of the instructions: who, with which headers, what is allowed and what is refused. */
export interface DemoLine {
  readonly user: string
  readonly headers?: Readonly<Record<string, string>>
  readonly about: string
  readonly allowed: DemoRequest
  readonly refused?: DemoRequest
}

const get = (path: string, status: number): DemoRequest => ({ method: 'GET', path, status })

/** What the start-up message shows, user by user. */
export const DEMO_LINES: readonly DemoLine[] = [
  {
    user: 'ada',
    about: 'administrator: sees every item (nothing is refused)',
    allowed: get('/customers/acme', 200),
  },
  {
    user: 'sam',
    about: 'support: BCC removed from the answer; products through an ACL; no role administration',
    allowed: get('/customers/acme', 200),
    refused: get('/admin/roles', 403),
  },
  {
    user: 'acme',
    about: 'customer acme, custom role: its own customer without BCC, not another one',
    allowed: get('/customers/acme', 200),
    refused: get('/customers/globex', 403),
  },
  {
    user: 'globex',
    about: 'customer globex, default role',
    allowed: get('/customers/globex', 200),
    refused: get('/products', 403),
  },
  {
    user: 'acme-001',
    about: 'account owner: its account only',
    allowed: get('/accounts/acme-001', 200),
    refused: get('/customers/acme', 403),
  },
  {
    user: 'ada',
    headers: { 'x-act-as': 'acme' },
    about: "acting on behalf of acme with acme's custom role, audited as ada",
    allowed: get('/customers/acme', 200),
    refused: get('/customers/globex', 403),
  },
  {
    user: 'ada',
    headers: { 'x-act-as': 'acme', 'x-act-as-role': 'customer_self_care' },
    about: 'acting on behalf of acme with the default role instead: BCC shown',
    allowed: get('/customers/acme', 200),
    refused: get('/products', 403),
  },
]

const TOKEN = /^Bearer demo-([a-z0-9-]+)$/

/**
 * The demo user named by `Authorization: Bearer demo-<id>`; `undefined` for any other header. Its
 * type, roles and ACL come from the store. Only `createApp({ demo: true })` calls it.
 */
export function demoSubject(req: Request): Subject | undefined {
  const id = TOKEN.exec(req.get('authorization') ?? '')?.[1]
  const user = DEMO_USERS.find((u) => u.id === id)
  return user === undefined ? undefined : { id: user.id }
}

/** Creates the demo's custom role (unless it exists) and gives the demo users their roles and ACLs. */
export async function seedDemo({
  store,
  roles,
}: {
  readonly store: AssignmentStore
  readonly roles: PolicyStore<PortaBillingPolicy>
}): Promise<void> {
  const { name, type, permissions } = DEMO_CUSTOM_ROLE
  await roles.refresh()
  if (!Object.hasOwn(roles.customRoles(), name))
    await roles.createRole(name, customRole(type, permissions))
  for (const { id, type, roles: held, grants } of DEMO_USERS) {
    await store.set(id, {
      type,
      roles: held,
      scoped: {},
      ...(grants === undefined ? {} : { grants }),
    })
  }
}

/** What `server.ts` prints in demo mode: per line, what to expect and one curl command. */
export function demoInstructions(baseUrl: string): string {
  const lines = DEMO_LINES.flatMap(({ user, headers = {}, about, allowed, refused }) => {
    const requests = refused === undefined ? [allowed] : [allowed, refused]
    const expect = requests.map((r) => `${r.path} ${r.status}`).join(', ')
    const curl = [
      `curl -s -w ' [%{http_code}]\\n'`,
      `-H 'authorization: Bearer demo-${user}'`,
      ...Object.entries(headers).map(([name, value]) => `-H '${name}: ${value}'`),
      ...requests.map((r) => `${baseUrl}${r.path}`),
    ].join(' ')
    return [`  ${user}, ${about}: ${expect}`, `    ${curl}`]
  })
  return [
    'Demo users (their tokens work in demo mode only, never with NODE_ENV=production):',
    ...lines,
    '  anyone without a token: /products 401',
    `    curl -s -w ' [%{http_code}]\\n' ${baseUrl}/products`,
  ].join('\n')
}
