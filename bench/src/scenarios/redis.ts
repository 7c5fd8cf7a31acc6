import type { Redis } from 'ioredis'
import { connect, redisUrl, removeKeys, uniquePrefix } from '../redis/connection.js'
import { cacheScenario } from './redis-cache.js'
import { propagationScenario } from './redis-propagation.js'

/**
 * Issue 4 on the machine's Redis (`REDIS_URL`, loopback only): decisions through the cache, the
 * cost of strict mode, and invalidation between two instances. Every key lives under a prefix of
 * this run's own and is deleted at the end, whatever happened.
 */
export async function redisScenario(): Promise<void> {
  const prefix = uniquePrefix()
  const clients: Redis[] = []
  try {
    for (let i = 0; i < 3; i++) clients.push(await connect())
    const [main, a, b] = clients as [Redis, Redis, Redis]
    console.log(`\nRedis: ${redisUrl()}, key prefix ${prefix} (removed afterwards)`)
    await cacheScenario(main, prefix)
    await propagationScenario([a, b], prefix)
  } finally {
    const first = clients[0]
    if (first !== undefined) {
      const removed = await removeKeys(first, prefix)
      console.log(`  removed ${removed} keys under ${prefix}`)
    }
    for (const client of clients) client.disconnect()
  }
}
