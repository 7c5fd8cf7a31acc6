import type { RequestListener } from 'node:http'
import request, { type Response } from 'supertest'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createApp, type AppOptions } from '../../examples/billy/src/app.js'
import { DEMO_USERS, demoUserId, seedDemo } from '../../examples/billy/src/demo-users.js'
import { NOTIFICATIONS, recipients } from '../../examples/billy/src/digest.js'
import type { Mail } from '../../examples/billy/src/mail.js'
import { memoryRecords } from '../../examples/billy/src/records.js'
import { memoryStores, redisStores, type Stores } from '../../examples/billy/src/stores.js'
import { memoryDirectory, type Directory } from '../../examples/billy/src/users.js'
import { redisUrl, uniquePrefix } from '../support/redis-server.js'
import { missingPermission, notFound, UNAUTHENTICATED } from './support/problem-bodies.js'
import { missingPermissionIn, missingRoleIn } from './support/scoped-problem-bodies.js'
import { racingAssignments } from './support/racing-assignments.js'
import { removeRedisKeys } from './support/remove-redis-keys.js'
import { bannerCurlLines, runBannerCurl } from './support/banner-curl-lines.js'
import { bodyOf, sendAsDemoUser, type DemoCall } from './support/send-as-demo-user.js'
import { spawnExampleServer } from './support/spawn-example-server.js'

const USERS = ['alice', 'sam', 'rory', 'hana', 'nick'] as const
type User = (typeof USERS)[number]
const RIVERSIDE = 'team:riverside'
const HARBOR = 'team:harbor'

interface Billy {
  readonly app: RequestListener
  readonly mail: Mail[]
  readonly stores: Stores
  readonly directory: Directory
}

/** A fresh app in demo mode with the demo teams, users and data seeded; mail is kept, not printed. */
async function demoApp(options: AppOptions = {}): Promise<Billy> {
  const stores = options.stores ?? memoryStores()
  const directory = memoryDirectory()
  const records = memoryRecords()
  await seedDemo({ directory, assignments: stores.assignments, records })
  const mail: Mail[] = []
  const koa = createApp({
    stores,
    directory,
    records,
    demo: true,
    mailer: (m) => void mail.push(m),
    ...options,
  })
  const handle = koa.callback()
  return { app: (req, res) => void handle(req, res), mail, stores, directory }
}

/** A request with a session token (from login or an accepted invitation). */
function withToken(app: RequestListener, token: string) {
  const auth = (req: request.Test): request.Test => req.set('authorization', `Bearer ${token}`)
  return {
    get: (path: string) => auth(request(app).get(path)),
    post: (path: string, body: object = {}) => auth(request(app).post(path)).send(body),
    put: (path: string, body: object) => auth(request(app).put(path)).send(body),
  }
}

const as = (app: RequestListener, user: User, call: Omit<DemoCall, 'user'>): Promise<Response> =>
  sendAsDemoUser(app, { user, ...call })

/** A user as the API shows them. */
function person(id: string, name?: string) {
  const user = DEMO_USERS.find((u) => u.id === id)
  if (user === undefined) throw new Error(`no demo user ${id}`)
  return { id, email: user.email, name: name ?? user.name }
}

/** An example problem body other than `not-found`. */
function problem(slug: string, title: string, status: number, detail: string, extra = {}) {
  return { type: `urn:rolegate-example:problem:${slug}`, title, status, detail, ...extra }
}

const UNKNOWN_ROLE = problem(
  'unknown-role',
  'Unknown role',
  422,
  '"role" must be one of "admin", "standard", "read_only".',
  { field: 'role', roles: ['admin', 'standard', 'read_only'] },
)
const SESSION = expect.stringMatching(/^s_/) as unknown

// What seedDemo puts in the two teams.
const P1 = '/teams/riverside/projects/projects-1'
const DATA = {
  projects: [{ id: 'projects-1', name: 'Riverside Tower', status: 'active' }],
  vendors: [{ id: 'vendors-1', name: 'Steel & Co', compliance: 'compliant' }],
  documents: [{ id: 'documents-1', name: 'coi-steel.pdf', status: 'in_review' }],
  notes: [{ id: 'contract_notes-1', text: 'Retainage 5% until handover' }],
  coverages: [{ id: 'coverages-1', name: 'General Liability', limit: 1_000_000 }],
  directory: [{ id: 'directory-1', name: 'Steel & Co', email: 'office@steel.example' }],
  harborProjects: [{ id: 'projects-2', name: 'Harbor Bridge', status: 'active' }],
}

interface Route extends Omit<DemoCall, 'user'> {
  /** What the guard requires: a permission, or `role:<name>` for `requireRole`. */
  readonly requires: string
  /** The team the guard decides in; none for the routes on one's own account. */
  readonly scope?: string
  /** Who may, by the seed's roles: riverside alice Admin, sam Standard, rory Read-Only; harbor hana Admin, alice Read-Only; nick in no team. */
  readonly allowed: readonly User[]
  /** Status and body when allowed. */
  readonly ok: (user: User) => readonly [status: number, body: unknown]
  /** The reason of a refusal when it is not `no-grant`. */
  readonly reason?: string
}

const EVERYONE: readonly User[] = USERS
const R_VIEW: readonly User[] = ['alice', 'sam', 'rory']
const R_EDIT: readonly User[] = ['alice', 'sam']
const R_ADMIN: readonly User[] = ['alice']
const ok = (status: number, body: unknown) => (): readonly [number, unknown] => [status, body]

const ROUTES: readonly Route[] = [
  // Projects in riverside: Read-Only views, uploads and downloads, and changes nothing else.
  {
    method: 'GET',
    path: '/teams/riverside/projects',
    requires: 'projects:read',
    scope: RIVERSIDE,
    allowed: R_VIEW,
    ok: ok(200, DATA.projects),
  },
  {
    method: 'POST',
    path: '/teams/riverside/projects',
    body: { name: 'Annex' },
    requires: 'projects:write',
    scope: RIVERSIDE,
    allowed: R_EDIT,
    ok: ok(201, { id: 'projects-3', name: 'Annex', status: 'active' }),
  },
  {
    method: 'PUT',
    path: `${P1}/status`,
    body: { status: 'on_hold' },
    requires: 'projects:write',
    scope: RIVERSIDE,
    allowed: R_EDIT,
    ok: ok(200, { ...DATA.projects[0], status: 'on_hold' }),
  },
  {
    method: 'GET',
    path: `${P1}/vendors`,
    requires: 'projects.vendors:read',
    scope: RIVERSIDE,
    allowed: R_VIEW,
    ok: ok(200, DATA.vendors),
  },
  {
    method: 'POST',
    path: `${P1}/vendors`,
    body: { name: 'Glass Ltd' },
    requires: 'projects.vendors:write',
    scope: RIVERSIDE,
    allowed: R_EDIT,
    ok: ok(201, { id: 'vendors-2', name: 'Glass Ltd', compliance: 'pending' }),
  },
  {
    method: 'GET',
    path: `${P1}/documents`,
    requires: 'projects.documents:read',
    scope: RIVERSIDE,
    allowed: R_VIEW,
    ok: ok(200, DATA.documents),
  },
  {
    method: 'POST',
    path: `${P1}/documents`,
    body: { name: 'coi.pdf' },
    requires: 'projects.documents:upload',
    scope: RIVERSIDE,
    allowed: R_VIEW,
    ok: (user) => [
      201,
      { id: 'documents-2', name: 'coi.pdf', status: 'uploaded', uploadedBy: user },
    ],
  },
  {
    method: 'GET',
    path: `${P1}/documents/documents-1/download`,
    requires: 'projects.documents:download',
    scope: RIVERSIDE,
    allowed: R_VIEW,
    ok: ok(200, '(the contents of coi-steel.pdf)'),
  },
  {
    method: 'POST',
    path: `${P1}/documents/documents-1/review`,
    body: { decision: 'approved' },
    requires: 'projects.documents:review',
    scope: RIVERSIDE,
    allowed: R_EDIT,
    ok: (user) => [200, { ...DATA.documents[0], status: 'approved', reviewedBy: user }],
  },
  {
    method: 'POST',
    path: `${P1}/policies/policies-1/waive`,
    requires: 'projects.policies:waive',
    scope: RIVERSIDE,
    allowed: R_EDIT,
    ok: (user) => [
      200,
      { id: 'policies-1', type: 'general_liability', status: 'waived', waivedBy: user },
    ],
  },
  {
    method: 'GET',
    path: `${P1}/contract-notes`,
    requires: 'projects.contract_notes:read',
    scope: RIVERSIDE,
    allowed: R_VIEW,
    ok: ok(200, DATA.notes),
  },
  {
    method: 'POST',
    path: `${P1}/contract-notes`,
    body: { text: 'Change order 2' },
    requires: 'projects.contract_notes:write',
    scope: RIVERSIDE,
    allowed: R_EDIT,
    ok: ok(201, { id: 'contract_notes-2', text: 'Change order 2' }),
  },
  // Coverages and Directory: all actions for every role, Read-Only included.
  {
    method: 'GET',
    path: '/teams/riverside/coverages',
    requires: 'coverages:read',
    scope: RIVERSIDE,
    allowed: R_VIEW,
    ok: ok(200, DATA.coverages),
  },
  {
    method: 'POST',
    path: '/teams/riverside/coverages',
    body: { name: 'Auto', limit: 500_000 },
    requires: 'coverages:write',
    scope: RIVERSIDE,
    allowed: R_VIEW,
    ok: ok(201, { id: 'coverages-2', name: 'Auto', limit: 500_000 }),
  },
  {
    method: 'GET',
    path: '/teams/riverside/directory',
    requires: 'directory:read',
    scope: RIVERSIDE,
    allowed: R_VIEW,
    ok: ok(200, DATA.directory),
  },
  {
    method: 'POST',
    path: '/teams/riverside/directory',
    body: { name: 'Jo', email: 'jo@steel.example' },
    requires: 'directory:write',
    scope: RIVERSIDE,
    allowed: R_VIEW,
    ok: ok(201, { id: 'directory-2', name: 'Jo', email: 'jo@steel.example' }),
  },
  // Settings and requirements: Admin only.
  {
    method: 'GET',
    path: '/teams/riverside/members',
    requires: 'settings.users:read',
    scope: RIVERSIDE,
    allowed: R_ADMIN,
    ok: ok(200, [
      { ...person('alice'), role: 'admin' },
      { ...person('rory'), role: 'read_only' },
      { ...person('sam'), role: 'standard' },
    ]),
  },
  {
    method: 'POST',
    path: '/teams/riverside/invitations',
    body: { email: 'new@billy.example' },
    requires: 'settings.users:invite',
    scope: RIVERSIDE,
    allowed: R_ADMIN,
    ok: ok(201, { email: 'new@billy.example', team: 'riverside', role: 'standard' }),
  },
  {
    method: 'PUT',
    path: '/teams/riverside/members/rory/role',
    body: { role: 'standard' },
    requires: 'settings.users:write',
    scope: RIVERSIDE,
    allowed: R_ADMIN,
    ok: ok(200, { ...person('rory'), role: 'standard' }),
  },
  {
    method: 'POST',
    path: '/teams/riverside/legal-entities',
    body: { name: 'Riverside LLC' },
    requires: 'settings.legal_entities:write',
    scope: RIVERSIDE,
    allowed: R_ADMIN,
    ok: ok(201, { id: 'legal_entities-1', name: 'Riverside LLC' }),
  },
  {
    method: 'POST',
    path: '/teams/riverside/requirement-groups',
    body: { name: 'Subcontractors' },
    requires: 'settings.requirement_groups:write',
    scope: RIVERSIDE,
    allowed: R_ADMIN,
    ok: ok(201, { id: 'requirement_groups-1', name: 'Subcontractors' }),
  },
  {
    method: 'POST',
    path: '/teams/riverside/requirements',
    body: { name: 'GL 1M' },
    requires: 'requirements:write',
    scope: RIVERSIDE,
    allowed: R_ADMIN,
    ok: ok(201, { id: 'requirements-1', name: 'GL 1M' }),
  },
  {
    method: 'GET',
    path: '/teams/riverside/digest/recipients',
    requires: 'role:admin',
    scope: RIVERSIDE,
    allowed: R_ADMIN,
    // Rory is Read-Only: no weekly digest.
    ok: ok(200, { notification: 'digest', recipients: [person('alice'), person('sam')] }),
  },
  // harbor: Alice is Read-Only there, Hana the Admin.
  {
    method: 'GET',
    path: '/teams/harbor/projects',
    requires: 'projects:read',
    scope: HARBOR,
    allowed: ['alice', 'hana'],
    ok: ok(200, DATA.harborProjects),
  },
  {
    method: 'POST',
    path: '/teams/harbor/projects',
    body: { name: 'Pier 9' },
    requires: 'projects:write',
    scope: HARBOR,
    allowed: ['hana'],
    ok: ok(201, { id: 'projects-3', name: 'Pier 9', status: 'active' }),
  },
  {
    method: 'POST',
    path: '/teams/harbor/projects/projects-2/documents',
    body: { name: 'coi.pdf' },
    requires: 'projects.documents:upload',
    scope: HARBOR,
    allowed: ['alice', 'hana'],
    ok: (user) => [
      201,
      { id: 'documents-2', name: 'coi.pdf', status: 'uploaded', uploadedBy: user },
    ],
  },
  {
    method: 'POST',
    path: '/teams/harbor/invitations',
    body: { email: 'x@billy.example', role: 'read_only' },
    requires: 'settings.users:invite',
    scope: HARBOR,
    allowed: ['hana'],
    ok: ok(201, { email: 'x@billy.example', team: 'harbor', role: 'read_only' }),
  },
  {
    method: 'GET',
    path: '/teams/harbor/digest/recipients',
    requires: 'role:admin',
    scope: HARBOR,
    allowed: ['hana'],
    ok: ok(200, { notification: 'digest', recipients: [person('hana')] }),
  },
  // Every user: create a team; change one's own name and password, never another's.
  {
    method: 'POST',
    path: '/teams',
    body: { name: 'New Co' },
    requires: 'teams:create',
    allowed: EVERYONE,
    ok: ok(201, {
      id: expect.stringMatching(/^t_[0-9a-f]{8}$/) as unknown,
      name: 'New Co',
      role: 'admin',
    }),
  },
  {
    method: 'GET',
    path: '/me',
    requires: '(authenticated)',
    allowed: EVERYONE,
    ok: (user) => [200, { ...person(user), teams: DEMO_USERS.find((u) => u.id === user)?.teams }],
  },
  {
    method: 'PUT',
    path: '/me/profile',
    body: { name: 'Renamed' },
    requires: 'users.profile:write',
    allowed: EVERYONE,
    ok: (user) => [200, person(user, 'Renamed')],
  },
  {
    method: 'PUT',
    path: '/me/password',
    body: { password: 'correct horse' },
    requires: 'users.password:write',
    allowed: EVERYONE,
    ok: ok(200, { token: SESSION }),
  },
  {
    method: 'PUT',
    path: '/users/alice/profile',
    body: { name: 'Mallory' },
    requires: 'users.profile:write',
    allowed: ['alice'],
    ok: ok(200, person('alice', 'Mallory')),
    reason: 'condition-failed',
  },
  {
    method: 'PUT',
    path: '/users/alice/password',
    body: { password: 'mallory was here' },
    requires: 'users.password:write',
    allowed: ['alice'],
    ok: ok(200, { token: SESSION }),
    reason: 'condition-failed',
  },
]

function expected(route: Route, user: User | undefined): readonly [number, unknown] {
  if (user === undefined) return [401, UNAUTHENTICATED]
  if (route.allowed.includes(user)) return route.ok(user)
  const { requires, scope, reason = 'no-grant' } = route
  if (requires.startsWith('role:')) return [403, missingRoleIn(requires.slice(5), scope ?? '')]
  return [
    403,
    scope === undefined
      ? missingPermission(requires, reason)
      : missingPermissionIn(requires, scope, reason),
  ]
}

const WALK = ROUTES.flatMap((route) =>
  [...USERS, undefined].map((user) => {
    const [status, body] = expected(route, user)
    const name = `${user ?? 'anonymous'} ${route.method} ${route.path}${route.body === undefined ? '' : ` ${JSON.stringify(route.body)}`} → ${status}`
    return { name, call: { ...route, user }, status, body }
  }),
)

describe('every demo user through every route', () => {
  test.each(WALK)('$name', async ({ call, status, body }) => {
    const { app } = await demoApp()
    const res = await sendAsDemoUser(app, call)
    expect([res.status, bodyOf(res)]).toEqual([status, body])
    if (status === 401 || status === 403)
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    if (status === 401) expect(res.headers['www-authenticate']).toBe('Bearer')
  })
})

describe('one user, two teams: Admin on one, Read-Only on the other', () => {
  test('alice manages riverside and only views and uploads on harbor', async () => {
    const { app } = await demoApp()
    const statuses = await Promise.all(
      [
        { method: 'POST', path: '/teams/riverside/invitations', body: { email: 'a@b.example' } },
        { method: 'POST', path: '/teams/harbor/invitations', body: { email: 'a@b.example' } },
        { method: 'POST', path: '/teams/riverside/projects', body: { name: 'x' } },
        { method: 'POST', path: '/teams/harbor/projects', body: { name: 'x' } },
        {
          method: 'POST',
          path: '/teams/harbor/projects/projects-2/documents',
          body: { name: 'x' },
        },
        { method: 'POST', path: '/teams/harbor/coverages', body: { name: 'x' } },
      ].map(async (call) => (await as(app, 'alice', call as Omit<DemoCall, 'user'>)).status),
    )
    expect(statuses).toEqual([201, 403, 201, 403, 201, 201])
  })
})

describe('team creation: whoever creates a team is its Admin, there only', () => {
  test('a user in no team creates one, administers it, and gains nothing elsewhere', async () => {
    const { app } = await demoApp()
    const created = await as(app, 'nick', {
      method: 'POST',
      path: '/teams',
      body: { name: 'Nick Builders' },
    })
    const id = String((created.body as { id: unknown }).id)
    expect(created.status).toBe(201)
    const invite = await as(app, 'nick', {
      method: 'POST',
      path: `/teams/${id}/invitations`,
      body: { email: 'crew@billy.example', role: 'read_only' },
    })
    expect([invite.status, invite.body]).toEqual([
      201,
      { email: 'crew@billy.example', team: id, role: 'read_only' },
    ])
    const riverside = await as(app, 'nick', { method: 'GET', path: '/teams/riverside/projects' })
    expect([riverside.status, riverside.body]).toEqual([
      403,
      missingPermissionIn('projects:read', RIVERSIDE),
    ])
    const me = await as(app, 'nick', { method: 'GET', path: '/me' })
    expect(me.body).toEqual({ ...person('nick'), teams: { [id]: 'admin' } })
  })

  test('a Read-Only member of harbor who creates a team is Admin of the new team, still Read-Only on harbor', async () => {
    const { app } = await demoApp()
    const created = await as(app, 'alice', {
      method: 'POST',
      path: '/teams',
      body: { name: 'Alice & Co' },
    })
    const id = String((created.body as { id: unknown }).id)
    const members = await as(app, 'alice', { method: 'GET', path: `/teams/${id}/members` })
    expect(members.body).toEqual([{ ...person('alice'), role: 'admin' }])
    const harbor = await as(app, 'alice', { method: 'GET', path: '/teams/harbor/members' })
    expect([harbor.status, harbor.body]).toEqual([
      403,
      missingPermissionIn('settings.users:read', HARBOR),
    ])
  })

  test('a team needs a name', async () => {
    const { app } = await demoApp()
    const res = await as(app, 'nick', { method: 'POST', path: '/teams', body: {} })
    expect([res.status, res.body]).toEqual([
      422,
      problem('invalid-field', 'Invalid field', 422, 'A non-empty "name" is required.', {
        field: 'name',
      }),
    ])
  })
})

/** Accepts the last invitation mailed, as a new user with a password. */
async function accept(billy: Billy, extra: object = { password: 'correct horse', name: 'Newbie' }) {
  return request(billy.app)
    .post('/invitations/accept')
    .send({ token: billy.mail.at(-1)?.token, ...extra })
}

describe('invitations default to Standard', () => {
  test('an invited user holds Standard from their first request, and logs in with their password', async () => {
    const billy = await demoApp()
    await as(billy.app, 'alice', {
      method: 'POST',
      path: '/teams/riverside/invitations',
      body: { email: 'New@Billy.example' },
    })
    expect(billy.mail.map(({ to, subject }) => ({ to, subject }))).toEqual([
      {
        to: 'new@billy.example',
        subject: 'You are invited to Riverside Tower on Billy as standard',
      },
    ])
    const accepted = await accept(billy)
    const { user, token } = accepted.body as { user: { id: string }; token: string }
    expect([accepted.status, accepted.body]).toEqual([
      201,
      {
        user: { id: user.id, email: 'new@billy.example', name: 'Newbie' },
        team: 'riverside',
        role: 'standard',
        token: SESSION,
      },
    ])
    expect(user.id).toMatch(/^u_[0-9a-f]{12}$/)
    const newbie = withToken(billy.app, token)
    expect((await newbie.post(`${P1}/policies/policies-1/waive`)).status).toBe(200)
    expect((await newbie.get('/teams/riverside/members')).body).toEqual(
      missingPermissionIn('settings.users:read', RIVERSIDE),
    )
    const login = await request(billy.app)
      .post('/login')
      .send({ email: 'new@billy.example', password: 'correct horse' })
    expect([login.status, login.body]).toEqual([
      200,
      { user: { id: user.id, email: 'new@billy.example', name: 'Newbie' }, token: SESSION },
    ])
  })

  test('an existing user invited to another team joins it with the invited role, and keeps the others', async () => {
    const billy = await demoApp()
    await as(billy.app, 'hana', {
      method: 'POST',
      path: '/teams/harbor/invitations',
      body: { email: 'sam@billy.example', role: 'read_only' },
    })
    const accepted = await accept(billy, {})
    expect([accepted.status, accepted.body]).toEqual([
      200,
      { user: person('sam'), team: 'harbor', role: 'read_only' },
    ])
    const me = await as(billy.app, 'sam', { method: 'GET', path: '/me' })
    expect(me.body).toEqual({
      ...person('sam'),
      teams: { riverside: 'standard', harbor: 'read_only' },
    })
    const create = await as(billy.app, 'sam', {
      method: 'POST',
      path: '/teams/harbor/projects',
      body: { name: 'x' },
    })
    expect(create.body).toEqual(missingPermissionIn('projects:write', HARBOR))
  })

  test("a member's pending invitation is refused, so it cannot take the team's last Admin away", async () => {
    const billy = await demoApp()
    const invite = async (role: string) => {
      const res = await as(billy.app, 'alice', {
        method: 'POST',
        path: '/teams/riverside/invitations',
        body: { email: 'hana@billy.example', role },
      })
      expect([res.status, res.body]).toEqual([
        201,
        { email: 'hana@billy.example', team: 'riverside', role },
      ])
      return billy.mail.at(-1)?.token
    }
    const asReadOnly = await invite('read_only')
    const asAdmin = await invite('admin')
    const joined = await request(billy.app).post('/invitations/accept').send({ token: asAdmin })
    expect([joined.status, joined.body]).toEqual([
      200,
      { user: person('hana'), team: 'riverside', role: 'admin' },
    ])
    const stepDown = await as(billy.app, 'alice', {
      method: 'PUT',
      path: '/teams/riverside/members/alice/role',
      body: { role: 'standard' },
    })
    expect([stepDown.status, stepDown.body]).toEqual([
      200,
      { ...person('alice'), role: 'standard' },
    ])
    const stale = await request(billy.app).post('/invitations/accept').send({ token: asReadOnly })
    expect([stale.status, stale.body, stale.headers['content-type']]).toEqual([
      409,
      problem(
        'already-member',
        'Already a member',
        409,
        'hana@billy.example is already a member of team "riverside": an Admin changes a member\'s role, an invitation does not.',
      ),
      'application/problem+json; charset=utf-8',
    ])
    const members = await as(billy.app, 'hana', { method: 'GET', path: '/teams/riverside/members' })
    expect([members.status, members.body]).toEqual([
      200,
      [
        { ...person('alice'), role: 'standard' },
        { ...person('hana'), role: 'admin' },
        { ...person('rory'), role: 'read_only' },
        { ...person('sam'), role: 'standard' },
      ],
    ])
  })

  test('a new user who joined through one invitation cannot use another to change their role', async () => {
    const billy = await demoApp()
    const invite = async (role: string) => {
      await as(billy.app, 'alice', {
        method: 'POST',
        path: '/teams/riverside/invitations',
        body: { email: 'new@billy.example', role },
      })
      return billy.mail.at(-1)?.token
    }
    const asAdmin = await invite('admin')
    const asReadOnly = await invite('read_only')
    const joined = await request(billy.app)
      .post('/invitations/accept')
      .send({ token: asReadOnly, password: 'correct horse' })
    expect([joined.status, (joined.body as { role: string }).role]).toEqual([201, 'read_only'])
    const again = await request(billy.app).post('/invitations/accept').send({ token: asAdmin })
    expect([again.status, again.body]).toEqual([
      409,
      problem(
        'already-member',
        'Already a member',
        409,
        'new@billy.example is already a member of team "riverside": an Admin changes a member\'s role, an invitation does not.',
      ),
    ])
    const newbie = withToken(billy.app, (joined.body as { token: string }).token)
    expect((await newbie.get('/teams/riverside/members')).body).toEqual(
      missingPermissionIn('settings.users:read', RIVERSIDE),
    )
  })

  test.each([
    [{ email: 'n@billy.example', role: 'owner' }, 422, UNKNOWN_ROLE],
    // The default role every user holds is not a team role.
    [{ email: 'n@billy.example', role: 'everyone' }, 422, UNKNOWN_ROLE],
    [{ email: 'n@billy.example', role: null }, 422, UNKNOWN_ROLE],
    [
      { email: 'nope' },
      422,
      problem('invalid-field', 'Invalid field', 422, '"email" must be an email address.', {
        field: 'email',
      }),
    ],
    [
      { email: 'rory@billy.example', role: 'admin' },
      409,
      problem(
        'already-member',
        'Already a member',
        409,
        'rory@billy.example is already a member of this team.',
      ),
    ],
  ])('inviting %j: %i', async (body, status, problemBody) => {
    const billy = await demoApp()
    const res = await as(billy.app, 'alice', {
      method: 'POST',
      path: '/teams/riverside/invitations',
      body,
    })
    expect([res.status, res.body, res.headers['content-type']]).toEqual([
      status,
      problemBody,
      'application/problem+json; charset=utf-8',
    ])
    expect(billy.mail).toEqual([])
  })

  test('an invitation is accepted once, with a password of eight characters or more', async () => {
    const billy = await demoApp()
    await as(billy.app, 'alice', {
      method: 'POST',
      path: '/teams/riverside/invitations',
      body: { email: 'new@billy.example' },
    })
    const short = await accept(billy, { password: 'short' })
    expect([short.status, short.body]).toEqual([
      422,
      problem(
        'invalid-field',
        'Invalid field',
        422,
        'A "password" of at least 8 characters is required.',
        {
          field: 'password',
        },
      ),
    ])
    const again = await accept(billy)
    expect([again.status, again.body]).toEqual([
      400,
      problem('invalid-token', 'Invalid token', 400, 'The invitation is unknown, used or expired.'),
    ])
  })
})

describe('a change of role takes effect on the next request', () => {
  test('Read-Only promoted to Standard may change the project at once, and gets the digest', async () => {
    const { app } = await demoApp()
    const roryChangesStatus = () =>
      as(app, 'rory', { method: 'PUT', path: `${P1}/status`, body: { status: 'closed' } })
    const setRory = (role: string) =>
      as(app, 'alice', {
        method: 'PUT',
        path: '/teams/riverside/members/rory/role',
        body: { role },
      })
    const digest = async () =>
      (
        (await as(app, 'alice', { method: 'GET', path: '/teams/riverside/digest/recipients' }))
          .body as {
          recipients: { id: string }[]
        }
      ).recipients.map((r) => r.id)

    expect([(await roryChangesStatus()).status, await digest()]).toEqual([403, ['alice', 'sam']])
    expect((await setRory('standard')).body).toEqual({ ...person('rory'), role: 'standard' })
    expect([(await roryChangesStatus()).status, await digest()]).toEqual([
      200,
      ['alice', 'rory', 'sam'],
    ])
    await setRory('read_only')
    expect([(await roryChangesStatus()).status, await digest()]).toEqual([403, ['alice', 'sam']])
  })

  test('the last Admin of a team cannot step down; a role change must name a team role', async () => {
    const { app } = await demoApp()
    const stepDown = await as(app, 'hana', {
      method: 'PUT',
      path: '/teams/harbor/members/hana/role',
      body: { role: 'standard' },
    })
    expect([stepDown.status, stepDown.body]).toEqual([
      409,
      problem('last-admin', 'Last Admin', 409, 'This is the last Admin of team "harbor".'),
    ])
    const unknown = await as(app, 'alice', {
      method: 'PUT',
      path: '/teams/riverside/members/sam/role',
      body: { role: 'everyone' },
    })
    expect([unknown.status, unknown.body]).toEqual([422, UNKNOWN_ROLE])
    const stranger = await as(app, 'alice', {
      method: 'PUT',
      path: '/teams/riverside/members/hana/role',
      body: { role: 'standard' },
    })
    expect([stranger.status, stranger.body]).toEqual([
      404,
      notFound('There is no member "hana" in team "riverside".'),
    ])
  })
})

describe('two Admins stepping down at once', () => {
  /** The demo's stores, whose lists of Admins can be held (see racingAssignments). */
  function racingStores() {
    const stores = memoryStores()
    const { assignments, hold } = racingAssignments(stores.assignments, 'admin')
    return { stores: { ...stores, assignments }, hold }
  }

  test('leave the team an Admin: the change that would leave none is undone with 409', async () => {
    const { stores, hold } = racingStores()
    const { app } = await demoApp({ stores })
    const setRole = (user: User, member: string, role: string) =>
      as(app, user, {
        method: 'PUT',
        path: `/teams/riverside/members/${member}/role`,
        body: { role },
      })
    expect((await setRole('alice', 'rory', 'admin')).status).toBe(200)
    hold(2)
    const both = await Promise.all([
      setRole('alice', 'alice', 'standard'),
      setRole('rory', 'rory', 'standard'),
    ])
    const admins = await stores.assignments.list({ role: 'admin', scope: 'team:riverside' })
    expect(admins.length).toBeGreaterThanOrEqual(1)
    const refused = both.filter((res) => res.status !== 200)
    expect(refused.length).toBeGreaterThanOrEqual(1)
    for (const res of refused)
      expect([res.status, res.body]).toEqual([
        409,
        problem('last-admin', 'Last Admin', 409, 'This is the last Admin of team "riverside".'),
      ])
  })
})

describe('everyone changes their own name and password, and only their own', () => {
  test("a team Admin cannot change a member's name: the grant is on one's own user", async () => {
    const { app } = await demoApp()
    const res = await as(app, 'alice', {
      method: 'PUT',
      path: '/users/sam/profile',
      body: { name: 'X' },
    })
    expect([res.status, res.body]).toEqual([
      403,
      missingPermission('users.profile:write', 'condition-failed'),
    ])
  })

  test('a password change ends the other sessions; the new password logs in, the old does not', async () => {
    const billy = await demoApp()
    await as(billy.app, 'alice', {
      method: 'POST',
      path: '/teams/riverside/invitations',
      body: { email: 'new@billy.example' },
    })
    const { token: first } = (await accept(billy)).body as { token: string }
    const changed = await withToken(billy.app, first).put('/me/password', {
      password: 'battery staple',
    })
    const { token: second } = changed.body as { token: string }
    expect([changed.status, second]).toEqual([200, SESSION])
    expect((await withToken(billy.app, first).get('/me')).body).toEqual(UNAUTHENTICATED)
    expect((await withToken(billy.app, second).get('/me')).status).toBe(200)
    const login = (password: string) =>
      request(billy.app).post('/login').send({ email: 'new@billy.example', password })
    const old = await login('correct horse')
    expect([old.status, old.body]).toEqual([
      401,
      problem(
        'invalid-credentials',
        'Invalid credentials',
        401,
        'The email or the password is wrong.',
      ),
    ])
    expect((await login('battery staple')).status).toBe(200)
  })

  test('demo users have no password: they cannot log in with one', async () => {
    const { app } = await demoApp()
    const res = await request(app)
      .post('/login')
      .send({ email: 'alice@billy.example', password: '' })
    expect(res.status).toBe(401)
  })
})

describe('notifications go only to members whose role allows them (rg.who)', () => {
  test.each(NOTIFICATIONS)(
    '%s: Admins and Standard members of the team, never Read-Only',
    async (kind) => {
      const stores = memoryStores()
      const directory = memoryDirectory()
      await seedDemo({ directory, assignments: stores.assignments, records: memoryRecords() })
      const ids = async (team: string) =>
        (await recipients({ ...stores, directory }, team, kind)).map((r) => r.id)
      expect([await ids('riverside'), await ids('harbor'), await ids('nowhere')]).toEqual([
        ['alice', 'sam'],
        ['hana'],
        [],
      ])
    },
  )
})

describe('demo mode', () => {
  test.each(
    DEMO_USERS.flatMap((u) => [
      { user: u, call: u.allowed },
      { user: u, call: u.refused },
    ]),
  )(
    'the banner line for $user.id, $call.method $call.path, answers $call.status',
    async ({ user, call }) => {
      const { app } = await demoApp()
      const res = await sendAsDemoUser(app, { user: user.id, ...call })
      expect(res.status).toBe(call.status)
    },
  )

  test('without demo mode a demo token names nobody: 401', async () => {
    const { app } = await demoApp({ demo: false })
    const res = await as(app, 'alice', { method: 'GET', path: '/teams/riverside/projects' })
    expect([res.status, bodyOf(res)]).toEqual([401, UNAUTHENTICATED])
  })

  test('demo tokens name only the demo users', () => {
    expect(['demo-alice', 'demo-nick', 'demo-eve', 'alice', 'demo-Alice'].map(demoUserId)).toEqual([
      'alice',
      'nick',
      undefined,
      undefined,
      undefined,
    ])
  })
})

describe.sequential('two app instances sharing Redis (strict mode)', () => {
  const keyPrefix = uniquePrefix('billy')
  const stores: Stores[] = []
  let a: Billy
  let b: Billy

  beforeAll(async () => {
    const connect = async (): Promise<Billy> => {
      const shared = await redisStores({ url: redisUrl(), keyPrefix })
      stores.push(shared)
      // Each instance has its own users and data; the role assignments are the shared part.
      return demoApp({ stores: shared })
    }
    a = await connect()
    b = await connect()
  })
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()))
    await removeRedisKeys(keyPrefix)
  })

  test('a team role changed through one instance is in force on the other at the next request', async () => {
    const samEditsOn = (on: Billy) =>
      as(on.app, 'sam', { method: 'POST', path: `${P1}/contract-notes`, body: { text: 'n' } })
    const setSamOn = (on: Billy, role: string) =>
      as(on.app, 'alice', {
        method: 'PUT',
        path: '/teams/riverside/members/sam/role',
        body: { role },
      })
    for (const [writer, reader] of [
      [a, b],
      [b, a],
    ] as const) {
      expect((await samEditsOn(reader)).status).toBe(201)
      expect((await setSamOn(writer, 'read_only')).status).toBe(200)
      expect((await samEditsOn(reader)).body).toEqual(
        missingPermissionIn('projects.contract_notes:write', RIVERSIDE),
      )
      const digest = await as(reader.app, 'alice', {
        method: 'GET',
        path: '/teams/riverside/digest/recipients',
      })
      expect(digest.body).toEqual({ notification: 'digest', recipients: [person('alice')] })
      expect((await setSamOn(writer, 'standard')).status).toBe(200)
    }
  })

  test('a team created through one instance is administered through the other', async () => {
    const created = await as(a.app, 'nick', {
      method: 'POST',
      path: '/teams',
      body: { name: 'Shared' },
    })
    const id = String((created.body as { id: unknown }).id)
    const invite = await as(b.app, 'nick', {
      method: 'POST',
      path: `/teams/${id}/invitations`,
      body: { email: 'z@billy.example' },
    })
    expect(invite.status).toBe(201)
  })
})

// server.ts runs under tsx in a process of its own: starting it takes seconds, not milliseconds.
describe('pnpm start', { timeout: 30_000 }, () => {
  test('prints each demo user with a curl line allowed and one refused, which answer as printed', async () => {
    const server = await spawnExampleServer('billy')
    try {
      const lines = bannerCurlLines(server.output())
      expect(lines).toHaveLength(2 * DEMO_USERS.length)
      for (const user of DEMO_USERS) {
        expect(server.output()).toContain(`${user.id} <${user.email}>: ${user.about}`)
      }
      for (const line of lines) {
        expect([line.method, line.url, await runBannerCurl(line)]).toEqual([
          line.method,
          line.url,
          line.status,
        ])
      }
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })

  test('in production there are no demo users and demo tokens are refused', async () => {
    const server = await spawnExampleServer('billy', { NODE_ENV: 'production' })
    try {
      expect(server.output()).not.toContain('demo-')
      const res = await sendAsDemoUser(server.url, { user: 'alice', method: 'GET', path: '/me' })
      expect([res.status, bodyOf(res)]).toEqual([401, UNAUTHENTICATED])
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })
})
