import { randomBytes } from 'node:crypto'
import { recommendedRedisOptions } from '@rolegate/redis'
import { Redis } from 'ioredis'

/** The Redis the bench uses: `REDIS_URL`, by default the machine's own on 127.0.0.1:6379. */
export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/

/** The bench sends load to loopback addresses only. */
function checkLoopback(url: string): void {
  const host = new URL(url).hostname
  if (!LOOPBACK.test(host))
    throw new Error(`REDIS_URL must point at a loopback address (127.0.0.0/8, ::1), got ${host}`)
}

/** A key prefix no other run, test or engineer shares; every key under it is removed afterwards. */
export function uniquePrefix(): string {
  return `rolegate-bench:${process.pid}-${randomBytes(4).toString('hex')}:`
}

/** A connected client with rolegate's recommended options (fail fast, auto-pipelining). */
export async function connect(): Promise<Redis> {
  const url = redisUrl()
  checkLoopback(url)
  const client = new Redis(url, { ...recommendedRedisOptions, lazyConnect: true })
  client.on('error', () => {}) // a failed connect rejects below; the bench then says so
  const timeout = setTimeout(() => client.disconnect(), 3_000)
  try {
    await client.connect()
  } catch (error) {
    client.disconnect()
    throw new Error(`Redis is not reachable at ${url}`, { cause: error })
  } finally {
    clearTimeout(timeout)
  }
  return client
}

/** Deletes every key under `prefix` (SCAN, not KEYS: the shared Redis may hold other keys). */
export async function removeKeys(client: Redis, prefix: string): Promise<number> {
  let removed = 0
  for await (const batch of client.scanStream({ match: `${prefix}*`, count: 500 })) {
    const keys = batch as string[]
    if (keys.length > 0) removed += await client.del(...keys)
  }
  return removed
}
