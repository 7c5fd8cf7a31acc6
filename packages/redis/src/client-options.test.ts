import { createRolegate } from '@rolegate/core'
import { Cluster, Redis } from 'ioredis'
import { describe, expect, test, vi } from 'vitest'
import { redisAssignmentStore } from './redis-assignment-store.js'
import {
  checkRedisClient,
  findClientProblems,
  recommendedClusterOptions,
  recommendedRedisOptions,
} from './client-options.js'

// Clients built with lazyConnect never connect: only their options are read.
interface Checked {
  commandTimeout?: number
  maxRetriesPerRequest?: number | null
  enableOfflineQueue?: boolean
  keyPrefix?: string
}
const redis = (options: Checked) => new Redis({ lazyConnect: true, ...options })
interface ClusterChecked {
  enableOfflineQueue?: boolean
  keyPrefix?: string
  redisOptions?: Checked
}
const cluster = (options: ClusterChecked) =>
  new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true, ...options })

const clusterQueue = {
  severity: 'fatal',
  message:
    'the Cluster client queues commands while the cluster is unreachable (enableOfflineQueue) and keeps them until it is back, so the offline queue grows without bound during an outage; set enableOfflineQueue: false (recommendedClusterOptions does)',
}
const ownPrefix = {
  severity: 'fatal',
  message:
    "the client has ioredis's keyPrefix option, which SCAN's MATCH pattern does not get, so rebuildIndex() would find no key; leave it unset on the client and pass the prefix as rolegate's keyPrefix option instead",
}

describe('findClientProblems', () => {
  test('the recommended options raise no problem, for Redis and for Cluster', () => {
    expect(findClientProblems(redis(recommendedRedisOptions))).toEqual([])
    expect(findClientProblems(cluster(recommendedClusterOptions))).toEqual([])
  })

  test('ioredis defaults: no command timeout and an offline queue, both warnings', () => {
    expect(findClientProblems(redis({}))).toEqual([
      {
        severity: 'warning',
        message:
          'the client has no commandTimeout: rolegate still gives up on each call after its own timeoutMs, but the command stays pending in ioredis until the connection drops',
      },
      {
        severity: 'warning',
        message:
          'the client queues commands while disconnected (enableOfflineQueue); rolegate stops waiting after timeoutMs, but set enableOfflineQueue: false so that an outage fails fast and queues nothing',
      },
    ])
  })

  test('an offline queue that never gives up is fatal', () => {
    expect(findClientProblems(redis({ commandTimeout: 500, maxRetriesPerRequest: null }))).toEqual([
      {
        severity: 'fatal',
        message:
          'the client queues commands while disconnected with maxRetriesPerRequest: null, so the offline queue grows without bound during an outage; set enableOfflineQueue: false',
      },
    ])
  })

  test('a Cluster with its offline queue on is fatal, whatever maxRetriesPerRequest says', () => {
    const { redisOptions } = recommendedClusterOptions
    expect(findClientProblems(cluster({ redisOptions }))).toEqual([clusterQueue])
    expect(
      findClientProblems(
        cluster({
          enableOfflineQueue: true,
          redisOptions: { ...redisOptions, maxRetriesPerRequest: 0 },
        }),
      ),
    ).toEqual([clusterQueue])
  })

  test("ioredis's own keyPrefix is fatal, on a client and on a Cluster", () => {
    expect(findClientProblems(redis({ ...recommendedRedisOptions, keyPrefix: 'app:' }))).toEqual([
      ownPrefix,
    ])
    expect(
      findClientProblems(cluster({ ...recommendedClusterOptions, keyPrefix: 'app:' })),
    ).toEqual([ownPrefix])
    // ioredis takes a Cluster's prefix from its nodes' options too.
    const { redisOptions } = recommendedClusterOptions
    expect(
      findClientProblems(
        cluster({
          ...recommendedClusterOptions,
          redisOptions: { ...redisOptions, keyPrefix: 'app:' },
        }),
      ),
    ).toEqual([ownPrefix])
  })
})

describe("ioredis's own keyPrefix with checkClient: false", () => {
  test('rebuildIndex() refuses, before it asks Redis, rather than find nothing', async () => {
    const rolegate = createRolegate({ policy: { resources: ['a'], roles: { r: {} } } })
    const client = redis({ ...recommendedRedisOptions, keyPrefix: 'app:' })
    const store = redisAssignmentStore({ client, rolegate, checkClient: false })
    await expect(store.rebuildIndex()).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_INVALID_ARGUMENT',
      message: `rebuildIndex: ${ownPrefix.message}`,
    })
  })
})

describe('checkRedisClient', () => {
  test('throws on a fatal problem and warns about the others', () => {
    expect(() => checkRedisClient(redis({ maxRetriesPerRequest: null }))).toThrow(
      '@rolegate/redis: the client queues commands while disconnected with maxRetriesPerRequest: null',
    )
    expect(() => checkRedisClient(cluster({}), { warn: false })).toThrow(
      `@rolegate/redis: ${clusterQueue.message}`,
    )
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    try {
      checkRedisClient(redis({ commandTimeout: 500 }))
      expect(warn.mock.calls.map(([, options]) => options)).toEqual([
        { code: 'ROLEGATE_REDIS_CLIENT' },
      ])
      checkRedisClient(redis({ commandTimeout: 500 }), { warn: false })
      expect(warn).toHaveBeenCalledTimes(1)
    } finally {
      warn.mockRestore()
    }
  })
})
