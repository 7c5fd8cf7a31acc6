import { Redis } from 'ioredis'
import { redisUrl } from '../../support/redis-server.js'

/** Deletes every key under `prefix` in the shared Redis (SCAN, not KEYS: it may be large). */
export async function removeRedisKeys(prefix: string): Promise<void> {
  const client = new Redis(redisUrl(), { lazyConnect: true })
  await client.connect()
  try {
    for await (const batch of client.scanStream({ match: `${prefix}*`, count: 500 })) {
      const keys = batch as string[]
      if (keys.length > 0) await client.del(...keys)
    }
  } finally {
    client.disconnect()
  }
}
