import { randomBytes } from 'node:crypto'
import { redisAssignmentStore, redisPolicyStore } from '@rolegate/redis'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { connectRedis, disconnectAll, removeKeys } from '../redis/support.js'
import { describePolicyStore, policy } from './policy-store-contract.js'

// The machine's Redis (REDIS_URL overrides it); every pair of stores has a prefix of its own.
const prefix = `rg:test:policy-contract:${randomBytes(4).toString('hex')}:`
let client: Redis
beforeAll(async () => {
  client = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
})
afterAll(async () => {
  await removeKeys(client, prefix)
  disconnectAll()
})

let stores = 0
describePolicyStore('redisPolicyStore', (onChange) => {
  const keyPrefix = `${prefix}${stores++}:`
  const policies = redisPolicyStore({ client, keyPrefix, policy, onChange })
  return { policies, assignments: redisAssignmentStore({ client, keyPrefix, rolegate: policies }) }
})
