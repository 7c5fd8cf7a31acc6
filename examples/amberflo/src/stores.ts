import {
  contextResolver,
  createRolegate,
  liveRolegate,
  memoryAssignmentStore,
  type AssignmentStore,
  type ContextResolver,
  type Rolegate,
} from '@rolegate/core'
import { recommendedRedisOptions, redisStore, type ConsistencyMode } from '@rolegate/redis'
import { Redis } from 'ioredis'
import { policy } from './policy.js'

type Policy = typeof policy

/** Where role assignments live and how a request's roles are resolved: memory or Redis. */
export interface Stores {
  readonly rolegate: Rolegate<Policy>
  /** Who holds which role in which account. */
  readonly assignments: AssignmentStore
  /** Turns a subject into its role context on each request. */
  readonly resolve: ContextResolver<Policy>
  /** Releases connections, if any. */
  close(): Promise<void>
}

/** One instance, assignments in memory: the default, and what the tests use. */
export function memoryStores(): Stores {
  const rolegate = createRolegate({ policy })
  const assignments = memoryAssignmentStore({ rolegate })
  return {
    rolegate,
    assignments,
    resolve: contextResolver({ rolegate, store: assignments }),
    close: () => Promise.resolve(),
  }
}

/** Options of {@link redisStores}. */
export interface RedisStoresOptions {
  /** `redis://…`, as in `REDIS_URL`. */
  readonly url: string
  /** @defaultValue `'amberflo:rg:'` */
  readonly keyPrefix?: string | undefined
  /** `'strict'`: a role change is seen by every instance on the next request. @defaultValue `'strict'` */
  readonly mode?: ConsistencyMode | undefined
}

/**
 * Many instances, assignments in Redis. Resolves once connected: with the recommended options
 * Redis commands fail fast instead of queueing, so nothing may be served before that.
 */
export async function redisStores({
  url,
  keyPrefix = 'amberflo:rg:',
  mode = 'strict',
}: RedisStoresOptions): Promise<Stores> {
  const client = new Redis(url, recommendedRedisOptions)
  const store = redisStore({ client, keyPrefix, policy, mode })
  try {
    await store.ready()
  } catch (error) {
    client.disconnect()
    throw error
  }
  return {
    // The rolegate in force, custom roles included, on every request: not a copy taken now.
    rolegate: liveRolegate(store.policies),
    assignments: store.assignments,
    resolve: store.resolve,
    async close() {
      await store.close()
      await client.quit()
    },
  }
}
