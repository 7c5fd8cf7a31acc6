import type { RequestListener } from 'node:http'
import request, { type Response } from 'supertest'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createApp, type AppOptions } from '../../examples/amberflo/src/app.js'
import { DEMO_USERS, demoMemberId, seedDemo } from '../../examples/amberflo/src/demo-users.js'
import { memoryDirectory } from '../../examples/amberflo/src/directory.js'
import type { Mail } from '../../examples/amberflo/src/mail.js'
import type { MemberView } from '../../examples/amberflo/src/members.js'
import { memoryRecords } from '../../examples/amberflo/src/records.js'
import { discoverSso } from '../../examples/amberflo/src/sso.js'
import { memoryStores, redisStores, type Stores } from '../../examples/amberflo/src/stores.js'
import { redisUrl, uniquePrefix } from '../support/redis-server.js'
import { loginWithOidc } from '../support/oidc-login.js'
import { startOidcProvider, type OidcProvider } from '../support/oidc-provider.js'
import { listenOnLoopback, type LoopbackListener } from '../support/loopback-listener.js'
import { notFound, UNAUTHENTICATED } from './support/problem-bodies.js'
import { missingPermissionIn } from './support/scoped-problem-bodies.js'
import { racingAssignments } from './support/racing-assignments.js'
import { removeRedisKeys } from './support/remove-redis-keys.js'
import { bannerCurlLines, runBannerCurl } from './support/banner-curl-lines.js'
import { bodyOf, sendAsDemoUser, type DemoCall } from './support/send-as-demo-user.js'
import { spawnExampleServer } from './support/spawn-example-server.js'

const USERS = ['ada', 'alan', 'devi', 'pria', 'nadia', 'gus'] as const
type User = (typeof USERS)[number]
const ACME = 'account:acme.example'
const GLOBEX = 'account:globex.example'
const scopeOf = (user: User): string => (user === 'gus' ? GLOBEX : ACME)

interface Amberflo {
  readonly app: RequestListener
  readonly mail: Mail[]
  readonly stores: Stores
}

/** A fresh app in demo mode with the demo users and data seeded; mail is kept, not printed. */
async function demoApp(options: AppOptions = {}): Promise<Amberflo> {
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
  return { app: (req, res) => void handle(req, res), mail, stores }
}

/** What signup, an accepted invitation and an SSO login answer: the member and a session token. */
interface Admitted {
  readonly member: MemberView
  readonly token: string
}
const admitted = (res: Response): Admitted => res.body as Admitted

/** A request with a session token (from signup, an invitation or SSO), or none. */
function withToken(app: RequestListener | string, token: string | undefined) {
  const auth = (req: request.Test): request.Test =>
    token === undefined ? req : req.set('authorization', `Bearer ${token}`)
  return {
    get: (path: string) => auth(request(app).get(path)),
    post: (path: string, body: object = {}) => auth(request(app).post(path)).send(body),
    put: (path: string, body: object) => auth(request(app).put(path)).send(body),
    delete: (path: string) => auth(request(app).delete(path)),
  }
}

/** The demo user as `GET /me` and `GET /members` show them. */
function view(id: string, role?: string | null) {
  const user = DEMO_USERS.find((u) => u.id === id)
  if (user === undefined) throw new Error(`no demo user ${id}`)
  return {
    id,
    email: user.email,
    name: user.name,
    account: user.account,
    role: role === undefined ? user.role : role,
  }
}

/** An example problem body other than `not-found`. */
function problem(slug: string, title: string, status: number, detail: string, extra = {}) {
  return { type: `urn:rolegate-example:problem:${slug}`, title, status, detail, ...extra }
}

const ROLE_CHOICES = {
  field: 'role',
  roles: ['administrator', 'analyst', 'developer', 'product_manager'],
}
const UNKNOWN_ROLE = problem(
  'unknown-role',
  'Unknown role',
  422,
  '"role" must be one of "administrator", "analyst", "developer", "product_manager".',
  ROLE_CHOICES,
)

// What seedDemo puts in acme.example; globex.example holds one meter.
const DATA = {
  meters: [
    { id: 'meters-1', name: 'api-calls', unit: 'call' },
    { id: 'meters-2', name: 'storage', unit: 'GB-hour' },
  ],
  usage: [
    { id: 'usage-1', meter: 'meters-1', customer: 'customers-1', day: '2025-01-31', value: 1200 },
  ],
  reports: [{ id: 'reports-1', name: 'API calls per customer', meter: 'meters-1' }],
  customers: [{ id: 'customers-1', name: 'Initech', billing: { plan: 'plans-1', balance: 120 } }],
  plans: [{ id: 'plans-1', name: 'Starter', monthlyFee: 49 }],
  promotions: [{ id: 'promotions-1', name: 'Launch', discountPercent: 20 }],
  invoices: [{ id: 'invoices-1', customer: 'customers-1', period: '2025-01', total: 49 }],
  metrics: [{ id: 'metrics-1', name: 'mrr', value: 49 }],
}
const GLOBEX_METERS = [{ id: 'meters-3', name: 'events', unit: 'event' }]
const NO_INTEGRATIONS = { netsuite: false, salesforce: false, snowflake: false, stripe: false }

interface Route extends Omit<DemoCall, 'user'> {
  /** What the guard requires, in the caller's account. */
  readonly permission: string
  /** Who may, by the seed's roles: ada Administrator, alan Analyst, devi Developer, pria Product Manager, nadia none; gus administers globex.example. */
  readonly allowed: readonly User[]
  /** Status and body when allowed. */
  readonly ok: (user: User) => readonly [status: number, body: unknown]
  /** A refused user whose 403 names another permission or reason than the route's no-grant. */
  readonly refusedAs?: Partial<Record<User, readonly [permission: string, reason: string]>>
}

const METERING_READ: readonly User[] = ['ada', 'alan', 'devi', 'pria', 'gus']
const METERING_WRITE: readonly User[] = ['ada', 'devi', 'gus']
const BILLING_READ: readonly User[] = ['ada', 'alan', 'pria', 'gus']
const BILLING_WRITE: readonly User[] = ['ada', 'pria', 'gus']
const ADMINS: readonly User[] = ['ada', 'gus']
/** 200 with acme.example's data, or globex.example's for gus. */
const perAccount =
  (acme: unknown, globex: unknown = []) =>
  (user: User) =>
    [200, user === 'gus' ? globex : acme] as const
const created = (body: unknown) => () => [201, body] as const

const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/me',
    permission: '(authenticated)',
    allowed: USERS,
    ok: (user) => [200, view(user)],
  },
  // Metering: Developers write, Analysts and Product Managers read.
  {
    method: 'GET',
    path: '/metering/meters',
    permission: 'metering.meters:read',
    allowed: METERING_READ,
    ok: perAccount(DATA.meters, GLOBEX_METERS),
  },
  {
    method: 'POST',
    path: '/metering/meters',
    body: { name: 'requests', unit: 'request' },
    permission: 'metering.meters:write',
    allowed: METERING_WRITE,
    ok: created({ id: 'meters-4', name: 'requests', unit: 'request' }),
  },
  {
    method: 'GET',
    path: '/metering/usage',
    permission: 'metering.usage:read',
    allowed: METERING_READ,
    ok: perAccount(DATA.usage),
  },
  {
    method: 'POST',
    path: '/metering/usage/query',
    body: { meter: 'meters-1' },
    permission: 'metering.usage:read',
    allowed: METERING_READ,
    ok: perAccount(DATA.usage),
  },
  {
    method: 'GET',
    path: '/metering/reports',
    permission: 'metering.reports:read',
    allowed: METERING_READ,
    ok: perAccount(DATA.reports),
  },
  {
    method: 'POST',
    path: '/metering/reports',
    body: { name: 'Daily calls', meter: 'meters-1' },
    permission: 'metering.reports:write',
    allowed: METERING_WRITE,
    ok: created({ id: 'reports-2', name: 'Daily calls', meter: 'meters-1' }),
  },
  {
    method: 'GET',
    path: '/metering/customers',
    permission: 'metering.customers:read',
    allowed: METERING_READ,
    // A customer's billing details are Billing data: redacted for Developers.
    ok: (user) =>
      user === 'devi'
        ? [200, [{ id: 'customers-1', name: 'Initech' }]]
        : perAccount(DATA.customers)(user),
  },
  {
    method: 'POST',
    path: '/metering/customers',
    body: { name: 'Hooli' },
    permission: 'metering.customers:write',
    allowed: METERING_WRITE,
    ok: created({ id: 'customers-2', name: 'Hooli' }),
  },
  {
    method: 'POST',
    path: '/metering/customers',
    body: { name: 'Hooli', billing: { plan: 'plans-1', balance: 0 } },
    permission: 'metering.customers:write',
    allowed: ['ada', 'gus'],
    ok: created({ id: 'customers-2', name: 'Hooli', billing: { plan: 'plans-1', balance: 0 } }),
    refusedAs: { devi: ['metering.customers.billing:write', 'restricted'] },
  },
  {
    method: 'PUT',
    path: '/metering/customers/customers-1/billing',
    body: { plan: 'plans-1' },
    permission: 'metering.customers.billing:write',
    allowed: ['ada', 'pria', 'gus'],
    ok: (user) =>
      user === 'gus'
        ? [404, notFound('There is no customer "customers-1" in your account.')]
        : [200, DATA.customers[0]],
    refusedAs: { devi: ['metering.customers.billing:write', 'restricted'] },
  },
  // Billing: Product Managers write, Analysts read, Developers see nothing.
  {
    method: 'GET',
    path: '/billing/plans',
    permission: 'billing.plans:read',
    allowed: BILLING_READ,
    ok: perAccount(DATA.plans),
  },
  {
    method: 'POST',
    path: '/billing/plans',
    body: { name: 'Pro', monthlyFee: 99 },
    permission: 'billing.plans:write',
    allowed: BILLING_WRITE,
    ok: created({ id: 'plans-2', name: 'Pro', monthlyFee: 99 }),
  },
  {
    method: 'GET',
    path: '/billing/promotions',
    permission: 'billing.promotions:read',
    allowed: BILLING_READ,
    ok: perAccount(DATA.promotions),
  },
  {
    method: 'POST',
    path: '/billing/promotions',
    body: { name: 'Spring', discountPercent: 10 },
    permission: 'billing.promotions:write',
    allowed: BILLING_WRITE,
    ok: created({ id: 'promotions-2', name: 'Spring', discountPercent: 10 }),
  },
  {
    method: 'GET',
    path: '/billing/invoices',
    permission: 'billing.invoices:read',
    allowed: BILLING_READ,
    ok: perAccount(DATA.invoices),
  },
  {
    method: 'GET',
    path: '/billing/metrics',
    permission: 'billing.metrics:read',
    allowed: BILLING_READ,
    ok: perAccount(DATA.metrics),
  },
  // Settings → Users and the rest of Settings: Administrators only.
  {
    method: 'GET',
    path: '/members',
    permission: 'members:read',
    allowed: ADMINS,
    ok: perAccount(
      ['ada', 'alan', 'devi', 'nadia', 'pria'].map((id) => view(id)),
      [view('gus')],
    ),
  },
  {
    method: 'POST',
    path: '/members/invitations',
    body: { email: 'eve@acme.example', role: 'developer' },
    permission: 'members:invite',
    allowed: ADMINS,
    ok: (user) => [
      201,
      { email: 'eve@acme.example', account: scopeOf(user).slice(8), role: 'developer' },
    ],
  },
  {
    method: 'PUT',
    path: '/members/nadia/role',
    body: { role: 'analyst' },
    permission: 'members:write',
    allowed: ADMINS,
    ok: (user) =>
      user === 'gus'
        ? [404, notFound('There is no member "nadia" in your account.')]
        : [200, view('nadia', 'analyst')],
  },
  {
    method: 'DELETE',
    path: '/members/nadia',
    permission: 'members:delete',
    allowed: ADMINS,
    ok: (user) =>
      user === 'gus' ? [404, notFound('There is no member "nadia" in your account.')] : [204, ''],
  },
  {
    method: 'GET',
    path: '/settings/sso',
    permission: 'settings.sso:read',
    allowed: ADMINS,
    ok: () => [200, { configured: false, enabled: false }],
  },
  {
    method: 'PUT',
    path: '/settings/sso',
    body: { enabled: true },
    permission: 'settings.sso:write',
    allowed: ADMINS,
    ok: () => [
      404,
      problem(
        'sso-not-configured',
        'SSO not configured',
        404,
        'No identity provider is configured for this account.',
      ),
    ],
  },
  {
    method: 'GET',
    path: '/settings/integrations',
    permission: 'settings.integrations:read',
    allowed: ADMINS,
    ok: () => [200, NO_INTEGRATIONS],
  },
  {
    method: 'PUT',
    path: '/settings/integrations/stripe',
    body: { enabled: true },
    permission: 'settings.integrations:write',
    allowed: ADMINS,
    ok: () => [200, { ...NO_INTEGRATIONS, stripe: true }],
  },
]

function expected(route: Route, user: User | undefined): readonly [number, unknown] {
  if (user === undefined) return [401, UNAUTHENTICATED]
  if (route.allowed.includes(user)) return route.ok(user)
  const [permission, reason] = route.refusedAs?.[user] ?? [route.permission, 'no-grant']
  return [403, missingPermissionIn(permission, scopeOf(user), reason)]
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
    const res = await sendAsDemoUser(app, { user: 'ada', method: 'GET', path: '/metering/meters' })
    expect([res.status, bodyOf(res)]).toEqual([401, UNAUTHENTICATED])
  })

  test('demo tokens name only the demo users', () => {
    expect(
      ['demo-ada', 'demo-gus', 'demo-mallory', 'demo-ADA', 'ada', 'demo-ada '].map(demoMemberId),
    ).toEqual(['ada', 'gus', undefined, undefined, undefined, undefined])
  })
})

/** Signs up and verifies `email`; returns the verification answer. */
async function signUp({ app, mail }: Amberflo, email: string, name?: string): Promise<Response> {
  const sent = await request(app).post('/signup').send({ email, name })
  expect([sent.status, sent.body]).toEqual([
    202,
    { email: email.toLowerCase(), status: 'verification-sent' },
  ])
  const token = mail.at(-1)?.token
  return request(app).post('/signup/verify').send({ token })
}

describe('self-service signup: the first verified user of a domain becomes its Administrator', () => {
  test('the first user of a new domain administers its new account; the next one has no role', async () => {
    const amberflo = await demoApp()
    const olga = await signUp(amberflo, 'Olga@Initech.example', 'Olga')
    const olgaId = admitted(olga).member.id
    expect(olgaId).toMatch(/^m_[0-9a-f]{12}$/)
    expect([olga.status, olga.body]).toEqual([
      201,
      {
        member: {
          id: olgaId,
          email: 'olga@initech.example',
          name: 'Olga',
          account: 'initech.example',
          role: 'administrator',
        },
        token: expect.stringMatching(/^s_/) as unknown,
      },
    ])
    const asOlga = withToken(amberflo.app, admitted(olga).token)
    expect((await asOlga.get('/metering/meters')).body).toEqual([]) // a new, empty account

    const peter = await signUp(amberflo, 'peter@initech.example')
    expect([peter.status, admitted(peter).member.role]).toEqual([201, null])
    const asPeter = withToken(amberflo.app, admitted(peter).token)
    const refused = await asPeter.post('/metering/meters', { name: 'x' })
    expect([refused.status, refused.body]).toEqual([
      403,
      missingPermissionIn('metering.meters:write', 'account:initech.example'),
    ])
    // Until an Administrator gives him a role, which applies to his very next request.
    const given = await asOlga.put(`/members/${admitted(peter).member.id}/role`, {
      role: 'developer',
    })
    expect([given.status, (given.body as MemberView).role]).toEqual([200, 'developer'])
    expect((await asPeter.post('/metering/meters', { name: 'x' })).status).toBe(201)
  })

  test('an unverified signup gets nothing: the first to verify becomes Administrator', async () => {
    const amberflo = await demoApp()
    const squatter = await request(amberflo.app)
      .post('/signup')
      .send({ email: 'quinn@hooli.example' })
    expect(squatter.status).toBe(202) // never verified
    const rita = await signUp(amberflo, 'rita@hooli.example')
    expect([rita.status, admitted(rita).member.role]).toEqual([201, 'administrator'])
    const late = await request(amberflo.app)
      .post('/signup/verify')
      .send({ token: amberflo.mail[0]?.token })
    expect([late.status, admitted(late).member.role]).toEqual([201, null])
  })

  test('a later user of an existing account, such as acme.example, joins it with no role', async () => {
    const amberflo = await demoApp()
    const eve = await signUp(amberflo, 'eve@acme.example')
    expect([eve.status, admitted(eve).member.account, admitted(eve).member.role]).toEqual([
      201,
      'acme.example',
      null,
    ])
    const members = await sendAsDemoUser(amberflo.app, {
      user: 'ada',
      method: 'GET',
      path: '/members',
    })
    expect(members.body).toContainEqual(admitted(eve).member)
  })

  test('a verification token works once; unknown tokens, free-mail and malformed addresses are refused', async () => {
    const amberflo = await demoApp()
    await signUp(amberflo, 'sol@umbrella.example')
    const again = await request(amberflo.app)
      .post('/signup/verify')
      .send({ token: amberflo.mail[0]?.token })
    const invalidToken = problem(
      'invalid-token',
      'Invalid token',
      400,
      'The verification link is unknown, used or expired.',
    )
    expect([again.status, again.body]).toEqual([400, invalidToken])
    const forged = await request(amberflo.app).post('/signup/verify').send({ token: 'x' })
    expect([forged.status, forged.body]).toEqual([400, invalidToken])
    const gmail = await request(amberflo.app).post('/signup').send({ email: 'me@gmail.com' })
    expect([gmail.status, gmail.body]).toEqual([
      422,
      problem(
        'work-email-required',
        'Work email required',
        422,
        "Sign up with your company's address, not gmail.com.",
        { field: 'email' },
      ),
    ])
    const bad = await request(amberflo.app).post('/signup').send({ email: 'not an email' })
    expect([bad.status, bad.body]).toEqual([
      422,
      problem('invalid-field', 'Invalid field', 422, '"email" must be an email address.', {
        field: 'email',
      }),
    ])
    // A client cannot vouch for its own address.
    const claimed = await request(amberflo.app)
      .post('/signup/verify')
      .send({ email: 'boss@umbrella.example', email_verified: true })
    expect([claimed.status, claimed.body]).toEqual([400, invalidToken])
  })
})

describe('invitations: only an Administrator invites, and chooses the role', () => {
  test('an invited member holds the chosen role from their first request', async () => {
    const amberflo = await demoApp()
    const invite = await sendAsDemoUser(amberflo.app, {
      user: 'ada',
      method: 'POST',
      path: '/members/invitations',
      body: { email: 'Eve@Acme.example', role: 'product_manager' },
    })
    expect([invite.status, invite.body]).toEqual([
      201,
      { email: 'eve@acme.example', account: 'acme.example', role: 'product_manager' },
    ])
    const mail = amberflo.mail[0]
    expect(mail?.to).toBe('eve@acme.example')
    expect(mail?.subject).toBe('You are invited to acme.example on Amberflo as product_manager')
    const accepted = await request(amberflo.app)
      .post('/invitations/accept')
      .send({ token: mail?.token, name: 'Eve' })
    expect([accepted.status, admitted(accepted).member]).toEqual([
      201,
      {
        id: expect.stringMatching(/^m_/) as unknown,
        email: 'eve@acme.example',
        name: 'Eve',
        account: 'acme.example',
        role: 'product_manager',
      },
    ])
    const asEve = withToken(amberflo.app, admitted(accepted).token)
    expect((await asEve.post('/billing/plans', { name: 'Pro' })).status).toBe(201)
    expect((await asEve.post('/metering/meters', { name: 'x' })).body).toEqual(
      missingPermissionIn('metering.meters:write', ACME),
    )
    const reused = await request(amberflo.app)
      .post('/invitations/accept')
      .send({ token: mail?.token })
    expect([reused.status, reused.body]).toEqual([
      400,
      problem('invalid-token', 'Invalid token', 400, 'The invitation is unknown, used or expired.'),
    ])
  })

  test.each([
    [{ email: 'eve@acme.example', role: 'owner' }, 422, UNKNOWN_ROLE],
    [{ email: 'eve@acme.example' }, 422, UNKNOWN_ROLE],
    [
      { email: 'eve', role: 'analyst' },
      422,
      problem('invalid-field', 'Invalid field', 422, '"email" must be an email address.', {
        field: 'email',
      }),
    ],
    [
      { email: 'alan@acme.example', role: 'developer' },
      409,
      problem('already-member', 'Already a member', 409, 'alan@acme.example is already a member.'),
    ],
  ])('inviting %j: %i', async (body, status, problemBody) => {
    const amberflo = await demoApp()
    const res = await sendAsDemoUser(amberflo.app, {
      user: 'ada',
      method: 'POST',
      path: '/members/invitations',
      body,
    })
    expect([res.status, res.body, res.headers['content-type']]).toEqual([
      status,
      problemBody,
      'application/problem+json; charset=utf-8',
    ])
    expect(amberflo.mail).toEqual([])
  })

  test('a role change must name one of the four roles', async () => {
    const { app } = await demoApp()
    const res = await sendAsDemoUser(app, {
      user: 'ada',
      method: 'PUT',
      path: '/members/alan/role',
      body: { role: 'superuser' },
    })
    expect([res.status, res.body]).toEqual([422, UNKNOWN_ROLE])
  })
})

describe('role changes and deletions take effect on the next request', () => {
  test('promoted, then demoted again: each change shows on the next request', async () => {
    const { app } = await demoApp()
    const alanCreatesPlan = () =>
      sendAsDemoUser(app, {
        user: 'alan',
        method: 'POST',
        path: '/billing/plans',
        body: { name: 'X' },
      })
    const setAlan = (role: string) =>
      sendAsDemoUser(app, {
        user: 'ada',
        method: 'PUT',
        path: '/members/alan/role',
        body: { role },
      })
    expect((await alanCreatesPlan()).status).toBe(403)
    expect((await setAlan('product_manager')).body).toEqual(view('alan', 'product_manager'))
    expect((await alanCreatesPlan()).status).toBe(201)
    await setAlan('analyst')
    expect((await alanCreatesPlan()).status).toBe(403)
  })

  test('a deleted member is logged out at once, demo token or session', async () => {
    const amberflo = await demoApp()
    await sendAsDemoUser(amberflo.app, {
      user: 'ada',
      method: 'POST',
      path: '/members/invitations',
      body: { email: 'eve@acme.example', role: 'developer' },
    })
    const accepted = await request(amberflo.app)
      .post('/invitations/accept')
      .send({ token: amberflo.mail[0]?.token })
    const eve = withToken(amberflo.app, admitted(accepted).token)
    expect((await eve.get('/metering/meters')).status).toBe(200)
    for (const id of ['devi', admitted(accepted).member.id]) {
      const deleted = await sendAsDemoUser(amberflo.app, {
        user: 'ada',
        method: 'DELETE',
        path: `/members/${id}`,
      })
      expect(deleted.status).toBe(204)
    }
    const devi = await sendAsDemoUser(amberflo.app, { user: 'devi', method: 'GET', path: '/me' })
    expect([devi.status, devi.body]).toEqual([401, UNAUTHENTICATED])
    expect([
      (await eve.get('/metering/meters')).status,
      await amberflo.stores.assignments.get('devi'),
    ]).toEqual([401, undefined])
  })

  test('the last Administrator can neither step down nor be deleted', async () => {
    const { app } = await demoApp()
    const lastAdmin = problem(
      'last-administrator',
      'Last Administrator',
      409,
      'ada@acme.example is the last Administrator of acme.example.',
    )
    const stepDown = () =>
      sendAsDemoUser(app, {
        user: 'ada',
        method: 'PUT',
        path: '/members/ada/role',
        body: { role: 'analyst' },
      })
    const refused = await stepDown()
    expect([refused.status, refused.body]).toEqual([409, lastAdmin])
    const deleted = await sendAsDemoUser(app, {
      user: 'ada',
      method: 'DELETE',
      path: '/members/ada',
    })
    expect([deleted.status, deleted.body]).toEqual([409, lastAdmin])
    await sendAsDemoUser(app, {
      user: 'ada',
      method: 'PUT',
      path: '/members/alan/role',
      body: { role: 'administrator' },
    })
    const steppedDown = await stepDown()
    expect([steppedDown.status, steppedDown.body]).toEqual([200, view('ada', 'analyst')])
  })
})

describe('two Administrators leaving at once', () => {
  const lastAdmin = (email: string) =>
    problem(
      'last-administrator',
      'Last Administrator',
      409,
      `${email} is the last Administrator of acme.example.`,
    )

  test.each([
    ['stepping down', 'PUT', '/role', { role: 'analyst' }],
    ['deleting themselves', 'DELETE', '', undefined],
  ] as const)('%s leave the account an Administrator', async (_, method, suffix, body) => {
    const stores = memoryStores()
    const { assignments, hold } = racingAssignments(stores.assignments, 'administrator')
    const { app } = await demoApp({ stores: { ...stores, assignments } })
    const promote = await sendAsDemoUser(app, {
      user: 'ada',
      method: 'PUT',
      path: '/members/alan/role',
      body: { role: 'administrator' },
    })
    expect(promote.status).toBe(200)
    // Both pass the check before either writes; the change that leaves none is undone with 409.
    hold(2)
    const both = await Promise.all(
      (['ada', 'alan'] as const).map((user) =>
        sendAsDemoUser(app, {
          user,
          method,
          path: `/members/${user}${suffix}`,
          ...(body === undefined ? {} : { body }),
        }),
      ),
    )
    const admins = await stores.assignments.list({
      role: 'administrator',
      scope: 'account:acme.example',
    })
    expect(admins.length).toBeGreaterThanOrEqual(1)
    const refused = both.filter((res) => res.status === 409)
    expect(refused.length).toBeGreaterThanOrEqual(1)
    expect(both.every((res) => [200, 204, 409].includes(res.status))).toBe(true)
    for (const res of refused)
      expect(res.body).toEqual(
        lastAdmin(res.request.url.includes('/alan') ? 'alan@acme.example' : 'ada@acme.example'),
      )
  })
})

describe('SSO through a real OpenID Provider: every SSO user signs up as an Analyst', () => {
  const CLIENT = { id: 'amberflo', secret: 'amberflo-secret' }
  let listener: LoopbackListener
  let op: OidcProvider
  let amberflo: Amberflo

  beforeAll(async () => {
    listener = await listenOnLoopback()
    const redirectUri = `${listener.url}/sso/callback`
    op = await startOidcProvider({
      accounts: {
        // Claims that look like authority: the connection maps none of them.
        sam: {
          email: 'sam@acme.example',
          email_verified: true,
          name: 'Sam',
          groups: ['administrators'],
          roles: ['administrator'],
        },
        tia: { email: 'tia@acme.example', email_verified: true, name: 'Tia' },
      },
      clients: [
        { client_id: CLIENT.id, client_secret: CLIENT.secret, redirect_uris: [redirectUri] },
      ],
      scopes: { email: ['email', 'email_verified'], profile: ['name'] },
    })
    const sso = await discoverSso({
      issuer: op.issuer,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      redirectUri,
      account: 'acme.example',
    })
    amberflo = await demoApp({ sso })
    listener.serve(amberflo.app)
  })
  afterAll(async () => {
    await listener.close()
    await op.close()
  })

  const login = async (accountId: string) => {
    const { callback } = await loginWithOidc({
      appUrl: listener.url,
      accountId,
      loginPath: '/sso/login',
    })
    return callback
  }

  test('an SSO user whose claims map to nothing becomes an Analyst, never more', async () => {
    const callback = await login('sam')
    expect([callback.status, callback.body]).toEqual([
      200,
      {
        member: {
          id: 'sso:sam',
          email: 'sam@acme.example',
          name: 'Sam',
          account: 'acme.example',
          role: 'analyst',
        },
        token: expect.stringMatching(/^s_/) as unknown,
        mapping: [{ role: 'analyst', rule: 'defaultRoles' }],
      },
    ])
    const sam = withToken(listener.url, admitted(callback).token)
    expect((await sam.get('/billing/plans')).body).toEqual(DATA.plans)
    expect((await sam.post('/billing/plans', { name: 'Pro' })).body).toEqual(
      missingPermissionIn('billing.plans:write', ACME),
    )
    expect(
      (await sam.post('/members/invitations', { email: 'x@acme.example', role: 'administrator' }))
        .body,
    ).toEqual(missingPermissionIn('members:invite', ACME))
  })

  test('a role an Administrator gave an SSO user survives their next SSO login', async () => {
    const first = await login('tia')
    expect(admitted(first).member.role).toBe('analyst')
    const changed = await sendAsDemoUser(listener.url, {
      user: 'ada',
      method: 'PUT',
      path: '/members/sso:tia/role',
      body: { role: 'developer' },
    })
    expect(changed.status).toBe(200)
    const again = await login('tia')
    expect([again.status, admitted(again).member.role]).toEqual([200, 'developer'])
    const tia = withToken(listener.url, admitted(again).token)
    expect((await tia.post('/metering/meters', { name: 'tia' })).status).toBe(201)
  })

  test('an Administrator switches SSO off and on; other accounts see no SSO', async () => {
    const off = await sendAsDemoUser(listener.url, {
      user: 'ada',
      method: 'PUT',
      path: '/settings/sso',
      body: { enabled: false },
    })
    expect([off.status, off.body]).toEqual([
      200,
      { configured: true, enabled: false, issuer: op.issuer },
    ])
    const start = await request(listener.url).get('/sso/login')
    expect([start.status, start.body]).toEqual([
      404,
      problem('sso-off', 'SSO is off', 404, 'Single sign-on is not enabled for this account.'),
    ])
    const globex = await sendAsDemoUser(listener.url, {
      user: 'gus',
      method: 'GET',
      path: '/settings/sso',
    })
    expect(globex.body).toEqual({ configured: false, enabled: false })
    const on = await sendAsDemoUser(listener.url, {
      user: 'ada',
      method: 'PUT',
      path: '/settings/sso',
      body: { enabled: true },
    })
    expect(on.body).toEqual({ configured: true, enabled: true, issuer: op.issuer })
  })

  test('a callback without the login it answers is refused', async () => {
    const res = await request(listener.url).get('/sso/callback?code=x&state=y')
    expect([res.status, res.body]).toEqual([
      400,
      problem('sso-state', 'Login expired', 400, 'Start again at /sso/login.'),
    ])
  })
})

describe.sequential('two app instances sharing Redis (strict mode)', () => {
  const keyPrefix = uniquePrefix('amberflo')
  const stores: Stores[] = []
  let a: Amberflo
  let b: Amberflo

  beforeAll(async () => {
    const connect = async (): Promise<Amberflo> => {
      const shared = await redisStores({ url: redisUrl(), keyPrefix })
      stores.push(shared)
      // Each instance has its own directory; the role assignments are the shared part.
      return demoApp({ stores: shared })
    }
    a = await connect()
    b = await connect()
  })
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()))
    await removeRedisKeys(keyPrefix)
  })

  test('a role changed through one instance is in force on the other at the next request', async () => {
    const alanCreatesPlanOn = (on: Amberflo) =>
      sendAsDemoUser(on.app, {
        user: 'alan',
        method: 'POST',
        path: '/billing/plans',
        body: { name: 'X' },
      })
    const setAlanOn = (on: Amberflo, role: string) =>
      sendAsDemoUser(on.app, {
        user: 'ada',
        method: 'PUT',
        path: '/members/alan/role',
        body: { role },
      })
    for (const [writer, reader] of [
      [a, b],
      [b, a],
    ] as const) {
      expect((await alanCreatesPlanOn(reader)).status).toBe(403)
      expect((await setAlanOn(writer, 'product_manager')).status).toBe(200)
      expect((await alanCreatesPlanOn(reader)).status).toBe(201)
      expect((await setAlanOn(writer, 'analyst')).status).toBe(200)
      expect((await alanCreatesPlanOn(reader)).body).toEqual(
        missingPermissionIn('billing.plans:write', ACME),
      )
    }
  })

  test('the members list of either instance shows the role held in Redis', async () => {
    await sendAsDemoUser(a.app, {
      user: 'ada',
      method: 'PUT',
      path: '/members/nadia/role',
      body: { role: 'developer' },
    })
    const listed = await sendAsDemoUser(b.app, { user: 'ada', method: 'GET', path: '/members' })
    expect(listed.body).toContainEqual(view('nadia', 'developer'))
    const nadia = await sendAsDemoUser(b.app, {
      user: 'nadia',
      method: 'POST',
      path: '/metering/meters',
      body: { name: 'n' },
    })
    expect(nadia.status).toBe(201)
  })
})

// server.ts runs under tsx in a process of its own: starting it takes seconds, not milliseconds.
describe('pnpm start', { timeout: 30_000 }, () => {
  test('prints each demo user with a curl line allowed and one refused, which answer as printed', async () => {
    const server = await spawnExampleServer('amberflo')
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
    const server = await spawnExampleServer('amberflo', { NODE_ENV: 'production' })
    try {
      expect(server.output()).not.toContain('demo-')
      const res = await sendAsDemoUser(server.url, { user: 'ada', method: 'GET', path: '/me' })
      expect([res.status, bodyOf(res)]).toEqual([401, UNAUTHENTICATED])
    } finally {
      expect(await server.stop()).toBe(0)
    }
  })
})
