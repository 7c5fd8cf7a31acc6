import { createApp, type BillwerkApp } from '@rolegate-example/billwerk'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  buildSamlResponse,
  generateSigningKey,
  testIdpKey,
  type SamlResponseOptions,
  type SamlSigningKey,
} from '../support/saml-idp.js'
import { listenOnLoopback, type LoopbackListener } from '../support/loopback-listener.js'
import { missingPermission } from './support/problem-bodies.js'

const IDP = 'https://idp.billwerk.test/saml'
const SP = 'https://billwerk.example.test/saml'

describe('billwerk example: SAML login, the group attribute mapped to roles', () => {
  let listener: LoopbackListener
  let key: SamlSigningKey
  let billwerk: BillwerkApp

  beforeAll(async () => {
    ;[listener, key] = await Promise.all([listenOnLoopback(), testIdpKey()])
    billwerk = createApp({
      saml: {
        idpIssuer: IDP,
        idpCert: key.cert,
        spEntityId: SP,
        callbackUrl: `${listener.url}/saml/acs`,
        sessionSecret: 'test-session-secret',
      },
    })
    listener.serve(billwerk.app)
  })

  afterAll(async () => {
    await listener.close()
  })

  const response = (
    nameId: string,
    groups: readonly string[],
    extra: Partial<SamlResponseOptions> = {},
  ) =>
    buildSamlResponse({
      issuer: IDP,
      audience: SP,
      acsUrl: `${listener.url}/saml/acs`,
      nameId,
      attributes: { groups, email: nameId },
      sign: 'assertion',
      key,
      ...extra,
    })

  async function post(SAMLResponse: string) {
    const agent = request.agent(listener.url)
    const acs = await agent.post('/saml/acs').type('form').send({ SAMLResponse })
    return { agent, acs }
  }

  async function logIn(nameId: string, groups: readonly string[]) {
    const { agent, acs } = await post(await response(nameId, groups))
    expect([acs.status, acs.headers['location']]).toEqual([302, '/me'])
    return agent
  }

  const loginFailed = (detail: string) => ({
    type: 'urn:rolegate-example:problem:login-failed',
    title: 'Login failed',
    status: 401,
    detail,
  })

  test.each([
    [
      'carla@acme.test',
      ['billwerk-finance', 'billwerk-reports', 'Everyone'],
      ['finance', 'reports'],
      { '/accounting-export': 200, '/kpi-charts': 200, '/log-lists': 403, '/admin/users': 403 },
    ],
    [
      'ada@acme.test',
      ['billwerk-admins'],
      ['admin'],
      { '/accounting-export': 200, '/kpi-charts': 200, '/log-lists': 200, '/admin/users': 200 },
    ],
    [
      'rose@acme.test',
      ['billwerk-read-only-operations'],
      ['read_only_operations'],
      { '/accounting-export': 403, '/kpi-charts': 403, '/log-lists': 200, '/admin/users': 403 },
    ],
    // Groups with no rule, look-alikes included, give no role.
    [
      'nick@acme.test',
      ['Billwerk-Admins', 'billwerk-admin', 'admins', 'admin'],
      [],
      { '/accounting-export': 403, '/kpi-charts': 403, '/log-lists': 403, '/admin/users': 403 },
    ],
  ] as const)('%s in %j logs in with roles %j', async (nameId, groups, roles, statuses) => {
    const agent = await logIn(nameId, groups)
    expect((await agent.get('/me')).body).toEqual({ id: `saml:${nameId}`, roles })
    const seen: Record<string, number> = {}
    for (const path of Object.keys(statuses)) seen[path] = (await agent.get(path)).status
    expect(seen).toEqual(statuses)
  })

  test('a user in no mapped group still edits their own personal data, and nothing else', async () => {
    const agent = await logIn('nick@acme.test', ['Everyone'])
    const edited = await agent.put('/me/personal-data').send({ name: 'Nick' })
    expect([edited.status, edited.body]).toEqual([
      200,
      { id: 'saml:nick@acme.test', name: 'Nick', email: 'nick@acme.test' },
    ])
    const res = await agent.get('/settings/company')
    expect([res.status, JSON.parse(res.text)]).toEqual([
      403,
      missingPermission('settings.company:read'),
    ])
  })

  test.each([
    [
      ['billwerk-admins', 'billwerk-finance'],
      'role "admin" is exclusive and cannot be combined with "finance" globally',
    ],
    [
      ['billwerk-reports', 'billwerk-read-only-operations'],
      'role "read_only_operations" is exclusive and cannot be combined with "reports" globally',
    ],
  ])(
    'groups %j give a combination billwerk forbids: the login is refused',
    async (groups, rule) => {
      const { agent, acs } = await post(await response('mallory@acme.test', groups))
      expect([acs.status, JSON.parse(acs.text)]).toEqual([
        401,
        loginFailed(`Assignment for subject "saml:mallory@acme.test" refused: ${rule}`),
      ])
      expect((await agent.get('/me/personal-data')).status).toBe(401)
    },
  )

  test('a response signed by another key, or by another issuer, is refused', async () => {
    const attacker = await generateSigningKey('attacker')
    const forged = await post(
      await response('ada@acme.test', ['billwerk-admins'], { key: attacker }),
    )
    expect([forged.acs.status, JSON.parse(forged.acs.text)]).toEqual([
      401,
      loginFailed('Invalid signature'),
    ])
    const other = await post(
      await response('ada@acme.test', ['billwerk-admins'], { issuer: 'https://evil.test/saml' }),
    )
    expect([other.acs.status, JSON.parse(other.acs.text)]).toEqual([
      401,
      loginFailed('rolegate: issuer-mismatch'),
    ])
  })

  test('a SAML user is listed under User Accounts, and a role an admin gives adds to the mapped ones', async () => {
    const carla = await logIn('carla@acme.test', ['billwerk-finance'])
    expect((await carla.get('/kpi-charts')).status).toBe(403)
    const admin = await logIn('ada@acme.test', ['billwerk-admins'])
    const listed = (await admin.get('/admin/users')).body as { users: { id: string }[] }
    expect(listed.users.find((u) => u.id === 'saml:carla@acme.test')).toEqual({
      id: 'saml:carla@acme.test',
      name: '',
      email: 'carla@acme.test',
      status: 'active',
      roles: [],
    })
    const given = await admin
      .put('/admin/users/saml:carla@acme.test/roles')
      .send({ roles: ['reports'] })
    expect(given.status).toBe(200)
    expect((await carla.get('/kpi-charts')).status).toBe(200)
  })
})
