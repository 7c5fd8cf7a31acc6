import {
  cognito,
  createClaimMapper,
  entraId,
  firstUserOfDomain,
  googleWorkspace,
  keycloak,
  okta,
  type ClaimsSubject,
  type OidcConnection,
} from '@rolegate/claims'
import { oidcVerify, type OidcVerifyFunction } from '@rolegate/claims/passport-oidc'
import * as client from 'openid-client'
import { Strategy } from 'openid-client/passport'
import passport from 'passport'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { loginWithOidc } from '../support/oidc-login.js'
import { startOidcProvider, type OidcProvider } from '../support/oidc-provider.js'
import { ALL_401, allowedOnly, idpApp, login, probe, rg, type Auth } from './idp-app.js'
import { listenOnLoopback, type LoopbackListener } from '../support/loopback-listener.js'

const CLIENT_ID = 'rolegate-app'
const CLIENT_SECRET = 'rolegate-app-secret'
const FINANCE_GID = '5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b'
const GRAPH = 'https://graph.microsoft.com/v1.0/users/u/getMemberObjects'

// Claims shaped like each provider's, all served by one real oidc-provider on loopback.
const ACCOUNTS = {
  'kc-alice': {
    realm_access: { roles: ['billing-admin', 'offline_access', 'default-roles-billing'] },
    resource_access: { [CLIENT_ID]: { roles: ['viewer'] }, account: { roles: ['manage-account'] } },
  },
  'kc-bob': {
    realm_access: { roles: ['offline_access', 'uma_authorization', 'default-roles-billing'] },
  },
  'entra-carol': { tid: 'tenant-1', groups: [FINANCE_GID, 'ffffffff-0000-0000-0000-000000000000'] },
  'entra-dave': { tid: 'tenant-2', groups: [FINANCE_GID], roles: ['Billing.Admin'] },
  'entra-frank': { groups: [FINANCE_GID] },
  'entra-erin': {
    tid: 'tenant-1',
    _claim_names: { groups: 'src1' },
    _claim_sources: { src1: { endpoint: GRAPH } },
  },
  'okta-gina': { groups: ['Everyone', 'Billing Admins'] },
  'okta-hank': { groups: ['Everyone'] },
  'okta-mallory': {
    groups: [
      'admın',
      'ＡＤＭＩＮ',
      'Admin',
      'ADMIN',
      'superadmin',
      'admins',
      'Billing Admins ',
      'billing admins',
    ],
  },
  'okta-huge': {
    groups: [...Array.from({ length: 5000 }, (_, i) => `group-${i}`), 'Billing Admins'],
  },
  'okta-junk': { groups: [42, null, true, { name: 'Billing Admins' }, ['Billing Admins']] },
  'okta-object': { groups: { 'Billing Admins': true } },
  // A JSON "__proto__" key is an own property after JSON.parse: it must not stand in for "roles".
  // (oidc-provider cannot serve a top-level claim named __proto__ or constructor at all.)
  'kc-proto': {
    realm_access: JSON.parse('{"__proto__":{"roles":["billing-admin"]}}') as unknown,
    resource_access: JSON.parse(`{"${CLIENT_ID}":{"__proto__":{"roles":["viewer"]}}}`) as unknown,
  },
  'cognito-ivy': { 'cognito:groups': ['billing-finance'], teams: ['42', '../7'] },
  'google-olga': { email: 'olga@example.test', email_verified: false, hd: 'example.test' },
  'google-pia': { email: 'pia@example.test', email_verified: true, hd: 'example.test' },
  'google-quinn': { email: 'quinn@example.test', email_verified: true, hd: 'example.test' },
  'gmail-rita': { email: 'rita@example.test', email_verified: true },
}

describe('OIDC logins through openid-client/passport against a real provider', () => {
  let app: LoopbackListener
  let op: OidcProvider
  let otherOp: OidcProvider
  const domainsWithAdmin = new Set<string>()

  beforeAll(async () => {
    app = await listenOnLoopback()
    const strategies = [
      'keycloak',
      'entra',
      'entra-resolved',
      'okta',
      'cognito',
      'google',
      'other-provider',
      'wrong-audience',
      'expired',
    ]
    const clients = [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: strategies.map((s) => `${app.url}/callback/${s}`),
      },
    ]
    ;[op, otherOp] = await Promise.all([
      startOidcProvider({ accounts: ACCOUNTS, clients, scopes: {} }),
      startOidcProvider({ accounts: { 'kc-alice': ACCOUNTS['kc-alice'] }, clients }),
    ])
    const oidc = (extra: Omit<OidcConnection, 'protocol' | 'issuer'>): OidcConnection => ({
      protocol: 'oidc',
      issuer: op.issuer,
      ...extra,
    })
    const mapper = createClaimMapper({
      rolegate: rg,
      connections: {
        keycloak: oidc({
          rules: keycloak({
            realmRoles: { 'billing-admin': 'finance' },
            clientRoles: { [CLIENT_ID]: { viewer: 'support' } },
          }),
        }),
        entra: oidc({
          tenants: ['tenant-1'],
          rules: entraId({
            groups: { [FINANCE_GID]: 'finance' },
            appRoles: { 'Billing.Admin': 'admin' },
          }),
          defaultRoles: ['analyst'],
        }),
        'entra-resolved': oidc({
          tenants: ['tenant-1'],
          rules: entraId({ groups: { [FINANCE_GID]: 'finance' } }),
          resolveOverage: ({ claims }) =>
            Promise.resolve(claims['_claim_sources'] === undefined ? [] : [FINANCE_GID]),
        }),
        okta: oidc({ rules: okta({ groups: { 'Billing Admins': 'admin' } }) }),
        cognito: oidc({
          rules: [
            ...cognito({ groups: { 'billing-finance': 'finance' } }),
            { id: 'teams', claim: 'teams', scopes: { prefix: 'team:', roles: ['standard'] } },
          ],
        }),
        google: oidc({
          rules: googleWorkspace({ hostedDomains: { 'example.test': 'analyst' } }),
        }),
        'wrong-audience': oidc({
          audience: 'billing-api',
          rules: okta({ groups: { 'Billing Admins': 'admin' } }),
        }),
      },
    })
    const firstUser = firstUserOfDomain({
      role: 'admin',
      rolegate: rg,
      domains: { 'example.test': { connection: 'google', hostedDomain: 'example.test' } },
    })
    const verifyFor = (connection: string): OidcVerifyFunction =>
      oidcVerify({
        mapper,
        connection,
        provision: async (subject, { claims }): Promise<ClaimsSubject> => {
          const decision = await firstUser({
            connection,
            claims,
            isFirstUserOfDomain: (domain) => !domainsWithAdmin.has(domain),
          })
          if (!decision.grant) return subject
          domainsWithAdmin.add(decision.domain)
          return { ...subject, roles: [...subject.roles, decision.role] }
        },
      })
    const auth = new passport.Passport() as Auth
    const strategy = async (
      name: string,
      provider: OidcProvider,
      connection: string,
      metadata: Partial<client.ClientMetadata> = {},
    ) => {
      const config = await client.discovery(
        new URL(provider.issuer),
        CLIENT_ID,
        metadata,
        client.ClientSecretBasic(CLIENT_SECRET),
        { execute: [client.allowInsecureRequests] },
      )
      const callbackURL = `${app.url}/callback/${name}`
      auth.use(new Strategy({ config, name, callbackURL, scope: 'openid' }, verifyFor(connection)))
    }
    await Promise.all([
      strategy('keycloak', op, 'keycloak'),
      strategy('entra', op, 'entra'),
      strategy('entra-resolved', op, 'entra-resolved'),
      strategy('okta', op, 'okta'),
      strategy('cognito', op, 'cognito'),
      strategy('google', op, 'google'),
      strategy('wrong-audience', op, 'wrong-audience'),
      // A real second provider, whose tokens the keycloak connection must not accept.
      strategy('other-provider', otherOp, 'keycloak'),
      // The client's clock an hour ahead: every ID token it receives has expired.
      strategy('expired', op, 'okta', { [client.clockSkew]: 3600 }),
    ])
    app.serve(
      idpApp(auth, (routes) => {
        for (const name of strategies) {
          routes.get(`/login/${name}`, auth.authenticate(name))
          routes.get(`/callback/${name}`, login(auth, name))
        }
      }),
    )
  })

  afterAll(async () => {
    await Promise.all([app.close(), op.close(), otherOp.close()])
  })

  async function logIn(connection: string, accountId: string) {
    const { agent, callback } = await loginWithOidc({
      appUrl: app.url,
      accountId,
      loginPath: `/login/${connection}`,
    })
    const me = await agent.get('/me')
    return {
      agent,
      callback: [callback.status, callback.body as unknown],
      me: [me.status, me.body as unknown],
    }
  }

  /** Logs in and expects success: the callback redirects to /me. */
  async function loggedIn(connection: string, accountId: string) {
    const result = await logIn(connection, accountId)
    expect(result.callback).toEqual([302, {}])
    return { user: result.me[1] as ClaimsSubject, routes: await probe(result.agent) }
  }

  /** Logs in and expects the callback to refuse: 401, no user, every guarded route 401. */
  async function refused(connection: string, accountId: string) {
    const result = await logIn(connection, accountId)
    return {
      callback: result.callback,
      me: result.me[0],
      routes: await probe(result.agent),
    }
  }

  const unauthenticated = (error: string) => ({
    callback: [401, { error }],
    me: 401,
    routes: ALL_401,
  })

  describe('roles from each provider’s claims', () => {
    test('Keycloak: realm and client roles map; offline_access and default-roles do not', async () => {
      const { user, routes } = await loggedIn('keycloak', 'kc-alice')
      expect(user).toEqual({
        id: 'keycloak:kc-alice',
        roles: ['finance', 'support'],
        scoped: {},
        attributes: { connection: 'keycloak', issuer: op.issuer, sub: 'kc-alice' },
        mapping: {
          trace: [
            {
              role: 'finance',
              rule: 'keycloak.realm-roles',
              claim: 'realm_access.roles',
              value: 'billing-admin',
            },
            {
              role: 'support',
              rule: `keycloak.client-roles.${CLIENT_ID}`,
              claim: `resource_access.${CLIENT_ID}.roles`,
              value: 'viewer',
            },
          ],
          warnings: [],
        },
      })
      expect(routes).toEqual(allowedOnly('GET /invoices', 'POST /invoices', 'GET /reports'))
    })

    test('Keycloak: a user with only the roles every user has gets nothing', async () => {
      const { user, routes } = await loggedIn('keycloak', 'kc-bob')
      expect([user.roles, user.mapping]).toEqual([[], { trace: [], warnings: [] }])
      expect(routes).toEqual(allowedOnly())
    })

    test('a denied route answers the adapter’s 403 problem, naming the permission', async () => {
      const { agent } = await logIn('keycloak', 'kc-bob')
      const res = await agent.get('/invoices')
      expect([res.status, res.headers['content-type'], JSON.parse(res.text)]).toEqual([
        403,
        'application/problem+json; charset=utf-8',
        {
          type: 'urn:rolegate:problem:forbidden',
          title: 'Forbidden',
          status: 403,
          detail: 'Permission "invoices:read" required.',
          permission: 'invoices:read',
          reason: 'no-grant',
        },
      ])
    })

    test('Entra ID: a group object id maps and the configured default role is added', async () => {
      const { user, routes } = await loggedIn('entra', 'entra-carol')
      expect([user.id, user.roles, user.attributes]).toEqual([
        'entra:entra-carol',
        ['analyst', 'finance'],
        { connection: 'entra', issuer: op.issuer, sub: 'entra-carol', tenant: 'tenant-1' },
      ])
      expect(routes).toEqual(allowedOnly('GET /invoices', 'POST /invoices', 'GET /reports'))
    })

    test('Entra ID: a groups overage with a resolver maps the resolved groups', async () => {
      const { user, routes } = await loggedIn('entra-resolved', 'entra-erin')
      expect([user.roles, user.mapping.warnings]).toEqual([
        ['finance'],
        [{ code: 'overage-resolved', claim: 'groups', message: '1 value(s) from the resolver' }],
      ])
      expect(routes).toEqual(allowedOnly('GET /invoices', 'POST /invoices', 'GET /reports'))
    })

    test('Okta: a mapped group gives admin; Everyone is not a signal', async () => {
      const gina = await loggedIn('okta', 'okta-gina')
      expect([gina.user.roles, gina.routes]).toEqual([
        ['admin'],
        allowedOnly(
          'GET /invoices',
          'POST /invoices',
          'GET /reports',
          'GET /admin',
          'GET /teams/42/documents',
        ),
      ])
      const hank = await loggedIn('okta', 'okta-hank')
      expect([hank.user.roles, hank.routes]).toEqual([[], allowedOnly()])
    })

    test('Cognito: cognito:groups maps, and a teams claim becomes team scopes', async () => {
      const { user, routes } = await loggedIn('cognito', 'cognito-ivy')
      expect([user.roles, user.scoped, user.mapping.warnings]).toEqual([
        ['finance'],
        { 'team:42': ['standard'] },
        [
          {
            code: 'scope-value-refused',
            rule: 'teams',
            claim: 'teams',
            message: '"../7": not valid scope id(s)',
          },
        ],
      ])
      expect(routes).toEqual(
        allowedOnly('GET /invoices', 'POST /invoices', 'GET /reports', 'GET /teams/42/documents'),
      )
    })

    test('Google Workspace: the first verified user of the domain becomes admin, the next does not', async () => {
      const pia = await loggedIn('google', 'google-pia')
      expect([pia.user.roles, pia.user.attributes]).toEqual([
        ['analyst', 'admin'],
        {
          connection: 'google',
          issuer: op.issuer,
          sub: 'google-pia',
          email: 'pia@example.test',
          emailVerified: true,
        },
      ])
      const quinn = await loggedIn('google', 'google-quinn')
      expect([quinn.user.roles, quinn.routes]).toEqual([['analyst'], allowedOnly('GET /reports')])
    })
  })

  describe('negative cases end in no roles or a 401, never an allow', () => {
    test('without a login every guarded route is 401', async () => {
      expect(await probe(request.agent(app.url))).toEqual(ALL_401)
      const res = await request(app.url).get('/admin')
      expect([res.status, JSON.parse(res.text)]).toEqual([
        401,
        {
          type: 'urn:rolegate:problem:unauthenticated',
          title: 'Authentication required',
          status: 401,
          detail: 'This request needs an authenticated subject.',
        },
      ])
    })

    test('a token from another provider (wrong issuer) is refused', async () => {
      expect(await refused('other-provider', 'kc-alice')).toEqual(
        unauthenticated('rolegate: issuer-mismatch'),
      )
    })

    test('a token from another Entra tenant is refused', async () => {
      expect(await refused('entra', 'entra-dave')).toEqual(
        unauthenticated('rolegate: tenant-not-allowed'),
      )
    })

    test('a token without a tenant is refused when tenants are listed', async () => {
      expect(await refused('entra', 'entra-frank')).toEqual(
        unauthenticated('rolegate: tenant-not-allowed'),
      )
    })

    test('a token for another audience is refused', async () => {
      expect(await refused('wrong-audience', 'okta-gina')).toEqual(
        unauthenticated('rolegate: audience-mismatch'),
      )
    })

    test('an expired ID token is refused by openid-client', async () => {
      expect(await refused('expired', 'okta-gina')).toEqual(
        unauthenticated('JWT timestamp claim value failed validation'),
      )
    })

    test('a groups overage without a resolver is refused, default role included', async () => {
      expect(await refused('entra', 'entra-erin')).toEqual(unauthenticated('rolegate: overage'))
    })

    test('email_verified false: no first-user admin, only the domain’s role', async () => {
      const { user, routes } = await loggedIn('google', 'google-olga')
      expect([user.roles, user.attributes.emailVerified, routes]).toEqual([
        ['analyst'],
        false,
        allowedOnly('GET /reports'),
      ])
    })

    test('a consumer account with a matching email but no hd gets nothing', async () => {
      const { user, routes } = await loggedIn('google', 'gmail-rita')
      expect([user.roles, routes]).toEqual([[], allowedOnly()])
    })

    test('confusable, case-variant and look-alike group names give no role', async () => {
      const { user, routes } = await loggedIn('okta', 'okta-mallory')
      expect([user.roles, user.mapping]).toEqual([[], { trace: [], warnings: [] }])
      expect(routes).toEqual(allowedOnly())
    })

    test('a huge groups claim gives nothing from its rule, with a warning', async () => {
      const { user, routes } = await loggedIn('okta', 'okta-huge')
      expect([user.roles, user.mapping.warnings]).toEqual([
        [],
        [
          {
            code: 'too-many-values',
            rule: 'okta.groups',
            claim: 'groups',
            message: 'claim has 5001 values, more than 1000: the rule gives nothing',
          },
        ],
      ])
      expect(routes).toEqual(allowedOnly())
    })

    test('non-string group values give no role', async () => {
      const junk = await loggedIn('okta', 'okta-junk')
      expect([junk.user.roles, junk.user.mapping.warnings, junk.routes]).toEqual([
        [],
        [
          {
            code: 'non-string-values',
            rule: 'okta.groups',
            claim: 'groups',
            message: '5 value(s) not strings were ignored',
          },
        ],
        allowedOnly(),
      ])
      const object = await loggedIn('okta', 'okta-object')
      expect([object.user.roles, object.user.mapping.warnings, object.routes]).toEqual([
        [],
        [
          {
            code: 'unsupported-shape',
            rule: 'okta.groups',
            claim: 'groups',
            message: 'claim is object, not a string or an array',
          },
        ],
        allowedOnly(),
      ])
    })

    test('roles under a __proto__ key give no role', async () => {
      const { user, routes } = await loggedIn('keycloak', 'kc-proto')
      expect([user.roles, user.mapping]).toEqual([[], { trace: [], warnings: [] }])
      expect(routes).toEqual(allowedOnly())
    })
  })
})
