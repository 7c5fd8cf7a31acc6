import {
  recommendedRedisOptions,
  redisAssignmentStore,
  redisContextResolver,
  type RedisAssignmentStore,
  type RedisContextResolver,
} from '@rolegate/redis'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  redisCli,
  startRedisServer,
  uniquePrefix,
  type RedisServer,
} from '../support/redis-server.js'
import {
  disconnectAll,
  policy,
  rg,
  startSentinel,
  track,
  waitFor,
  type Sentinel,
} from './support.js'

// A master, its replica and one Sentinel (quorum 1) on loopback. The application connects through
// Sentinel, as ioredis does it: `{ sentinels, name }`.
const NAME = 'rolegate'
let master: RedisServer
let replica: RedisServer
let sentinel: Sentinel
let store: RedisAssignmentStore
let strict: RedisContextResolver<typeof policy>
let bounded: RedisContextResolver<typeof policy>
// What beforeAll started, stopped in reverse order even if it failed halfway.
const cleanups: (() => Promise<void>)[] = []
const keyPrefix = uniquePrefix('sentinel')

async function sentinelClient(): Promise<Redis> {
  const client = track(
    new Redis({
      ...recommendedRedisOptions,
      sentinels: [{ host: '127.0.0.1', port: sentinel.port }],
      name: NAME,
      lazyConnect: true,
      // Sentinel tells ioredis of a switch; it then reconnects to the new master.
      failoverDetector: true,
    }),
  )
  client.on('error', () => {})
  await client.connect()
  return client
}

beforeAll(async () => {
  master = await startRedisServer()
  cleanups.push(() => master.stop())
  replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] })
  cleanups.push(() => replica.stop())
  await waitFor('the replica is in sync', async () =>
    (await redisCli(replica.port, 'INFO', 'replication')).includes('master_link_status:up'),
  )
  sentinel = await startSentinel(NAME, master.port)
  cleanups.push(() => sentinel.stop())
  // Sentinel learns of replicas from the master's INFO; it can only fail over once it has.
  await waitFor('Sentinel knows the replica', async () => {
    const replicas = await redisCli(sentinel.port, 'SENTINEL', 'REPLICAS', NAME)
    return /\nflags\nslave\n/.test(`\n${replicas}\n`) && replicas.includes(`\n${replica.port}\n`)
  })
  cleanups.push(() => Promise.resolve(disconnectAll()))
  store = redisAssignmentStore({ client: await sentinelClient(), keyPrefix, rolegate: rg })
  const other = redisAssignmentStore({ client: await sentinelClient(), keyPrefix, rolegate: rg })
  strict = redisContextResolver({ store: other, rolegate: rg, mode: 'strict' })
  bounded = redisContextResolver({ store: other, rolegate: rg, mode: 'bounded', boundMs: 60_000 })
  cleanups.push(
    () => strict.close(),
    () => bounded.close(),
  )
  await Promise.all([strict.ready(), bounded.ready()])
}, 20_000)

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

const canRead = async (resolve: RedisContextResolver<typeof policy>) =>
  (await resolve({ id: 'u1' })).can('invoices:read')

describe.sequential('Redis through Sentinel', () => {
  test('assignments, the cache and invalidation work through a Sentinel-discovered master', async () => {
    await store.assign('u1', 'viewer')
    expect(await canRead(strict)).toBe(true)
    expect(await canRead(bounded)).toBe(true)
    await store.revoke('u1', 'viewer')
    expect(await canRead(strict)).toBe(false)
    await expect.poll(() => canRead(bounded)).toBe(false)
  })

  test('after SENTINEL FAILOVER the clients follow the new master and keep working', async () => {
    await store.assign('u1', 'viewer')
    await expect.poll(() => canRead(bounded)).toBe(true)
    await redisCli(sentinel.port, 'SENTINEL', 'FAILOVER', NAME)
    await expect
      .poll(() => redisCli(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME), {
        timeout: 10_000,
      })
      .toBe(`127.0.0.1\n${replica.port}`)
    // Writes go on once the clients have moved over. One made while Sentinel switches can land
    // on the old master and be lost with it (Redis replicates asynchronously), so this repeats the
    // revocation until the new master holds it; the calls meanwhile may fail, never allow.
    const onNewMaster = () => redisCli(replica.port, 'HGET', store.keys.subject('u1'), 'a')
    await expect
      .poll(
        async () => {
          await store.revoke('u1', 'viewer').catch(() => {})
          return onNewMaster()
        },
        { timeout: 10_000 },
      )
      .toBe('{"roles":[],"scoped":{}}')
    await expect.poll(() => canRead(strict).catch(() => 'unavailable')).toBe(false)
    await expect.poll(() => canRead(bounded).catch(() => 'unavailable')).toBe(false)
    await store.assign('u1', 'auditor')
    expect(await canRead(strict)).toBe(true)
    await expect.poll(() => canRead(bounded)).toBe(true)
  }, 20_000)
})
