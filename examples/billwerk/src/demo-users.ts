/**
 * Demo users and their tokens, for trying the example with curl. **Demo mode only**: the app reads
 * these tokens only when it is created with `demo: true`, which `server.ts` does unless
 * `NODE_ENV=production`. Delete this file when you copy the example.
 */
import type { AssignmentStore, Subject } from '@rolegate/core'
import type { Request } from 'express'
import type { BillwerkData } from './data.js'

/** A request shown in the start-up instructions: a GET, and the status it gets. */
export interface DemoRequest {
  readonly method: 'GET'
  readonly path: string
  readonly status: number
}

/** A demo user: `Authorization: Bearer demo-<id>`. */
export interface DemoUser {
  readonly id: string
  readonly name: string
  readonly roles: readonly string[]
  readonly allowed: DemoRequest
  readonly refused: DemoRequest
}

const get = (path: string, status: number): DemoRequest => ({ method: 'GET', path, status })

/** One user per role, a user with three roles, and a new user with none. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: 'ada',
    name: 'Ada',
    roles: ['admin'],
    allowed: get('/admin/users', 200),
    refused: get('/users/pete/personal-data', 403),
  },
  {
    id: 'pete',
    name: 'Pete',
    roles: ['products'],
    allowed: get('/products', 200),
    refused: get('/invoices', 403),
  },
  {
    id: 'otto',
    name: 'Otto',
    roles: ['operations'],
    allowed: get('/invoices', 200),
    refused: get('/kpi-charts', 403),
  },
  {
    id: 'fiona',
    name: 'Fiona',
    roles: ['finance'],
    allowed: get('/accounting-export', 200),
    refused: get('/log-lists', 403),
  },
  {
    id: 'rose',
    name: 'Rose',
    roles: ['read_only_operations'],
    allowed: get('/log-lists', 200),
    refused: get('/reporting', 403),
  },
  {
    id: 'rex',
    name: 'Rex',
    roles: ['reports'],
    allowed: get('/kpi-charts', 200),
    refused: get('/settings/webhooks', 403),
  },
  {
    id: 'tess',
    name: 'Tess',
    roles: ['templates'],
    allowed: get('/settings/templates', 200),
    refused: get('/products', 403),
  },
  {
    id: 'carla',
    name: 'Carla',
    roles: ['products', 'finance', 'reports'],
    allowed: get('/kpi-charts', 200),
    refused: get('/log-lists', 403),
  },
  {
    id: 'nick',
    name: 'Nick',
    roles: [],
    allowed: get('/me/personal-data', 200),
    refused: get('/settings/company', 403),
  },
]

const TOKEN = /^Bearer demo-([a-z]+)$/

/**
 * The demo user named by `Authorization: Bearer demo-<id>`; `undefined` for any other header. Its
 * roles come from the store. Only `createApp({ demo: true })` calls it.
 */
export function demoSubject(req: Request): Subject | undefined {
  const id = TOKEN.exec(req.get('authorization') ?? '')?.[1]
  const user = DEMO_USERS.find((u) => u.id === id)
  return user === undefined ? undefined : { id: user.id }
}

/** Adds the demo users as registered users and gives them their roles. */
export async function seedDemoUsers({
  store,
  data,
}: {
  readonly store: AssignmentStore
  readonly data: BillwerkData
}): Promise<void> {
  for (const { id, name, roles } of DEMO_USERS) {
    data.addUser({ id, name, email: `${id}@billwerk.test`, status: 'active' })
    await store.set(id, { roles, scoped: {} })
  }
}

/** What `server.ts` prints in demo mode: per user, what to expect and one curl line. */
export function demoInstructions(baseUrl: string): string {
  const curl = (token: string | undefined, paths: readonly string[]): string =>
    [
      `curl -s -w ' [%{http_code}]\\n'`,
      ...(token === undefined ? [] : [`-H 'authorization: Bearer ${token}'`]),
      ...paths.map((path) => `${baseUrl}${path}`),
    ].join(' ')
  const lines = DEMO_USERS.flatMap(({ id, roles, allowed, refused }) => [
    `  ${id} (${roles.length === 0 ? 'new user, no role' : roles.join(' + ')}): ${allowed.path} ${allowed.status}, ${refused.path} ${refused.status}`,
    `    ${curl(`demo-${id}`, [allowed.path, refused.path])}`,
  ])
  return [
    'Demo users (their tokens work in demo mode only, never with NODE_ENV=production):',
    ...lines,
    '  anyone without a token: /me/personal-data 401',
    `    ${curl(undefined, ['/me/personal-data'])}`,
  ].join('\n')
}
