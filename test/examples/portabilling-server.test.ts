import { DEMO_LINES } from '@rolegate-example/portabilling/demo-users'
import { afterEach, describe, expect, onTestFinished, test } from 'vitest'
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

describe('PortaBilling example: server.ts', { timeout: 30_000 }, () => {
  test('in demo mode it prints a curl line per demo user and acting administrator, each doing what it says', async () => {
    server = await spawnExampleServer('portabilling')
    expect(server.output()).toContain(
      `PortaBilling example listening on ${server.url}: roles and users in memory.`,
    )
    const curls = printedCurls(server.output())
    expect(curls.map((c) => c.headers)).toEqual([
      ...DEMO_LINES.map(({ user, headers }) => ({
        authorization: `Bearer demo-${user}`,
        ...headers,
      })),
      {},
    ])
    for (const curl of curls) {
      expect(await runPrintedCurl(curl)).toEqual(curl.requests.map((r) => r.status))
    }
  })

  test('with NODE_ENV=production demo tokens are refused', async () => {
    server = await spawnExampleServer('portabilling', { NODE_ENV: 'production' })
    expect(server.output()).toContain('Production mode: demo tokens are refused.')
    expect(printedCurls(server.output())).toEqual([])
    const res = await fetch(`${server.url}/me`, {
      headers: { authorization: 'Bearer demo-ada' },
    })
    expect([res.status, await res.json()]).toEqual([401, UNAUTHENTICATED])
  })

  test('with REDIS_URL roles and users live in Redis, and the demo still answers', async () => {
    const keyPrefix = uniquePrefix('portabilling-server')
    server = await spawnExampleServer('portabilling', {
      REDIS_URL: redisUrl(),
      REDIS_KEY_PREFIX: keyPrefix,
    })
    onTestFinished(() => removeRedisKeys(keyPrefix))
    expect(server.output()).toContain(
      `roles and users in Redis (${new URL(redisUrl()).host}, strict)`,
    )
    for (const curl of printedCurls(server.output())) {
      expect(await runPrintedCurl(curl)).toEqual(curl.requests.map((r) => r.status))
    }
  })
})
