import { DEMO_USERS } from '@rolegate-example/billwerk/demo-users'
import { afterEach, describe, expect, onTestFinished, test } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { freePort } from '../support/free-port.js'
import { redisUrl, uniquePrefix } from '../support/redis-server.js'
import { buildSamlResponse, testIdpKey } from '../support/saml-idp.js'
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

describe('billwerk example: server.ts', { timeout: 30_000 }, () => {
  test('in demo mode it prints one curl line per demo user, and each does what it says', async () => {
    server = await spawnExampleServer('billwerk')
    expect(server.output()).toContain(
      `billwerk example listening on ${server.url}: roles in memory, no SAML login (set SAML_IDP_ISSUER).`,
    )
    const curls = printedCurls(server.output())
    expect(curls.map((c) => c.token)).toEqual([...DEMO_USERS.map((u) => `demo-${u.id}`), undefined])
    for (const curl of curls) {
      expect(await runPrintedCurl(curl)).toEqual(curl.requests.map((r) => r.status))
    }
  })

  test('with NODE_ENV=production demo tokens are refused', async () => {
    server = await spawnExampleServer('billwerk', { NODE_ENV: 'production' })
    expect(server.output()).toContain('Production mode: demo tokens are refused.')
    expect(printedCurls(server.output())).toEqual([])
    const res = await fetch(`${server.url}/me/personal-data`, {
      headers: { authorization: 'Bearer demo-ada' },
    })
    expect([res.status, await res.json()]).toEqual([401, UNAUTHENTICATED])
  })

  test('with REDIS_URL the roles live in Redis, and the demo still answers', async () => {
    const keyPrefix = uniquePrefix('billwerk-server')
    server = await spawnExampleServer('billwerk', {
      REDIS_URL: redisUrl(),
      REDIS_KEY_PREFIX: keyPrefix,
    })
    onTestFinished(() => removeRedisKeys(keyPrefix))
    expect(server.output()).toContain(`roles in Redis (${new URL(redisUrl()).host}, strict)`)
    for (const curl of printedCurls(server.output())) {
      expect(await runPrintedCurl(curl)).toEqual(curl.requests.map((r) => r.status))
    }
  })

  test('with SAML_IDP_ISSUER a signed assertion logs in, its groups mapped to roles', async () => {
    const [port, key] = await Promise.all([freePort(), testIdpKey()])
    const publicUrl = `http://127.0.0.1:${port}`
    const dir = mkdtempSync(join(tmpdir(), 'billwerk-saml-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'idp.pem'), key.cert)
    server = await spawnExampleServer('billwerk', {
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      SAML_IDP_ISSUER: 'https://idp.billwerk.test/saml',
      SAML_IDP_CERT_FILE: join(dir, 'idp.pem'),
    })
    expect(server.output()).toContain(`SAML ACS at ${publicUrl}/saml/acs.`)
    const SAMLResponse = await buildSamlResponse({
      issuer: 'https://idp.billwerk.test/saml',
      audience: `${publicUrl}/saml`,
      acsUrl: `${publicUrl}/saml/acs`,
      nameId: 'fiona@acme.test',
      attributes: { groups: ['billwerk-finance'] },
      sign: 'assertion',
      key,
    })
    const agent = request.agent(server.url)
    const acs = await agent.post('/saml/acs').type('form').send({ SAMLResponse })
    expect(acs.status).toBe(302)
    expect((await agent.get('/me')).body).toEqual({
      id: 'saml:fiona@acme.test',
      roles: ['finance'],
    })
    expect([
      (await agent.get('/accounting-export')).status,
      (await agent.get('/log-lists')).status,
    ]).toEqual([200, 403])
  })
})
