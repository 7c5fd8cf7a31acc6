/**
 * Demo mode: fixed users who log in with `Authorization: Bearer demo-<id>`, and a little data to
 * look at. The server turns it on unless `NODE_ENV=production`; `createApp` accepts demo tokens
 * only when given `demo: true`. Delete this file when you copy the template.
 */
import type { AssignmentStore } from '@rolegate/core'
import type { Directory } from './directory.js'
import { accountScope, type Role } from './policy.js'
import type { Records } from './records.js'

/** A request the start-up banner shows as a curl line, with the status it gets. */
export interface DemoRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  readonly path: string
  readonly body?: Readonly<Record<string, unknown>>
  readonly status: number
}

/** A demo user: a member of a demo account with one role, or none. */
export interface DemoUser {
  readonly id: string
  readonly email: string
  readonly name: string
  readonly account: string
  readonly role: Role | null
  /** What the user shows. */
  readonly about: string
  readonly allowed: DemoRequest
  readonly refused: DemoRequest
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: 'ada',
    email: 'ada@acme.example',
    name: 'Ada',
    account: 'acme.example',
    role: 'administrator',
    about: 'Administrator of acme.example (its first user)',
    allowed: {
      method: 'POST',
      path: '/members/invitations',
      body: { email: 'eve@acme.example', role: 'developer' },
      status: 201,
    },
    refused: { method: 'DELETE', path: '/members/ada', status: 409 },
  },
  {
    id: 'alan',
    email: 'alan@acme.example',
    name: 'Alan',
    account: 'acme.example',
    role: 'analyst',
    about: 'Analyst: reads both services, creates nothing',
    allowed: { method: 'GET', path: '/billing/plans', status: 200 },
    refused: { method: 'POST', path: '/billing/plans', body: { name: 'Pro' }, status: 403 },
  },
  {
    id: 'devi',
    email: 'devi@acme.example',
    name: 'Devi',
    account: 'acme.example',
    role: 'developer',
    about: 'Developer: all of Metering, nothing of Billing',
    allowed: { method: 'POST', path: '/metering/meters', body: { name: 'events' }, status: 201 },
    refused: { method: 'GET', path: '/billing/invoices', status: 403 },
  },
  {
    id: 'pria',
    email: 'pria@acme.example',
    name: 'Pria',
    account: 'acme.example',
    role: 'product_manager',
    about: 'Product Manager: all of Billing, reads Metering',
    allowed: { method: 'POST', path: '/billing/plans', body: { name: 'Pro' }, status: 201 },
    refused: { method: 'POST', path: '/metering/meters', body: { name: 'events' }, status: 403 },
  },
  {
    id: 'nadia',
    email: 'nadia@acme.example',
    name: 'Nadia',
    account: 'acme.example',
    role: null,
    about: 'signed up after Ada: a member with no role until an Administrator gives her one',
    allowed: { method: 'GET', path: '/me', status: 200 },
    refused: { method: 'GET', path: '/metering/meters', status: 403 },
  },
  {
    id: 'gus',
    email: 'gus@globex.example',
    name: 'Gus',
    account: 'globex.example',
    role: 'administrator',
    about: 'Administrator of another account, globex.example',
    allowed: { method: 'GET', path: '/metering/meters', status: 200 },
    refused: {
      method: 'PUT',
      path: '/members/alan/role',
      body: { role: 'developer' },
      status: 404,
    },
  },
]

const DEMO_TOKEN = /^demo-([a-z]+)$/

/** The demo user a `demo-<id>` token names, or `undefined`. Only called in demo mode. */
export function demoMemberId(token: string): string | undefined {
  const id = DEMO_TOKEN.exec(token)?.[1]
  return DEMO_USERS.some((user) => user.id === id) ? id : undefined
}

/** Puts the demo users in the directory and their roles in the store, and some data in each account. */
export async function seedDemo({
  directory,
  assignments,
  records,
}: {
  readonly directory: Directory
  readonly assignments: AssignmentStore
  readonly records: Records
}): Promise<void> {
  for (const { id, email, name, account, role } of DEMO_USERS) {
    directory.add({ id, email, name, account })
    // set, not assign: a restarted demo on a shared Redis starts from the advertised roles.
    const scoped = role === null ? {} : { [accountScope(account)]: [role] }
    await assignments.set(id, { roles: [], scoped })
  }
  const acme = 'acme.example'
  const meter = records.add(acme, 'meters', { name: 'api-calls', unit: 'call' })
  records.add(acme, 'meters', { name: 'storage', unit: 'GB-hour' })
  const plan = records.add(acme, 'plans', { name: 'Starter', monthlyFee: 49 })
  const customer = records.add(acme, 'customers', {
    name: 'Initech',
    billing: { plan: plan.id, balance: 120 },
  })
  records.add(acme, 'usage', {
    meter: meter.id,
    customer: customer.id,
    day: '2025-01-31',
    value: 1200,
  })
  records.add(acme, 'reports', { name: 'API calls per customer', meter: meter.id })
  records.add(acme, 'promotions', { name: 'Launch', discountPercent: 20 })
  records.add(acme, 'invoices', { customer: customer.id, period: '2025-01', total: 49 })
  records.add(acme, 'metrics', { name: 'mrr', value: 49 })
  records.add('globex.example', 'meters', { name: 'events', unit: 'event' })
}

/** The start-up banner: each demo user with a curl line that is allowed and one that is refused. */
export function demoGuide(baseUrl: string): string {
  const curl = (id: string, { method, path, body }: DemoRequest): string => {
    const data =
      body === undefined ? '' : ` -H 'content-type: application/json' -d '${JSON.stringify(body)}'`
    return `curl -i -X ${method} ${baseUrl}${path} -H 'authorization: Bearer demo-${id}'${data}`
  }
  const lines = ['Demo mode: log in as a demo user with `Authorization: Bearer demo-<user>`.', '']
  for (const user of DEMO_USERS) {
    lines.push(`${user.id} <${user.email}>: ${user.about}`)
    lines.push(`  ${user.allowed.status}  ${curl(user.id, user.allowed)}`)
    lines.push(`  ${user.refused.status}  ${curl(user.id, user.refused)}`)
  }
  return lines.join('\n')
}
