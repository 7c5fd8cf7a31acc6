/**
 * Demo mode: fixed users who log in with `Authorization: Bearer demo-<id>`, two teams and a little
 * data. The server turns it on unless `NODE_ENV=production`; `createApp` accepts demo tokens only
 * when given `demo: true`. Delete this file when you copy the template.
 */
import type { AssignmentStore } from '@rolegate/core'
import { teamScope, type TeamRole } from './policy.js'
import type { Records } from './records.js'
import type { Directory } from './users.js'

/** A request the start-up banner shows as a curl line, with the status it gets. */
export interface DemoRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  readonly path: string
  readonly body?: Readonly<Record<string, unknown>>
  readonly status: number
}

/** A demo user and their role in each team. */
export interface DemoUser {
  readonly id: string
  readonly email: string
  readonly name: string
  readonly teams: Readonly<Record<string, TeamRole>>
  /** What the user shows. */
  readonly about: string
  readonly allowed: DemoRequest
  readonly refused: DemoRequest
}

export const DEMO_TEAMS = [
  { id: 'riverside', name: 'Riverside Tower' },
  { id: 'harbor', name: 'Harbor Bridge' },
] as const

export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: 'alice',
    email: 'alice@billy.example',
    name: 'Alice',
    teams: { riverside: 'admin', harbor: 'read_only' },
    about: 'Admin of riverside, Read-Only on harbor',
    allowed: {
      method: 'POST',
      path: '/teams/riverside/invitations',
      body: { email: 'new@billy.example' },
      status: 201,
    },
    refused: {
      method: 'POST',
      path: '/teams/harbor/projects',
      body: { name: 'Pier 9' },
      status: 403,
    },
  },
  {
    id: 'sam',
    email: 'sam@billy.example',
    name: 'Sam',
    teams: { riverside: 'standard' },
    about: 'Standard on riverside: every project action, no settings',
    allowed: {
      method: 'POST',
      path: '/teams/riverside/projects/projects-1/policies/policies-1/waive',
      status: 200,
    },
    refused: {
      method: 'POST',
      path: '/teams/riverside/requirements',
      body: { name: 'Umbrella 5M' },
      status: 403,
    },
  },
  {
    id: 'rory',
    email: 'rory@billy.example',
    name: 'Rory',
    teams: { riverside: 'read_only' },
    about: 'Read-Only on riverside: views, uploads documents, no project changes',
    allowed: {
      method: 'POST',
      path: '/teams/riverside/projects/projects-1/documents',
      body: { name: 'coi-rory.pdf' },
      status: 201,
    },
    refused: {
      method: 'PUT',
      path: '/teams/riverside/projects/projects-1/status',
      body: { status: 'closed' },
      status: 403,
    },
  },
  {
    id: 'hana',
    email: 'hana@billy.example',
    name: 'Hana',
    teams: { harbor: 'admin' },
    about: 'Admin of harbor, not a member of riverside',
    allowed: { method: 'GET', path: '/teams/harbor/digest/recipients', status: 200 },
    refused: { method: 'GET', path: '/teams/riverside/projects', status: 403 },
  },
  {
    id: 'nick',
    email: 'nick@billy.example',
    name: 'Nick',
    teams: {},
    about: 'in no team: may create one, and change his own name and password',
    allowed: { method: 'POST', path: '/teams', body: { name: 'Nick Builders' }, status: 201 },
    refused: {
      method: 'PUT',
      path: '/users/alice/profile',
      body: { name: 'Mallory' },
      status: 403,
    },
  },
]

const DEMO_TOKEN = /^demo-([a-z]+)$/

/** The demo user a `demo-<id>` token names, or `undefined`. Only called in demo mode. */
export function demoUserId(token: string): string | undefined {
  const id = DEMO_TOKEN.exec(token)?.[1]
  return DEMO_USERS.some((user) => user.id === id) ? id : undefined
}

/** Puts the demo teams and users in the directory, their roles in the store, and data in each team. */
export async function seedDemo({
  directory,
  assignments,
  records,
}: {
  readonly directory: Directory
  readonly assignments: AssignmentStore
  readonly records: Records
}): Promise<void> {
  for (const team of DEMO_TEAMS) directory.addTeam(team)
  for (const { id, email, name, teams } of DEMO_USERS) {
    directory.addUser({ id, email, name, passwordHash: null })
    // set, not assign: a restarted demo on a shared Redis starts from the advertised roles.
    const scoped = Object.fromEntries(
      Object.entries(teams).map(([team, role]) => [teamScope(team), [role]]),
    )
    await assignments.set(id, { roles: [], scoped })
  }
  const project = records.add('riverside/projects', { name: 'Riverside Tower', status: 'active' })
  const under = `riverside/projects/${project.id}`
  records.add(`${under}/vendors`, { name: 'Steel & Co', compliance: 'compliant' })
  records.add(`${under}/documents`, { name: 'coi-steel.pdf', status: 'in_review' })
  records.add(`${under}/contract_notes`, { text: 'Retainage 5% until handover' })
  records.add(`${under}/policies`, { type: 'general_liability', status: 'expired' })
  records.add('riverside/coverages', { name: 'General Liability', limit: 1_000_000 })
  records.add('riverside/directory', { name: 'Steel & Co', email: 'office@steel.example' })
  records.add('harbor/projects', { name: 'Harbor Bridge', status: 'active' })
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
