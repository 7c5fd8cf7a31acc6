import { setTimeout as sleep } from 'node:timers/promises'
import {
  redisAssignmentStore,
  redisContextResolver,
  type RedisAssignmentStore,
  type RedisContextResolver,
} from '@rolegate/redis'
import type { Express } from 'express'
import { Redis } from 'ioredis'
import request from 'supertest'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { startDelayProxy, type DelayProxy } from '../support/delay-proxy.js'
import {
  redisCli,
  startRedisServer,
  uniquePrefix,
  type RedisServer,
} from '../support/redis-server.js'
import {
  connectRedis,
  disconnectAll,
  guardedApp,
  policy,
  rg,
  unavailableBody,
  sleepUntil,
  track,
} from './support.js'

// One redis-server of our own that the tests stop, pause and restart; the application reaches it
// through a proxy that can make it slow or silent. The administrator's client goes direct.
const TIMEOUT_MS = 300
const BOUND_MS = 1_500
const forbiddenBody = {
  type: 'urn:rolegate:problem:forbidden',
  title: 'Forbidden',
  status: 403,
  detail: 'Permission "invoices:read" required.',
  permission: 'invoices:read',
  reason: 'no-grant',
}

let server: RedisServer
let proxy: DelayProxy
let admin: Redis
let app: Redis
let adminStore: RedisAssignmentStore
let strict: Express
let bounded: Express
let resolvers: RedisContextResolver<typeof policy>[] = []
/** What the resolvers of the first group reported (a copy served while Redis failed). */
const reported: unknown[] = []
const report = (error: unknown): void => void reported.push(error)

beforeAll(async () => {
  server = await startRedisServer()
  proxy = await startDelayProxy({ targetPort: server.port })
  const keyPrefix = uniquePrefix('faults')
  admin = await connectRedis(server.port)
  app = await connectRedis(proxy.port, { commandTimeout: TIMEOUT_MS })
  adminStore = redisAssignmentStore({ client: admin, keyPrefix, rolegate: rg })
  const appStore = redisAssignmentStore({
    client: app,
    keyPrefix,
    rolegate: rg,
    timeoutMs: TIMEOUT_MS,
  })
  resolvers = [
    redisContextResolver({ store: appStore, rolegate: rg, mode: 'strict', onError: report }),
    redisContextResolver({
      store: appStore,
      rolegate: rg,
      mode: 'bounded',
      boundMs: BOUND_MS,
      onError: report,
    }),
  ]
  await Promise.all(resolvers.map((r) => r.ready()))
  strict = guardedApp(resolvers[0] as RedisContextResolver<typeof policy>)
  bounded = guardedApp(resolvers[1] as RedisContextResolver<typeof policy>)
}, 20_000)

afterEach(async () => {
  proxy.setDelay(0)
  proxy.blackhole(false)
  // Every test leaves the server up, with nothing stored.
  if ((await redisCli(server.port, 'PING').catch(() => '')) !== 'PONG') await server.restart()
  await expect.poll(() => admin.status, { timeout: 5_000 }).toBe('ready')
  await expect.poll(() => app.status, { timeout: 5_000 }).toBe('ready')
  await admin.flushall()
  for (const resolver of resolvers) resolver.clear()
  reported.length = 0
})

afterAll(async () => {
  await Promise.all(resolvers.map((r) => r.close()))
  disconnectAll()
  await proxy.close()
  await server.stop()
})

async function get(target: Express, user: string) {
  const res = await request(target).get('/invoices').set('x-user', user)
  return {
    status: res.status,
    type: res.get('content-type'),
    retryAfter: res.get('retry-after'),
    body: res.body as unknown,
  }
}

const unavailable = {
  status: 503,
  type: 'application/problem+json; charset=utf-8',
  retryAfter: '1',
  body: unavailableBody,
}
const forbidden = {
  status: 403,
  type: 'application/problem+json; charset=utf-8',
  retryAfter: undefined,
  body: forbiddenBody,
}
const allowed = {
  status: 200,
  type: 'application/json; charset=utf-8',
  retryAfter: undefined,
  body: { invoices: [] },
}

/** Polls until the app answers something other than 503, and returns every answer seen. */
async function untilAnswered(target: Express, user: string) {
  const seen: Awaited<ReturnType<typeof get>>[] = []
  await expect
    .poll(
      async () => {
        seen.push(await get(target, user))
        return seen.at(-1)?.status
      },
      { timeout: 8_000, interval: 100 },
    )
    .not.toBe(503)
  return seen
}

describe.sequential('Redis faults', () => {
  test('with Redis up: 200 for a holder, 403 with a problem body for anyone else', async () => {
    await adminStore.assign('u1', 'viewer')
    for (const target of [strict, bounded]) {
      expect(await get(target, 'u1')).toEqual(allowed)
      expect(await get(target, 'u2')).toEqual(forbidden)
    }
  })

  test('strict: Redis stopped mid-run answers 503; restarted empty it refuses the old holder, then recovers', async () => {
    await adminStore.assign('u1', 'viewer')
    expect(await get(strict, 'u1')).toEqual(allowed)
    await server.stop()
    expect(await get(strict, 'u1')).toEqual(unavailable)
    expect(await get(strict, 'u2')).toEqual(unavailable)
    await server.restart()
    // The restarted server is empty: what u1 held is gone, and no answer may still allow it.
    const seen = await untilAnswered(strict, 'u1')
    expect(seen.filter((answer) => answer.status !== 503)).toEqual([forbidden])
    await expect.poll(() => admin.status, { timeout: 5_000 }).toBe('ready') // reconnected too
    await adminStore.assign('u1', 'viewer')
    expect(await get(strict, 'u1')).toEqual(allowed)
  }, 10_000)

  test('bounded: with Redis stopped the copy answers within the bound, 503 after it; recovers when back', async () => {
    await adminStore.assign('u1', 'viewer')
    // The copy is confirmed by a read sent between these two instants.
    const before = performance.now()
    expect(await get(bounded, 'u1')).toEqual(allowed)
    const after = performance.now()
    await server.stop()
    const early = await get(bounded, 'u1')
    // The test's premise, asserted rather than assumed: this ran inside the bound.
    expect(performance.now() - before).toBeLessThan(BOUND_MS)
    expect(early).toEqual(allowed)
    expect(reported).toEqual([
      expect.objectContaining({
        code: 'ERR_ROLEGATE_BACKEND_UNAVAILABLE',
        message: 'The assignment store did not answer.',
      }),
    ])
    // A subject with no copy has nothing within the bound to answer from.
    expect(await get(bounded, 'u2')).toEqual(unavailable)
    await sleepUntil(after + BOUND_MS)
    expect(await get(bounded, 'u1')).toEqual(unavailable)
    await server.restart()
    const seen = await untilAnswered(bounded, 'u1')
    expect(seen.filter((answer) => answer.status !== 503)).toEqual([forbidden])
    await expect.poll(() => admin.status, { timeout: 5_000 }).toBe('ready') // reconnected too
    await adminStore.assign('u1', 'viewer')
    await expect.poll(async () => (await get(bounded, 'u1')).status).toBe(200)
  }, 10_000)

  test('CLIENT PAUSE: strict answers 503 while Redis is paused, then recovers by itself', async () => {
    await adminStore.assign('u1', 'viewer')
    expect(await get(strict, 'u1')).toEqual(allowed)
    await server.pause(1_500)
    expect(await get(strict, 'u1')).toEqual(unavailable)
    expect(await get(strict, 'u2')).toEqual(unavailable)
    const seen = await untilAnswered(strict, 'u1')
    expect(seen.at(-1)).toEqual(allowed)
  }, 10_000)

  test('slow Redis: answers past the timeout are refused with 503; a slower but timely one is fine', async () => {
    await adminStore.assign('u1', 'viewer')
    expect(await get(strict, 'u1')).toEqual(allowed)
    proxy.setDelay(200) // 400 ms a round trip, against a 300 ms timeout
    expect(await get(strict, 'u1')).toEqual(unavailable)
    expect(await get(strict, 'u2')).toEqual(unavailable)
    proxy.setDelay(30) // 60 ms a round trip
    const seen = await untilAnswered(strict, 'u1')
    expect(seen.at(-1)).toEqual(allowed)
    expect(await get(strict, 'u2')).toEqual(forbidden)
  }, 10_000)

  test('hung Redis (blackhole): 503 in strict mode and past the bound; both recover once it answers', async () => {
    await adminStore.assign('u1', 'viewer')
    expect(await get(bounded, 'u1')).toEqual(allowed)
    const confirmed = performance.now() // the copy was confirmed before this
    expect(await get(strict, 'u1')).toEqual(allowed)
    proxy.blackhole(true)
    expect(await get(strict, 'u1')).toEqual(unavailable)
    await sleepUntil(confirmed + BOUND_MS)
    expect(await get(bounded, 'u1')).toEqual(unavailable)
    proxy.blackhole(false)
    expect((await untilAnswered(strict, 'u1')).at(-1)).toEqual(allowed)
    expect((await untilAnswered(bounded, 'u1')).at(-1)).toEqual(allowed)
  }, 10_000)
})

describe.sequential('rebuildIndex while Redis is silent', () => {
  // A client without commandTimeout (allowed, with a warning): only rolegate's own deadline stands
  // between a SCAN that gets no answer and a rebuild that never ends.
  async function storeWithoutCommandTimeout(port: number): Promise<RedisAssignmentStore> {
    const client = track(
      new Redis(port, '127.0.0.1', {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        lazyConnect: true,
      }),
    )
    client.on('error', () => {})
    await client.connect()
    const keyPrefix = uniquePrefix('rebuild')
    return redisAssignmentStore({
      client,
      keyPrefix,
      rolegate: rg,
      timeoutMs: TIMEOUT_MS,
      checkClient: false,
    })
  }
  const timedOut = {
    code: 'ERR_ROLEGATE_BACKEND_UNAVAILABLE',
    status: 503,
    message: 'The assignment store did not answer.',
    cause: { message: `Redis did not answer within ${TIMEOUT_MS} ms` },
  }

  test('hung (blackhole): fails with 503 at its deadline', async () => {
    const store = await storeWithoutCommandTimeout(proxy.port)
    await store.assign('u1', 'viewer')
    proxy.blackhole(true)
    const started = performance.now()
    await expect(store.rebuildIndex()).rejects.toMatchObject(timedOut)
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 500)
  })

  test('CLIENT PAUSE: fails with 503 at its deadline', async () => {
    const store = await storeWithoutCommandTimeout(server.port)
    await store.assign('u1', 'viewer')
    await server.pause(1_500)
    const started = performance.now()
    await expect(store.rebuildIndex()).rejects.toMatchObject(timedOut)
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 500)
  })
})

describe.sequential('a subscriber that misses an invalidation', () => {
  test('while silently cut off: the stale answer is never served past the bound', async () => {
    const keyPrefix = uniquePrefix('missed')
    const subProxy = await startDelayProxy({ targetPort: server.port })
    const client = await connectRedis(server.port)
    const subscriber = await connectRedis(subProxy.port)
    const changes = redisAssignmentStore({ client: admin, keyPrefix, rolegate: rg })
    const store = redisAssignmentStore({ client, keyPrefix, rolegate: rg })
    const resolve = redisContextResolver({
      store,
      rolegate: rg,
      mode: 'bounded',
      boundMs: BOUND_MS,
      subscriber,
      onError: report,
    })
    try {
      await resolve.ready()
      const instanceB = guardedApp(resolve)
      await changes.assign('u1', 'viewer')
      expect(await get(instanceB, 'u1')).toEqual(allowed)
      subProxy.blackhole(true) // the message about the revocation will not arrive
      await changes.revoke('u1', 'viewer')
      const revoked = performance.now()
      // Whatever it answers meanwhile, a request started a bound after the revocation is refused.
      const answers: { startedAt: number; status: number }[] = []
      while (performance.now() < revoked + BOUND_MS + 300) {
        const startedAt = performance.now()
        answers.push({ startedAt, status: (await get(instanceB, 'u1')).status })
        await sleep(50)
      }
      const late = answers.filter((a) => a.startedAt >= revoked + BOUND_MS)
      expect(late.length).toBeGreaterThan(0)
      expect(late.map((a) => a.status)).toEqual(late.map(() => 403))
      expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 403)).toEqual([])
    } finally {
      await resolve.close()
      subProxy.blackhole(false)
      await subProxy.close()
    }
  }, 10_000)

  test('while disconnected: every copy is confirmed again, so the change is seen at once', async () => {
    const keyPrefix = uniquePrefix('reconnect')
    const subProxy = await startDelayProxy({ targetPort: server.port })
    const client = await connectRedis(server.port)
    const subscriber = await connectRedis(subProxy.port)
    const changes = redisAssignmentStore({ client: admin, keyPrefix, rolegate: rg })
    const store = redisAssignmentStore({ client, keyPrefix, rolegate: rg })
    const resolve = redisContextResolver({
      store,
      rolegate: rg,
      mode: 'bounded',
      boundMs: 60_000,
      subscriber,
      onError: report,
    })
    try {
      await resolve.ready()
      const instanceB = guardedApp(resolve)
      await changes.assign('u1', 'viewer')
      expect(await get(instanceB, 'u1')).toEqual(allowed)
      expect(await get(instanceB, 'u1')).toEqual(allowed)
      expect(resolve.stats()).toMatchObject({ hits: 1, lookups: 1 })
      await subProxy.close() // drops the subscriber's connection; reconnecting fails from now on
      await expect.poll(() => subscriber.status).not.toBe('ready')
      // The lost subscription is reported, not kept quiet.
      await expect.poll(() => reported[0]).toMatchObject({ code: 'ECONNREFUSED' })
      await changes.revoke('u1', 'viewer') // published while B's subscriber is away
      expect(await get(instanceB, 'u1')).toEqual(forbidden)
      expect(resolve.stats()).toMatchObject({ hits: 1, lookups: 2 })
    } finally {
      await resolve.close()
    }
  }, 10_000)
})
