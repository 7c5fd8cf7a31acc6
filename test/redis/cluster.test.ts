import {
  redisAssignmentStore,
  redisContextResolver,
  redisPolicyStore,
  type RedisAssignmentStore,
  type RedisContextResolver,
  type RedisPolicyStore,
} from '@rolegate/redis'
import type { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js'
import { uniquePrefix } from '../support/redis-server.js'
import { connectCluster, disconnectAll, policy } from './support.js'

// Three masters with a replica each, on loopback. Instance A changes things; instance B, with its
// own Cluster client, resolves requests from its cache and hears of changes through pub/sub.
let cluster: RedisCluster
let clientA: Cluster
let clientB: Cluster
let policiesA: RedisPolicyStore<typeof policy>
let storeA: RedisAssignmentStore
let strictB: RedisContextResolver<typeof policy>
let boundedB: RedisContextResolver<typeof policy>
const keyPrefix = uniquePrefix('cluster')
const subjects = Array.from({ length: 12 }, (_, i) => `user-${i}`)

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 })
  clientA = await connectCluster(cluster.nodes)
  clientB = await connectCluster(cluster.nodes)
  policiesA = redisPolicyStore({ client: clientA, keyPrefix, policy })
  storeA = redisAssignmentStore({ client: clientA, keyPrefix, rolegate: policiesA })
  const policiesB = redisPolicyStore({ client: clientB, keyPrefix, policy })
  const storeB = redisAssignmentStore({ client: clientB, keyPrefix, rolegate: policiesB })
  strictB = redisContextResolver({ store: storeB, rolegate: policiesB, mode: 'strict' })
  // A bound long enough that only an invalidation message can make B see a change in time.
  boundedB = redisContextResolver({
    store: storeB,
    rolegate: policiesB,
    mode: 'bounded',
    boundMs: 60_000,
  })
  await Promise.all([strictB.ready(), boundedB.ready()])
}, 30_000)

afterAll(async () => {
  await Promise.all([strictB.close(), boundedB.close()])
  disconnectAll()
  await cluster.stop()
})

const canRead = async (resolve: RedisContextResolver<typeof policy>, id: string) =>
  (await resolve({ id })).can('invoices:read')

async function slotOwner(key: string): Promise<number> {
  const slot = await clientA.cluster('KEYSLOT', key)
  const range = (await clientA.cluster('SLOTS')).find(([from, to]) => from <= slot && slot <= to)
  const port = range?.[2]?.[1]
  if (port === undefined) throw new Error(`no master owns slot ${slot}`)
  return port
}

describe.sequential('Redis Cluster: three masters, one replica each', () => {
  test('subjects spread over every master, each subject’s keys in its own hash slot', async () => {
    const owners = new Set(
      await Promise.all(subjects.map((id) => slotOwner(storeA.keys.subject(id)))),
    )
    expect(owners.size).toBe(3)
    for (const id of subjects) {
      expect(await clientA.cluster('KEYSLOT', storeA.keys.subject(id))).toBe(
        await clientA.cluster('KEYSLOT', `{${id}}`),
      )
    }
  })

  test('assignments, exclusive rules and list work across shards', async () => {
    for (const id of subjects) await storeA.assign(id, 'viewer', { type: 'staff' })
    await expect(storeA.assign('user-0', 'admin')).rejects.toThrow(
      'role "admin" is exclusive and cannot be combined with "viewer" globally',
    )
    expect(await storeA.list({ role: 'viewer' })).toEqual([...subjects].sort())
    for (const id of subjects) expect(await canRead(strictB, id)).toBe(true)
  })

  test('a change on any shard reaches the other instance’s cache through pub/sub', async () => {
    for (const id of subjects) expect(await canRead(boundedB, id)).toBe(true)
    for (const id of subjects) await storeA.revoke(id, 'viewer')
    for (const id of subjects) {
      expect(await canRead(strictB, id)).toBe(false)
      await expect.poll(() => canRead(boundedB, id)).toBe(false)
    }
  })

  test('custom roles created on one instance are in force on the other', async () => {
    await policiesA.createRole('collector', { grants: { invoices: 'read', customers: 'read' } })
    await storeA.assign('user-1', 'collector')
    expect((await strictB({ id: 'user-1' })).can('customers:read')).toBe(true)
    await expect
      .poll(async () => (await boundedB({ id: 'user-1' })).can('customers:read'))
      .toBe(true)
  })

  test('after a failover of the master owning a subject, writes, reads and invalidation go on', async () => {
    const id = 'user-2'
    await storeA.assign(id, 'viewer')
    await expect.poll(() => canRead(boundedB, id)).toBe(true)
    const owner = await slotOwner(storeA.keys.subject(id))
    const promoted = await cluster.failover(owner)
    expect(await slotOwner(storeA.keys.subject(id))).toBe(promoted.port)

    // The promoted replica has not seen the script: EVALSHA falls back to EVAL.
    await expect.poll(() => storeA.revoke(id, 'viewer').then(() => 'done', String)).toBe('done')
    expect(await canRead(strictB, id)).toBe(false)
    await expect.poll(() => canRead(boundedB, id)).toBe(false)
    await storeA.assign(id, 'auditor')
    expect(await storeA.get(id)).toEqual({ type: 'staff', roles: ['auditor'], scoped: {} })
    expect(await canRead(strictB, id)).toBe(true)
    await expect.poll(() => canRead(boundedB, id)).toBe(true)
    expect(await storeA.list({ role: 'auditor' })).toEqual([id])
  }, 20_000)
})
