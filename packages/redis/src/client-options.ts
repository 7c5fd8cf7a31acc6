import { invalidArgument } from '@rolegate/core'
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis'

/** The ioredis clients rolegate accepts: a single Redis (direct or through Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster

/** The options {@link recommendedRedisOptions} sets. */
export interface RecommendedRedisOptions {
  readonly commandTimeout: number
  readonly connectTimeout: number
  readonly enableOfflineQueue: false
  readonly maxRetriesPerRequest: number
  readonly enableAutoPipelining: boolean
  readonly retryStrategy: (times: number) => number
}

/**
 * ioredis options for a client that fails fast, which is what an authorization check needs: a
 * request waits at most `commandTimeout` for Redis, and while Redis is away commands fail at once
 * (and rolegate answers from what is still within bounds, or 503) instead of piling up in the
 * offline queue. The client still reconnects by itself. Auto-pipelining batches the per-request
 * epoch reads of concurrent requests into one write.
 *
 * Commands sent before the first connection is ready fail too, so await `store.ready()` (or the
 * client's `ready` event) before serving.
 *
 * @example
 * ```ts
 * const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', recommendedRedisOptions)
 * ```
 */
export const recommendedRedisOptions: RecommendedRedisOptions = Object.freeze({
  commandTimeout: 500,
  connectTimeout: 2_000,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  enableAutoPipelining: true,
  retryStrategy: (times: number): number => Math.min(50 * times, 1_000),
}) satisfies RedisOptions

/** The options {@link recommendedClusterOptions} sets. */
export interface RecommendedClusterOptions {
  readonly enableOfflineQueue: false
  readonly clusterRetryStrategy: (times: number) => number
  readonly redisOptions: {
    readonly commandTimeout: number
    readonly connectTimeout: number
    readonly maxRetriesPerRequest: number
  }
}

/**
 * The same for a Redis Cluster: the offline queue is a cluster-level option, `commandTimeout`
 * belongs in `redisOptions` (ioredis refuses `retryStrategy` and `enableOfflineQueue` there).
 * Auto-pipelining stays off: a batch that meets a MOVED reply after a failover or a resharding
 * fails the commands that moved instead of following the redirection, as single commands do.
 *
 * @example
 * ```ts
 * const client = new Cluster(startupNodes, recommendedClusterOptions)
 * ```
 */
export const recommendedClusterOptions: RecommendedClusterOptions = Object.freeze({
  enableOfflineQueue: false,
  clusterRetryStrategy: (times: number): number => Math.min(100 * times, 2_000),
  redisOptions: Object.freeze({
    commandTimeout: 500,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
  }),
}) satisfies ClusterOptions

/** One thing about a client's configuration that can make rolegate slow to fail, leak or misbehave. */
export interface ClientProblem {
  /**
   * `'fatal'`: rolegate refuses the client (its offline queue can grow without bound, or it has a
   * key prefix of ioredis's own); `'warning'`: rolegate copes, but worse.
   */
  readonly severity: 'fatal' | 'warning'
  readonly message: string
}

interface CheckedOptions {
  readonly enableOfflineQueue?: boolean | undefined
  readonly maxRetriesPerRequest?: number | null | undefined
  readonly commandTimeout?: number | undefined
}

/** What is wrong with a client's options for rolegate; an empty list when nothing is. */
export function findClientProblems(client: RedisClient): ClientProblem[] {
  const cluster = isCluster(client)
  const queue = cluster ? client.options.enableOfflineQueue : client.options.enableOfflineQueue
  const node: CheckedOptions = cluster ? (client.options.redisOptions ?? {}) : client.options
  const problems: ClientProblem[] = []
  if (typeof node.commandTimeout !== 'number' || node.commandTimeout <= 0) {
    problems.push({
      severity: 'warning',
      message:
        'the client has no commandTimeout: rolegate still gives up on each call after its own timeoutMs, but the command stays pending in ioredis until the connection drops',
    })
  }
  if (queue !== false) problems.push(offlineQueueProblem(cluster, node.maxRetriesPerRequest))
  if (hasIoredisKeyPrefix(client))
    problems.push({ severity: 'fatal', message: IOREDIS_KEY_PREFIX_PROBLEM })
  return problems
}

/** Why a client with ioredis's own key prefix is refused. */
export const IOREDIS_KEY_PREFIX_PROBLEM =
  "the client has ioredis's keyPrefix option, which SCAN's MATCH pattern does not get, so rebuildIndex() would find no key; leave it unset on the client and pass the prefix as rolegate's keyPrefix option instead"

/**
 * Whether the client has ioredis's own `keyPrefix`: ioredis prefixes the keys of commands, not
 * SCAN's MATCH pattern; rolegate's own keyPrefix option prefixes everything it reads and writes.
 */
export function hasIoredisKeyPrefix(client: RedisClient): boolean {
  return typeof client.options.keyPrefix === 'string' && client.options.keyPrefix !== ''
}

function offlineQueueProblem(
  cluster: boolean,
  maxRetriesPerRequest: number | null | undefined,
): ClientProblem {
  // A Cluster keeps a queued command until the cluster is reachable again or clusterRetryStrategy
  // gives up, which by default it never does: nothing bounds the queue during an outage.
  if (cluster) {
    return {
      severity: 'fatal',
      message:
        'the Cluster client queues commands while the cluster is unreachable (enableOfflineQueue) and keeps them until it is back, so the offline queue grows without bound during an outage; set enableOfflineQueue: false (recommendedClusterOptions does)',
    }
  }
  // A single client keeps a queued command until it is sent or `maxRetriesPerRequest`
  // reconnection attempts have failed; with `null` that is forever, so the queue is unbounded.
  if (maxRetriesPerRequest === null) {
    return {
      severity: 'fatal',
      message:
        'the client queues commands while disconnected with maxRetriesPerRequest: null, so the offline queue grows without bound during an outage; set enableOfflineQueue: false',
    }
  }
  return {
    severity: 'warning',
    message:
      'the client queues commands while disconnected (enableOfflineQueue); rolegate stops waiting after timeoutMs, but set enableOfflineQueue: false so that an outage fails fast and queues nothing',
  }
}

/**
 * Checks a client's options: throws on a fatal problem, and emits a process warning
 * (`ROLEGATE_REDIS_CLIENT`) for each other one unless `warn` is false.
 *
 * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`) when the client's offline queue is unbounded
 * (a Cluster's `enableOfflineQueue`, or a single client's with `maxRetriesPerRequest: null`), or
 * when it has ioredis's own `keyPrefix`.
 */
export function checkRedisClient(
  client: RedisClient,
  { warn = true }: { readonly warn?: boolean } = {},
): void {
  for (const problem of findClientProblems(client)) {
    if (problem.severity === 'fatal') throw invalidArgument(`@rolegate/redis: ${problem.message}`)
    if (warn) process.emitWarning(problem.message, { code: 'ROLEGATE_REDIS_CLIENT' })
  }
}

/** Whether the client is an ioredis Cluster. Duck-typed, so that two copies of ioredis agree. */
export function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: unknown }).isCluster === true
}

/** A new connection with the same options and servers as `client`, as ioredis's `duplicate()` makes. */
export function duplicateClient(client: RedisClient): RedisClient {
  return isCluster(client) ? client.duplicate() : client.duplicate()
}
