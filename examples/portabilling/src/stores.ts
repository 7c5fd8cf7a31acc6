import {
  memoryStore,
  type AssignmentStore,
  type ContextResolver,
  type PolicyStore,
} from '@rolegate/core'
import { recommendedRedisOptions, redisStore } from '@rolegate/redis'
import { Redis } from 'ioredis'
import { conditions, policy, type PortaBillingPolicy } from './policy.js'

/** Where custom roles and users live, and how contexts are resolved: what `createApp` takes. */
export interface Stores {
  readonly roles: PolicyStore<PortaBillingPolicy>
  readonly store: AssignmentStore
  readonly resolve: ContextResolver<PortaBillingPolicy>
  /** Says where they live, for the start-up message. */
  readonly where: string
  close(): Promise<void>
}

/** Options of {@link openStores}. */
export interface OpenStoresOptions {
  /** Use Redis at this URL; in memory when absent or empty. */
  readonly redisUrl?: string | undefined
  /** @defaultValue `'portabilling:rg:'` */
  readonly keyPrefix?: string
}

/**
 * In memory by default. With a Redis URL, custom roles and users live in Redis: a role created
 * through one instance is compiled by every instance, and a change to a user takes effect on the
 * next request to any of them (strict mode).
 */
export async function openStores({
  redisUrl,
  keyPrefix = 'portabilling:rg:',
}: OpenStoresOptions = {}): Promise<Stores> {
  if (redisUrl === undefined || redisUrl === '') {
    const memory = memoryStore({ policy, conditions })
    return {
      roles: memory.policies,
      store: memory.assignments,
      resolve: memory.resolve,
      where: 'in memory',
      close: () => memory.close(),
    }
  }
  const client = new Redis(redisUrl, { ...recommendedRedisOptions, lazyConnect: true })
  await client.connect()
  const redis = redisStore({ client, keyPrefix, policy, conditions, mode: 'strict' })
  await redis.ready()
  return {
    roles: redis.policies,
    store: redis.assignments,
    resolve: redis.resolve,
    where: `in Redis (${new URL(redisUrl).host}, strict)`,
    async close() {
      await redis.close()
      client.disconnect()
    },
  }
}
