import { createApp } from '@rolegate-example/billwerk'
import { seedDemoUsers } from '@rolegate-example/billwerk/demo-users'
import { openStores } from '@rolegate-example/billwerk/stores'
import { describe, expect, test } from 'vitest'
import { uniquePrefix } from '../support/redis-server.js'
import { REDIS_UNAVAILABLE } from './support/problem-bodies.js'
import { answersAfterRedisStops } from './support/redis-outage.js'

describe('billwerk example when its Redis stops', () => {
  test('a request is a 503 problem, whether a guard or a handler asked', async () => {
    const { answers, reported } = await answersAfterRedisStops(
      async (url) => {
        const stores = await openStores({ redisUrl: url, keyPrefix: uniquePrefix('billwerk') })
        const billwerk = createApp({ ...stores, demo: true })
        await seedDemoUsers(billwerk)
        return { app: billwerk.app, close: () => stores.close() }
      },
      'ada',
      // GET /me reads the context in its handler, so its 503 comes from problemErrors().
      ['/me', '/kpi-charts'],
    )
    expect(answers).toEqual([
      [503, 'application/problem+json; charset=utf-8', '1', REDIS_UNAVAILABLE],
      [503, 'application/problem+json; charset=utf-8', '1', REDIS_UNAVAILABLE],
    ])
    expect(reported).toEqual([REDIS_UNAVAILABLE.detail, REDIS_UNAVAILABLE.detail])
  })
})
