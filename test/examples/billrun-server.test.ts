import { DEMO_USERS } from '@rolegate-example/billrun/demo-users'
import { afterEach, describe, expect, onTestFinished, test } from 'vitest'
import { freePort } from '../support/free-port.js'
import { loginWithOidc } from '../support/oidc-login.js'
import { startOidcProvider } from '../support/oidc-provider.js'
import { redisUrl, uniquePrefix } from '../support/redis-server.js'
import { printedCurls, runPrintedCurl } from './support/demo-instructions.js'
import { UNAUTHENTICATED } from './support/problem-bodies.js'
import { removeRedisKeys } from './support/remove-redis-keys.js'
import { spawnExampleServer, type ExampleServer } from './support/spawn-example-server.js'

// server.ts as `pnpm start` runs it, in its own process.
let server: ExampleServer | undefined

afterEach(async () => {
  if (server !== undefined) expect(await server.stop()).toBe(0)
  server = undefined
})

describe('BillRun example: server.ts', { timeout: 30_000 }, () => {
  test('in demo mode it prints one curl line per demo user, and each does what it says', async () => {
    server = await spawnExampleServer('billrun')
    expect(server.output()).toContain(
      `BillRun example listening on ${server.url}: roles in memory, no OIDC login (set OIDC_ISSUER).`,
    )
    const curls = printedCurls(server.output())
    expect(curls.map((c) => c.token)).toEqual([...DEMO_USERS.map((u) => `demo-${u.id}`), undefined])
    for (const curl of curls) {
      expect(await runPrintedCurl(curl)).toEqual(curl.requests.map((r) => r.status))
    }
  })

  test('with NODE_ENV=production demo tokens are refused', async () => {
    server = await spawnExampleServer('billrun', { NODE_ENV: 'production' })
    expect(server.output()).toContain('Production mode: demo tokens are refused.')
    expect(printedCurls(server.output())).toEqual([])
    const res = await fetch(`${server.url}/config`, {
      headers: { authorization: 'Bearer demo-ada' },
    })
    expect([res.status, await res.json()]).toEqual([401, UNAUTHENTICATED])
  })

  test('with REDIS_URL the roles live in Redis, and the demo still answers', async () => {
    const keyPrefix = uniquePrefix('billrun-server')
    server = await spawnExampleServer('billrun', {
      REDIS_URL: redisUrl(),
      REDIS_KEY_PREFIX: keyPrefix,
    })
    onTestFinished(() => removeRedisKeys(keyPrefix))
    expect(server.output()).toContain(`roles in Redis (${new URL(redisUrl()).host}, strict)`)
    for (const curl of printedCurls(server.output())) {
      expect(await runPrintedCurl(curl)).toEqual(curl.requests.map((r) => r.status))
    }
  })

  test('with OIDC_ISSUER a user logs in through the provider, with the mapped roles only', async () => {
    const port = await freePort()
    const publicUrl = `http://127.0.0.1:${port}`
    const provider = await startOidcProvider({
      accounts: { 'kc-rex': { realm_access: { roles: ['billrun-reports', 'billrun-auditor'] } } },
      clients: [
        {
          client_id: 'billrun',
          client_secret: 'billrun-secret',
          redirect_uris: [`${publicUrl}/login/callback`],
        },
      ],
    })
    onTestFinished(() => provider.close())
    server = await spawnExampleServer('billrun', {
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: 'billrun',
      OIDC_CLIENT_SECRET: 'billrun-secret',
    })
    expect(server.output()).toContain(`OIDC login at ${publicUrl}/login.`)
    const { agent, callback } = await loginWithOidc({ appUrl: server.url, accountId: 'kc-rex' })
    expect(callback.status).toBe(302)
    expect((await agent.get('/me')).body).toEqual({ id: 'keycloak:kc-rex', roles: ['reports'] })
    expect([
      (await agent.get('/reports/export')).status,
      (await agent.get('/invoices')).status,
    ]).toEqual([200, 403])
  })

  test('in production OIDC needs a SESSION_SECRET: the server refuses to start without one', async () => {
    await expect(
      spawnExampleServer('billrun', {
        NODE_ENV: 'production',
        OIDC_ISSUER: 'http://127.0.0.1:9/',
        OIDC_CLIENT_ID: 'billrun',
        OIDC_CLIENT_SECRET: 'billrun-secret',
      }),
    ).rejects.toThrow('SESSION_SECRET is required in production')
  })
})
