import { randomBytes } from 'node:crypto'
import { redisAssignmentStore, redisPolicyStore } from '@rolegate/redis'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { connectRedis, disconnectAll, removeKeys } from '../redis/support.js'
import { describeAssignmentStore, rg } from './assignment-store-contract.js'
import { describePolicyStore, policy } from './policy-store-contract.js'

// The machine's Redis (REDIS_URL overrides it); every store of this file has a prefix of its own.
const prefix = `rg:test:store-contracts:${randomBytes(4).toString('hex')}:`
let client: Redis
beforeAll(async () => {
  client = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
})
afterAll(async () => {
  await removeKeys(client, prefix)
  disconnectAll()
})

let stores = 0
const keyPrefix = (): string => `${prefix}${stores++}:`

describeAssignmentStore('redisAssignmentStore', (onChange, rolegate = rg) =>
  redisAssignmentStore({ client, keyPrefix: keyPrefix(), rolegate, onChange }),
)

describePolicyStore('redisPolicyStore', (onChange) => {
  const shared = keyPrefix()
  const policies = redisPolicyStore({ client, keyPrefix: shared, policy, onChange })
  return {
    policies,
    assignments: redisAssignmentStore({ client, keyPrefix: shared, rolegate: policies }),
  }
})
