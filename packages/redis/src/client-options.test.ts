import { Cluster, Redis } from 'ioredis'
import { describe, expect, test, vi } from 'vitest'
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
}
const redis = (options: Checked) => new Redis({ lazyConnect: true, ...options })

describe('findClientProblems', () => {
  test('the recommended options raise no problem, for Redis and for Cluster', () => {
    expect(findClientProblems(redis(recommendedRedisOptions))).toEqual([])
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], {
      ...recommendedClusterOptions,
      lazyConnect: true,
    })
    expect(findClientProblems(cluster)).toEqual([])
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
})

describe('checkRedisClient', () => {
  test('throws on a fatal problem and warns about the others', () => {
    expect(() => checkRedisClient(redis({ maxRetriesPerRequest: null }))).toThrow(
      '@rolegate/redis: the client queues commands while disconnected with maxRetriesPerRequest: null',
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
