import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { createRolegate, definePolicy } from '@rolegate/core'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { recommendedRedisOptions } from './client-options.js'
import { redisAssignmentStore } from './redis-assignment-store.js'
import { redisContextResolver, type RedisContextResolver } from './redis-context-resolver.js'
import { redisPolicyStore } from './redis-policy-store.js'

const policy = definePolicy({
  resources: ['projects', 'invoices'],
  roles: {
    admin: { exclusive: true, grants: { '*': 'write' } },
    standard: { grants: { projects: 'write' } },
    viewer: { grants: { projects: 'read' } },
  },
})
const rg = createRolegate({ policy })

const prefix = `rg:test:unit-resolver:${randomBytes(4).toString('hex')}:`
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const clients: Redis[] = []
const resolvers: RedisContextResolver<typeof policy>[] = []

/** A client per simulated instance, as separate processes would each have. */
async function connect(): Promise<Redis> {
  const client = new Redis(url, { ...recommendedRedisOptions, lazyConnect: true })
  clients.push(client)
  await client.connect()
  return client
}

let admin: Redis
beforeAll(async () => {
  admin = await connect()
})
afterAll(async () => {
  await Promise.all(resolvers.map((r) => r.close()))
  const keys = await admin.keys(`${prefix}*`)
  if (keys.length > 0) await admin.del(...keys)
  for (const client of clients) client.disconnect()
})

let run = 0
/** Instance A (where changes are made) and instance B (where requests are resolved). */
async function instances(options: {
  mode: 'strict' | 'bounded'
  boundMs?: number
  subscriber?: Redis | false
  onError?: (error: unknown) => void
}) {
  const keyPrefix = `${prefix}${run++}:`
  const storeA = redisAssignmentStore({ client: admin, keyPrefix, rolegate: rg })
  const storeB = redisAssignmentStore({ client: await connect(), keyPrefix, rolegate: rg })
  const resolve = redisContextResolver({ store: storeB, rolegate: rg, ...options })
  resolvers.push(resolve)
  await resolve.ready()
  return { storeA, storeB, resolve, keyPrefix }
}

describe('redisContextResolver, strict', () => {
  test('a malformed subject with a stored record is refused as malformed, never merged', async () => {
    const { storeA, resolve } = await instances({ mode: 'strict' })
    await storeA.assign('u', 'viewer')
    await expect(
      resolve({ id: 'u', roles: 'admin' } as unknown as { id: string }),
    ).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_INVALID_SUBJECT',
      message: 'Invalid subject: "roles" must be a list of role names',
    })
    await expect(
      resolve({ id: 'u', type: null } as unknown as { id: string }),
    ).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_INVALID_SUBJECT',
      message: 'Invalid subject: "type" must be a string',
    })
  })

  test('a change made elsewhere is seen by the very next request', async () => {
    const { storeA, resolve } = await instances({ mode: 'strict' })
    await storeA.assign('u', 'standard')
    expect((await resolve({ id: 'u' })).can('projects:write')).toBe(true)
    await storeA.revoke('u', 'standard')
    expect((await resolve({ id: 'u' })).can('projects:write')).toBe(false)
    await storeA.assign('u', 'viewer')
    expect((await resolve({ id: 'u' })).roles().held).toEqual(['viewer'])
    expect(resolve.stats()).toEqual({ hits: 0, lookups: 3, servedStale: 0, unavailable: 0 })
  })

  test('asks Redis on every request, and reuses the local copy while the epoch matches', async () => {
    const { storeA, resolve } = await instances({ mode: 'strict' })
    await storeA.assign('u', 'standard')
    const first = await resolve({ id: 'u' })
    expect(await resolve({ id: 'u' })).toBe(first)
    expect(resolve.stats().lookups).toBe(2)
  })

  test('adds stored assignments to what the subject carries', async () => {
    const { storeA, resolve } = await instances({ mode: 'strict' })
    await storeA.assign('u', 'viewer', { scope: 'team:1' })
    const context = await resolve({ id: 'u', roles: ['standard'] })
    expect(context.roles('team:1').held).toEqual(['standard', 'viewer'])
    expect(context.roles().held).toEqual(['standard'])
  })

  test('a subject without stored assignments has only what it carries', async () => {
    const { resolve } = await instances({ mode: 'strict' })
    expect((await resolve({ id: 'nobody' })).can('projects:read')).toBe(false)
    expect((await resolve({ id: 'nobody', roles: ['viewer'] })).can('projects:read')).toBe(true)
  })

  test('a malformed subject is core’s TypeError, not a backend failure', async () => {
    const { resolve } = await instances({ mode: 'strict' })
    await expect(resolve({ id: '' })).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_ROLEGATE_INVALID_SUBJECT',
    })
    await expect(resolve({ id: 'u', roles: 'admin' } as never)).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_INVALID_SUBJECT',
      message: 'Invalid subject: "roles" must be a list of role names',
    })
  })
})

describe('redisContextResolver: ids Redis cannot keep apart', () => {
  test.each(['strict', 'bounded'] as const)(
    '%s: an id with a lone surrogate is a malformed subject, not the record of the id Redis makes of it',
    async (mode) => {
      const { storeA, resolve } = await instances({ mode, boundMs: 60_000 })
      // In Redis, "bob\uD800" and "bob\uFFFD" would name this one record.
      await storeA.assign('bob\uFFFD', 'admin')
      await expect(resolve({ id: 'bob\uD800' })).rejects.toMatchObject({
        name: 'TypeError',
        code: 'ERR_ROLEGATE_INVALID_SUBJECT',
        message:
          'Invalid subject: "id" must be well-formed Unicode: it contains a lone UTF-16 surrogate, which Redis would store as U+FFFD and so share with another id',
      })
      expect(resolve.stats().lookups).toBe(0)
      expect((await resolve({ id: 'bob\uFFFD' })).can('projects:write')).toBe(true)
    },
  )
})

describe('redisContextResolver, bounded', () => {
  test('serves its copy without asking Redis while within the bound', async () => {
    const { storeA, resolve } = await instances({ mode: 'bounded', boundMs: 60_000 })
    await storeA.assign('u', 'standard')
    const first = await resolve({ id: 'u' })
    expect(await resolve({ id: 'u' })).toBe(first)
    // A hit answers at once, not with a promise: guards then decide synchronously.
    expect(resolve({ id: 'u' })).toBe(first)
    expect(resolve.stats()).toEqual({ hits: 2, lookups: 1, servedStale: 0, unavailable: 0 })
  })

  test('drops its copy when another instance announces a change', async () => {
    const { storeA, resolve } = await instances({ mode: 'bounded', boundMs: 60_000 })
    await storeA.assign('u', 'standard')
    expect((await resolve({ id: 'u' })).can('projects:write')).toBe(true)
    await storeA.revoke('u', 'standard')
    await expect.poll(async () => (await resolve({ id: 'u' })).can('projects:write')).toBe(false)
  })

  test('a change made through the same store object is seen at once, message or not', async () => {
    const { storeB, resolve } = await instances({
      mode: 'bounded',
      boundMs: 60_000,
      subscriber: false,
    })
    await storeB.assign('u', 'standard')
    expect((await resolve({ id: 'u' })).can('projects:write')).toBe(true)
    await storeB.revoke('u', 'standard')
    expect((await resolve({ id: 'u' })).can('projects:write')).toBe(false)
  })

  test('without pub/sub a change elsewhere is seen once the bound has passed, not before', async () => {
    const { storeA, resolve } = await instances({
      mode: 'bounded',
      boundMs: 300,
      subscriber: false,
    })
    await storeA.assign('u', 'standard')
    // The resolver's clock, and only it, is the test's: Redis and its timers run in real time.
    vi.useFakeTimers({ toFake: ['performance'] })
    try {
      expect((await resolve({ id: 'u' })).can('projects:write')).toBe(true)
      await storeA.revoke('u', 'standard')
      vi.advanceTimersByTime(299)
      expect((await resolve({ id: 'u' })).can('projects:write')).toBe(true)
      vi.advanceTimersByTime(1)
      expect((await resolve({ id: 'u' })).can('projects:write')).toBe(false)
    } finally {
      vi.useRealTimers()
    }
  })

  test('after the subscriber reconnects, every copy is confirmed again before it is trusted', async () => {
    const subscriber = await connect()
    const id = await subscriber.client('ID')
    const { storeA, resolve } = await instances({ mode: 'bounded', boundMs: 60_000, subscriber })
    await storeA.assign('u', 'standard')
    await resolve({ id: 'u' })
    await resolve({ id: 'u' })
    expect(resolve.stats()).toMatchObject({ hits: 1, lookups: 1 })
    // The connection drops (as in a network blip) and ioredis reconnects by itself.
    await admin.client('KILL', 'ID', String(id))
    await expect
      .poll(async () => {
        await resolve({ id: 'u' })
        return resolve.stats().lookups
      })
      .toBe(2)
    expect((await resolve({ id: 'u' })).can('projects:write')).toBe(true)
  })
})

describe('redisContextResolver: failures it answers anyway', () => {
  test('a copy served while Redis fails is reported; an onError that throws goes to console.error', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const loggerDown = new Error('logger down')
    const subscriber = await connect()
    const id = await subscriber.client('ID')
    try {
      const { storeA, storeB, resolve } = await instances({
        mode: 'bounded',
        boundMs: 60_000,
        subscriber,
        onError: () => {
          throw loggerDown
        },
      })
      await storeA.assign('u', 'standard')
      await resolve({ id: 'u' })
      // The resolver's own client goes down, then the subscription drops: the copy must be
      // confirmed again, cannot be, and is served as still within its bound.
      ;(storeB.client as Redis).disconnect()
      await admin.client('KILL', 'ID', String(id))
      await expect
        .poll(async () => {
          await resolve({ id: 'u' })
          return resolve.stats().servedStale
        })
        .toBeGreaterThan(0)
      expect((await resolve({ id: 'u' })).can('projects:write')).toBe(true)
      expect(logged).toHaveBeenCalledWith(loggerDown)
    } finally {
      logged.mockRestore()
    }
  })
})

describe('redisContextResolver with custom roles', () => {
  test('a custom role created elsewhere is in force at the next request (strict)', async () => {
    const keyPrefix = `${prefix}${run++}:`
    const policiesA = redisPolicyStore({ client: admin, keyPrefix, policy })
    const clientB = await connect()
    const policiesB = redisPolicyStore({ client: clientB, keyPrefix, policy })
    const storeA = redisAssignmentStore({ client: admin, keyPrefix, rolegate: policiesA })
    const storeB = redisAssignmentStore({ client: clientB, keyPrefix, rolegate: policiesB })
    const resolve = redisContextResolver({ store: storeB, rolegate: policiesB, mode: 'strict' })
    resolvers.push(resolve)
    await resolve.ready()
    await policiesA.createRole('billing', { grants: { invoices: 'write' } })
    await storeA.assign('u', 'billing')
    expect((await resolve({ id: 'u' })).can('invoices:write')).toBe(true)
    await policiesA.updateRole('billing', { grants: { invoices: 'read' } })
    expect((await resolve({ id: 'u' })).can('invoices:write')).toBe(false)
    expect((await resolve({ id: 'u' })).can('invoices:read')).toBe(true)
  })

  test('a custom role change elsewhere is announced and picked up (bounded)', async () => {
    const keyPrefix = `${prefix}${run++}:`
    const clientB = await connect()
    const policiesA = redisPolicyStore({ client: admin, keyPrefix, policy })
    const policiesB = redisPolicyStore({ client: clientB, keyPrefix, policy })
    const storeA = redisAssignmentStore({ client: admin, keyPrefix, rolegate: policiesA })
    const storeB = redisAssignmentStore({ client: clientB, keyPrefix, rolegate: policiesB })
    const resolve = redisContextResolver({
      store: storeB,
      rolegate: policiesB,
      mode: 'bounded',
      boundMs: 60_000,
    })
    resolvers.push(resolve)
    await resolve.ready()
    await policiesA.createRole('billing', { grants: { invoices: 'write' } })
    await storeA.assign('u', 'billing')
    await expect.poll(async () => (await resolve({ id: 'u' })).can('invoices:write')).toBe(true)
    await policiesA.updateRole('billing', { grants: { invoices: 'read' } })
    await expect.poll(async () => (await resolve({ id: 'u' })).can('invoices:write')).toBe(false)
  })
})

describe('redisContextResolver: close() before ready() has settled', () => {
  const closedEarly = 'The context resolver was closed before it was ready.'

  test('while its subscriber is still connecting: ready() fails at once, and nothing is reported', async () => {
    const reported: unknown[] = []
    const store = redisAssignmentStore({
      client: admin,
      keyPrefix: `${prefix}${run++}:`,
      rolegate: rg,
    })
    const resolve = redisContextResolver({
      store,
      rolegate: rg,
      mode: 'bounded',
      onError: (error) => reported.push(error),
    })
    const ready = resolve.ready()
    const closing = performance.now()
    await resolve.close()
    await expect(ready).rejects.toThrow(closedEarly)
    expect(performance.now() - closing).toBeLessThan(1_000)
    await expect(resolve.ready()).rejects.toThrow(closedEarly)
    // The subscription it made fails because it was closed: that is not news to report.
    await sleep(200)
    expect(reported).toEqual([])
  })

  test('while its client cannot connect: ready() fails at once, not at its 10 s deadline', async () => {
    // Nothing listens on port 1: the client keeps retrying and never becomes ready.
    const unreachable = new Redis(1, '127.0.0.1', { ...recommendedRedisOptions, lazyConnect: true })
    unreachable.on('error', () => {})
    try {
      const store = redisAssignmentStore({
        client: unreachable,
        keyPrefix: `${prefix}${run++}:`,
        rolegate: rg,
      })
      const resolve = redisContextResolver({ store, rolegate: rg, mode: 'strict' })
      const ready = resolve.ready()
      await sleep(100)
      const closing = performance.now()
      await resolve.close()
      await expect(ready).rejects.toThrow(closedEarly)
      expect(performance.now() - closing).toBeLessThan(1_000)
    } finally {
      unreachable.disconnect()
    }
  })
})

describe('redisContextResolver options', () => {
  test('refuses an unknown mode, a bound that is not positive and an empty LRU', () => {
    const store = redisAssignmentStore({ client: admin, keyPrefix: prefix, rolegate: rg })
    expect(() => redisContextResolver({ store, rolegate: rg, mode: 'eventual' as never })).toThrow(
      'mode must be "strict" or "bounded", got "eventual"',
    )
    expect(() => redisContextResolver({ store, rolegate: rg, boundMs: 0 })).toThrow(
      'boundMs must be a positive number of milliseconds',
    )
    expect(() => redisContextResolver({ store, rolegate: rg, lru: { max: 0 } })).toThrow(
      'lru.max must be a positive integer',
    )
  })
})
