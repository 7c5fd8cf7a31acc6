import {
  memoryPolicyStore,
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
  /** `undefined`: `createApp` makes an in-memory store over the live policy. */
  readonly store: AssignmentStore | undefined
  readonly resolve: ContextResolver<PortaBillingPolicy> | undefined
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
    return {
      roles: memoryPolicyStore({ policy, conditions }),
      store: undefined,
      resolve: undefined,
      where: 'in memory',
      close: () => Promise.resolve(),
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
