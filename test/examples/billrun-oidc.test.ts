import { createApp, type BillRunApp } from '@rolegate-example/billrun'
import * as client from 'openid-client'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loginWithOidc } from '../support/oidc-login.js'
import { startOidcProvider, type OidcProvider } from '../support/oidc-provider.js'
import { listenOnLoopback, type LoopbackListener } from '../support/loopback-listener.js'
import { missingPermission, UNAUTHENTICATED } from './support/problem-bodies.js'

const CLIENT_ID = 'billrun'
const CLIENT_SECRET = 'billrun-secret'

// Keycloak-shaped ID tokens: realm roles under realm_access.roles.
const ACCOUNTS = {
  'kc-ada': { realm_access: { roles: ['billrun-admin', 'offline_access'] } },
  'kc-otto': { realm_access: { roles: ['billrun-write', 'default-roles-billrun'] } },
  'kc-mira': { realm_access: { roles: ['billrun-read', 'billrun-reports', 'uma_authorization'] } },
  // Values that look like roles but have no rule: no role at all.
  'kc-eve': {
    realm_access: {
      roles: [
        'admin',
        'write',
        'billrun-superuser',
        'Billrun-Admin',
        'billrun-admin ',
        'offline_access',
      ],
    },
  },
}

describe('BillRun example: OIDC login, roles from an explicit claim mapping', () => {
  let listener: LoopbackListener
  let provider: OidcProvider
  let billrun: BillRunApp

  beforeAll(async () => {
    listener = await listenOnLoopback()
    const callbackURL = `${listener.url}/login/callback`
    provider = await startOidcProvider({
      accounts: ACCOUNTS,
      clients: [
        { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [callbackURL] },
      ],
    })
    const config = await client.discovery(
      new URL(provider.issuer),
      CLIENT_ID,
      CLIENT_SECRET,
      undefined,
      { execute: [client.allowInsecureRequests] },
    )
    billrun = createApp({ oidc: { config, callbackURL, sessionSecret: 'test-session-secret' } })
    listener.serve(billrun.app)
  })

  afterAll(async () => {
    await Promise.all([listener.close(), provider.close()])
  })

  async function logIn(accountId: keyof typeof ACCOUNTS) {
    const { agent, callback } = await loginWithOidc({ appUrl: listener.url, accountId })
    expect([callback.status, callback.headers['location']]).toEqual([302, '/me'])
    return agent
  }

  test.each([
    ['kc-ada', ['admin'], { '/customers': 200, '/reports/export': 200, '/config': 200 }],
    ['kc-otto', ['write'], { '/customers': 200, '/reports/export': 403, '/config': 403 }],
    ['kc-mira', ['read', 'reports'], { '/customers': 200, '/reports/export': 200, '/config': 403 }],
    ['kc-eve', [], { '/customers': 403, '/reports/export': 403, '/config': 403 }],
  ] as const)('%s logs in with roles %j', async (account, roles, statuses) => {
    const agent = await logIn(account)
    const me = await agent.get('/me')
    expect([me.status, me.body]).toEqual([200, { id: `keycloak:${account}`, roles }])
    const seen: Record<string, number> = {}
    for (const path of Object.keys(statuses)) seen[path] = (await agent.get(path)).status
    expect(seen).toEqual(statuses)
  })

  test('an unmapped claim value gives no role: 403 naming the permission', async () => {
    const agent = await logIn('kc-eve')
    const res = await agent.get('/customers')
    expect([res.status, JSON.parse(res.text)]).toEqual([
      403,
      missingPermission('crm.customers:read'),
    ])
  })

  test('a local role given to an OIDC user by an admin adds to the mapped ones, on the next request', async () => {
    const [admin, eve] = await Promise.all([logIn('kc-ada'), logIn('kc-eve')])
    expect((await eve.get('/invoices')).status).toBe(403)
    const assigned = await admin.put('/admin/users/keycloak:kc-eve/roles').send({ roles: ['read'] })
    expect([assigned.status, assigned.body]).toEqual([
      200,
      { id: 'keycloak:kc-eve', roles: ['read'] },
    ])
    expect((await eve.get('/invoices')).status).toBe(200)
    expect((await eve.get('/me')).body).toEqual({ id: 'keycloak:kc-eve', roles: ['read'] })
    await billrun.store.delete('keycloak:kc-eve')
    expect((await eve.get('/invoices')).status).toBe(403)
  })

  test('after logout the session is gone: 401', async () => {
    const agent = await logIn('kc-otto')
    expect((await agent.post('/logout')).status).toBe(204)
    const res = await agent.get('/customers')
    expect([res.status, JSON.parse(res.text)]).toEqual([401, UNAUTHENTICATED])
  })

  test('without demo mode a demo token is no login', async () => {
    const res = await fetch(`${listener.url}/me`, { headers: { authorization: 'Bearer demo-ada' } })
    expect([res.status, await res.json()]).toEqual([401, UNAUTHENTICATED])
  })
})
