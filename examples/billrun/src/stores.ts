import {
  contextResolver,
  createRolegate,
  liveRolegate,
  memoryAssignmentStore,
  type AssignmentStore,
  type ContextResolver,
  type Rolegate,
} from '@rolegate/core'
import { recommendedRedisOptions, redisStore } from '@rolegate/redis'
import { Redis } from 'ioredis'
import { policy, type BillRunPolicy } from './policy.js'

/** Where roles live and how contexts are resolved: what `createApp` takes. */
export interface Stores {
  readonly rolegate: Rolegate<BillRunPolicy>
  readonly store: AssignmentStore
  readonly resolve: ContextResolver<BillRunPolicy>
  /** Says where the roles live, for the start-up message. */
  readonly where: string
  close(): Promise<void>
}

/** Options of {@link openStores}. */
export interface OpenStoresOptions {
  /** Use Redis at this URL; in memory when absent or empty. */
  readonly redisUrl?: string | undefined
  /** @defaultValue `'billrun:rg:'` */
  readonly keyPrefix?: string
}

/**
 * In memory by default; with a Redis URL, assignments live in Redis and every request checks the
 * subject's epoch there (strict mode), so a role change made through one instance takes effect on
 * the next request to any other.
 */
export async function openStores({
  redisUrl,
  keyPrefix = 'billrun:rg:',
}: OpenStoresOptions = {}): Promise<Stores> {
  if (redisUrl === undefined || redisUrl === '') {
    const rg = createRolegate({ policy })
    const store = memoryAssignmentStore({ rolegate: rg })
    return {
      rolegate: rg,
      store,
      resolve: contextResolver({ rolegate: rg, store }),
      where: 'in memory',
      close: () => Promise.resolve(),
    }
  }
  const client = new Redis(redisUrl, { ...recommendedRedisOptions, lazyConnect: true })
  await client.connect()
  const redis = redisStore({ client, keyPrefix, policy, mode: 'strict' })
  await redis.ready()
  return {
    // The rolegate in force, custom roles included, on every request: not a copy taken now.
    rolegate: liveRolegate(redis.policies),
    store: redis.assignments,
    resolve: redis.resolve,
    where: `in Redis (${new URL(redisUrl).host}, strict)`,
    async close() {
      await redis.close()
      client.disconnect()
    },
  }
}
