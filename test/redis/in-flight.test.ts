import { setTimeout as sleep } from 'node:timers/promises'
import {
  redisAssignmentStore,
  redisContextResolver,
  type RedisAssignmentStore,
  type RedisContextResolver,
} from '@rolegate/redis'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startDelayProxy, type DelayProxy } from '../support/delay-proxy.js'
import { startRedisServer, uniquePrefix, type RedisServer } from '../support/redis-server.js'
import { connectRedis, disconnectAll, policy, rg } from './support.js'

// A bounded instance whose reads go through a proxy that can hold them, while its subscriber and
// the administrator go direct: a change's message can then overtake a read sent before it.
let server: RedisServer
let proxy: DelayProxy
let subscriber: Redis
let adminStore: RedisAssignmentStore
let resolve: RedisContextResolver<typeof policy>

beforeAll(async () => {
  server = await startRedisServer()
  proxy = await startDelayProxy({ targetPort: server.port })
  const keyPrefix = uniquePrefix('in-flight')
  adminStore = redisAssignmentStore({
    client: await connectRedis(server.port),
    keyPrefix,
    rolegate: rg,
  })
  const appStore = redisAssignmentStore({
    // Auto-pipelining sends a batch only once the one before it is answered: the second read
    // below would wait behind the first instead of reaching Redis beside it.
    client: await connectRedis(proxy.port, { enableAutoPipelining: false }),
    keyPrefix,
    rolegate: rg,
  })
  subscriber = await connectRedis(server.port)
  resolve = redisContextResolver({
    store: appStore,
    rolegate: rg,
    mode: 'bounded',
    boundMs: 60_000,
    subscriber,
  })
  await resolve.ready()
}, 20_000)

afterAll(async () => {
  await resolve.close()
  disconnectAll()
  await proxy.close()
  await server.stop()
})

/**
 * Resolves once the subscriber has passed on `count` more messages. The resolver's listener was
 * added first, so it has handled each message by the time this one hears it.
 */
function messages(count: number): Promise<void> {
  return new Promise((done) => {
    let left = count
    const onMessage = (): void => {
      if (--left > 0) return
      subscriber.off('message', onMessage)
      done()
    }
    subscriber.on('message', onMessage)
  })
}

const canWrite = async (id: string): Promise<boolean> =>
  (await resolve({ id })).can('invoices:write')

describe('bounded mode: reads in flight when changes are announced', () => {
  test('a read replaced after one change keeps no copy once a later change is announced', async () => {
    proxy.blackhole(true)
    // The first read leaves and is held.
    const first = canWrite('u')
    // Change 1: its message reaches the first read, so the next request starts a read of its own.
    let heard = messages(1)
    await adminStore.assign('u', 'finance')
    await heard
    const second = canWrite('u')
    // Its request reaches the proxy on a later turn of the event loop: the delay set below must
    // not catch it on the way out.
    await sleep(50)
    // Both reads reach Redis and see change 1; their replies are held on the way back.
    proxy.setDelay(300)
    proxy.blackhole(false)
    // Change 2 is announced while both replies are still on their way.
    heard = messages(1)
    await adminStore.revoke('u', 'finance')
    await heard
    // Both reads saw change 1, as requests sent before change 2 may.
    expect([await first, await second]).toEqual([true, true])
    proxy.setDelay(0)
    // Neither may leave its copy behind: the next request reads change 2.
    const stats = resolve.stats()
    expect(await canWrite('u')).toBe(false)
    expect(resolve.stats().lookups).toBe(stats.lookups + 1)
  })
})
