import { randomBytes } from 'node:crypto'
import { redisAssignmentStore } from '@rolegate/redis'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { connectRedis, disconnectAll, removeKeys } from '../redis/support.js'
import { describeAssignmentStore, rg } from './assignment-store-contract.js'

// The machine's Redis (REDIS_URL overrides it); every store of this file has a prefix of its own.
const prefix = `rg:test:store-contract:${randomBytes(4).toString('hex')}:`
let client: Redis
beforeAll(async () => {
  client = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
})
afterAll(async () => {
  await removeKeys(client, prefix)
  disconnectAll()
})

let stores = 0
describeAssignmentStore('redisAssignmentStore', (onChange) =>
  redisAssignmentStore({ client, keyPrefix: `${prefix}${stores++}:`, rolegate: rg, onChange }),
)
