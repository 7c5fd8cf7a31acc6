import { randomBytes } from 'node:crypto'
import { recommendedRedisOptions, redisAssignmentStore } from '@rolegate/redis'
import { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { describeAssignmentStore, rg } from './assignment-store-contract.js'

// The machine's Redis (REDIS_URL overrides it); every store of this file has a prefix of its own.
const prefix = `rg:test:store-contract:${randomBytes(4).toString('hex')}:`
const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  ...recommendedRedisOptions,
  lazyConnect: true,
})

// With the offline queue off, commands fail until the connection is ready.
beforeAll(() => client.connect())
afterAll(async () => {
  const keys = await client.keys(`${prefix}*`)
  if (keys.length > 0) await client.del(...keys)
  client.disconnect()
})

let stores = 0
describeAssignmentStore('redisAssignmentStore', (onChange) =>
  redisAssignmentStore({ client, keyPrefix: `${prefix}${stores++}:`, rolegate: rg, onChange }),
)
