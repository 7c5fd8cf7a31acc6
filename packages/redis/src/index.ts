/**
 * Redis for rolegate: role assignments, custom roles and a two-tier context cache (an in-process
 * LRU in front of Redis) shared by every instance of an application, through your ioredis client
 * (single Redis, Sentinel or Cluster). A change takes effect on every instance at the next request
 * (`strict`) or within a bound (`bounded`), and when Redis cannot answer a request is refused with
 * 503, never allowed.
 *
 * @module
 */
export {
  checkRedisClient,
  findClientProblems,
  recommendedClusterOptions,
  recommendedRedisOptions,
  type ClientProblem,
  type RecommendedClusterOptions,
  type RecommendedRedisOptions,
  type RedisClient,
} from './client-options.js'
export { DEFAULT_KEY_PREFIX, redisKeys, type RedisKeys } from './keys.js'
export {
  redisAssignmentStore,
  type ChangeListener,
  type PolicySource,
  type RedisAssignmentStore,
  type RedisAssignmentStoreOptions,
  type VersionedAssignments,
} from './redis-assignment-store.js'
export {
  redisContextResolver,
  type ConsistencyMode,
  type RedisContextResolver,
  type RedisContextResolverOptions,
  type ResolverStats,
} from './redis-context-resolver.js'
export {
  redisPolicyStore,
  type PolicyChange,
  type RedisPolicyStore,
  type RedisPolicyStoreOptions,
} from './redis-policy-store.js'
export { redisStore, type RedisStore, type RedisStoreOptions } from './redis-store.js'
