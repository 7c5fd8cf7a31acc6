import Router from '@koa/router'
import type { ContextResolver, Subject } from '@rolegate/core'
import { rolegate as koaRolegate } from '@rolegate/koa'
import { redisStore, type RedisStore } from '@rolegate/redis'
import Koa from 'koa'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startRedisServer, uniquePrefix, type RedisServer } from '../support/redis-server.js'
import { connectRedis, disconnectAll, guardedApp, policy, rg, unavailableBody } from './support.js'

// The adapters take the Redis store with one option: `resolve` (the cached resolver) or `store`
// (core's uncached resolver over the Redis assignment store).
let server: RedisServer
let store: RedisStore<typeof policy>

beforeAll(async () => {
  server = await startRedisServer()
  const client = await connectRedis(server.port)
  store = redisStore({ client, keyPrefix: uniquePrefix('adapters'), policy, mode: 'strict' })
  await store.ready()
})
afterAll(async () => {
  await store.close()
  disconnectAll()
  await server.stop()
})

function koaApp(
  option: { resolve: ContextResolver<typeof policy> } | { store: RedisStore['assignments'] },
) {
  const app = new Koa()
  const authz = koaRolegate(rg, {
    subject: (ctx): Subject | undefined => {
      const id = ctx.get('x-user')
      return id === '' ? undefined : { id }
    },
    ...option,
    onError: () => {},
  })
  const router = new Router()
  router.get('/invoices', authz.requirePermission('invoices:read'), (ctx) => {
    ctx.body = { invoices: [] }
  })
  app.use(authz)
  app.use(router.routes())
  return app.callback()
}

const forbidden = {
  type: 'urn:rolegate:problem:forbidden',
  title: 'Forbidden',
  status: 403,
  detail: 'Permission "invoices:read" required.',
  permission: 'invoices:read',
  reason: 'no-grant',
}

describe.sequential('@rolegate/express and @rolegate/koa over Redis', () => {
  const apps = () => ({
    'express, resolve': guardedApp(store.resolve),
    'koa, resolve': koaApp({ resolve: store.resolve }),
    'koa, store': koaApp({ store: store.assignments }),
  })

  test('allow, refuse, and see a revocation at the next request', async () => {
    await store.assignments.assign('u1', 'viewer')
    for (const [name, app] of Object.entries(apps())) {
      const ok = await request(app).get('/invoices').set('x-user', 'u1')
      expect([name, ok.status, ok.body]).toEqual([name, 200, { invoices: [] }])
      const refused = await request(app).get('/invoices').set('x-user', 'u2')
      expect([name, refused.status, refused.body]).toEqual([name, 403, forbidden])
    }
    await store.assignments.revoke('u1', 'viewer')
    for (const [name, app] of Object.entries(apps())) {
      const res = await request(app).get('/invoices').set('x-user', 'u1')
      expect([name, res.status]).toEqual([name, 403])
    }
  })

  test('with Redis down every adapter answers 503 with the problem body, and recovers', async () => {
    await store.assignments.assign('u1', 'viewer')
    await server.stop()
    for (const [name, app] of Object.entries(apps())) {
      const res = await request(app).get('/invoices').set('x-user', 'u1')
      // Core's uncached resolver passes the store's own error on, with the store's own words.
      const detail = name.endsWith('store') ? 'The assignment store did not answer.' : undefined
      expect([name, res.status, res.get('content-type'), res.body]).toEqual([
        name,
        503,
        'application/problem+json; charset=utf-8',
        { ...unavailableBody, ...(detail === undefined ? {} : { detail }) },
      ])
    }
    await server.restart()
    await store.assignments.assign('u1', 'viewer').catch(() => {})
    for (const app of Object.values(apps())) {
      await expect
        .poll(
          async () => {
            await store.assignments.assign('u1', 'viewer').catch(() => {})
            return (await request(app).get('/invoices').set('x-user', 'u1')).status
          },
          { timeout: 8_000 },
        )
        .toBe(200)
    }
  }, 10_000)
})
