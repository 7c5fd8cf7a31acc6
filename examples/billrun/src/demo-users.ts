/**
 * Demo users and their tokens, for trying the example with curl. **Demo mode only**: the app reads
 * these tokens only when it is created with `demo: true`, which `server.ts` does unless
 * `NODE_ENV=production`. Delete this file when you copy the example.
 */
import type { AssignmentStore, Subject } from '@rolegate/core'
import type { Request } from 'express'

/** A request shown in the start-up instructions. */
export interface DemoRequest {
  readonly method: 'GET'
  readonly path: string
  /** The status it gets for this user. */
  readonly status: number
}

/** A local demo user: `Authorization: Bearer demo-<id>`. */
export interface DemoUser {
  readonly id: string
  readonly roles: readonly string[]
  readonly about: string
  /** A request this user may make. */
  readonly allowed: DemoRequest
  /** A request this user is refused, if there is one (admin supersedes everything). */
  readonly refused?: DemoRequest
}

const get = (path: string, status: number): DemoRequest => ({ method: 'GET', path, status })

/** BillRun's demo users: one per role, one with two roles, one with none. */
export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'ada', roles: ['admin'], about: 'platform owner', allowed: get('/config', 200) },
  {
    id: 'otto',
    roles: ['write'],
    about: 'operations: changes data, runs billing',
    allowed: get('/customers', 200),
    refused: get('/config', 403),
  },
  {
    id: 'rita',
    roles: ['read'],
    about: 'support: views data and dashboards',
    allowed: get('/invoices', 200),
    refused: get('/reports/export', 403),
  },
  {
    id: 'rex',
    roles: ['reports'],
    about: 'finance: reports and exports only',
    allowed: get('/reports/export', 200),
    refused: get('/customers', 403),
  },
  {
    id: 'mira',
    roles: ['read', 'reports'],
    about: 'auditor: two roles, the most permissive applies',
    allowed: get('/reports/export', 200),
    refused: get('/config', 403),
  },
  {
    id: 'nina',
    roles: [],
    about: 'new local user without a role',
    allowed: get('/me', 200),
    refused: get('/reports', 403),
  },
]

const TOKEN = /^Bearer demo-([a-z]+)$/

/**
 * The demo user named by `Authorization: Bearer demo-<id>`, as a subject whose roles come from the
 * store; `undefined` for any other header. Only `createApp({ demo: true })` calls it.
 */
export function demoSubject(req: Request): Subject | undefined {
  const id = TOKEN.exec(req.get('authorization') ?? '')?.[1]
  const user = DEMO_USERS.find((u) => u.id === id)
  return user === undefined ? undefined : { id: user.id }
}

/** Gives each demo user its roles in the store (they are local users: roles live in BillRun). */
export async function seedDemoUsers(store: AssignmentStore): Promise<void> {
  for (const user of DEMO_USERS) await store.set(user.id, { roles: user.roles, scoped: {} })
}

/** The requests shown for a user: the allowed one, then the refused one if any. */
export function demoRequests(user: DemoUser): DemoRequest[] {
  return user.refused === undefined ? [user.allowed] : [user.allowed, user.refused]
}

/** What `server.ts` prints in demo mode: per user, what to expect and one curl line. */
export function demoInstructions(baseUrl: string): string {
  const curl = (token: string, paths: readonly string[]): string =>
    [
      `curl -s -w ' [%{http_code}]\\n'`,
      ...(token === '' ? [] : [`-H 'authorization: Bearer ${token}'`]),
      ...paths.map((path) => `${baseUrl}${path}`),
    ].join(' ')
  const lines = DEMO_USERS.flatMap((user) => {
    const requests = demoRequests(user)
    const roles = user.roles.length === 0 ? 'no role' : user.roles.join(' + ')
    const expect = requests.map((r) => `${r.path} ${r.status}`).join(', ')
    const note = user.refused === undefined ? ' (admin supersedes: nothing is refused)' : ''
    return [
      `  ${user.id} (${roles}), ${user.about}: ${expect}${note}`,
      `    ${curl(
        `demo-${user.id}`,
        requests.map((r) => r.path),
      )}`,
    ]
  })
  return [
    'Demo users (their tokens work in demo mode only, never with NODE_ENV=production):',
    ...lines,
    '  anyone without a token: /reports 401',
    `    ${curl('', ['/reports'])}`,
  ].join('\n')
}
