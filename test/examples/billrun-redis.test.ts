import { createApp, type BillRunApp } from '@rolegate-example/billrun'
import { seedDemoUsers } from '@rolegate-example/billrun/demo-users'
import { openStores, type Stores } from '@rolegate-example/billrun/stores'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { redisUrl, uniquePrefix } from '../support/redis-server.js'
import { removeRedisKeys } from './support/remove-redis-keys.js'
import {
  assignmentRefused,
  REDIS_UNAVAILABLE,
  missingPermission,
} from './support/problem-bodies.js'
import { answersAfterRedisStops } from './support/redis-outage.js'
import { bodyOf, sendAsDemoUser } from './support/send-as-demo-user.js'

// Two instances of the example, each with its own Redis client, sharing one Redis: what
// server.ts builds when REDIS_URL is set (strict mode).
const keyPrefix = uniquePrefix('billrun-example')

interface Instance {
  readonly stores: Stores
  readonly billrun: BillRunApp
}

async function instance(): Promise<Instance> {
  const stores = await openStores({ redisUrl: redisUrl(), keyPrefix })
  return { stores, billrun: createApp({ ...stores, demo: true }) }
}

let a: Instance
let b: Instance

beforeAll(async () => {
  ;[a, b] = await Promise.all([instance(), instance()])
  await seedDemoUsers(a.stores.store)
})

afterAll(async () => {
  await Promise.all([a.stores.close(), b.stores.close()])
  await removeRedisKeys(keyPrefix)
})

const setRoles = (on: Instance, user: string, roles: string[]) =>
  sendAsDemoUser(on.billrun.app, {
    user: 'ada',
    method: 'PUT',
    path: `/admin/users/${user}/roles`,
    body: { roles },
  })

const createCustomer = (on: Instance, user: string) =>
  sendAsDemoUser(on.billrun.app, {
    user,
    method: 'POST',
    path: '/customers',
    body: { name: 'Hooli', planId: 'pro' },
  })

describe.sequential('BillRun example on two instances sharing Redis (strict)', () => {
  test('the demo users seeded through one instance are seen by the other', async () => {
    const res = await sendAsDemoUser(b.billrun.app, { user: 'mira', method: 'GET', path: '/me' })
    expect(res.body).toEqual({ id: 'mira', roles: ['read', 'reports'] })
  })

  test('a role given or revoked on one instance decides the next request on the other', async () => {
    for (let round = 0; round < 4; round++) {
      const [writer, reader] = round % 2 === 0 ? [a, b] : [b, a]
      expect((await setRoles(writer, 'rita', ['read', 'write'])).status).toBe(200)
      expect((await createCustomer(reader, 'rita')).status).toBe(201)
      expect((await setRoles(writer, 'rita', ['read'])).status).toBe(200)
      const refused = await createCustomer(reader, 'rita')
      expect([refused.status, bodyOf(refused)]).toEqual([
        403,
        missingPermission('crm.customers:write'),
      ])
    }
  })

  test('a billing job on one instance is refused right after a revocation on the other', async () => {
    expect((await setRoles(a, 'otto', ['write'])).status).toBe(200)
    const run = await b.billrun.runBillingJob({ id: 'otto' }, '2025-06')
    // Every customer of B's own data: the three samples and the two created on B above.
    expect([run.startedBy, run.invoices.length]).toEqual(['otto', 5])
    expect((await setRoles(a, 'otto', [])).status).toBe(200)
    await expect(b.billrun.runBillingJob({ id: 'otto' }, '2025-07')).rejects.toMatchObject({
      status: 403,
      problem: missingPermission('billing.runs:execute'),
    })
  })

  test('the Redis store refuses an unknown role as the memory store does', async () => {
    const res = await setRoles(b, 'rex', ['reports', 'auditor'])
    expect([res.status, bodyOf(res)]).toEqual([
      422,
      assignmentRefused('Assignment for subject "rex" refused: unknown role "auditor" globally'),
    ])
    const me = await sendAsDemoUser(a.billrun.app, { user: 'rex', method: 'GET', path: '/me' })
    expect(me.body).toEqual({ id: 'rex', roles: ['reports'] })
  })
})

describe('BillRun example when its Redis stops', () => {
  test('a request is a 503 problem, whether a guard or a handler asked', async () => {
    const { answers, reported } = await answersAfterRedisStops(
      async (url) => {
        const stores = await openStores({ redisUrl: url, keyPrefix })
        const billrun = createApp({ ...stores, demo: true })
        await seedDemoUsers(billrun.store)
        return { app: billrun.app, close: () => stores.close() }
      },
      'ada',
      // GET /me reads the context in its handler, so its 503 comes from problemErrors().
      ['/me', '/plans'],
    )
    expect(answers).toEqual([
      [503, 'application/problem+json; charset=utf-8', '1', REDIS_UNAVAILABLE],
      [503, 'application/problem+json; charset=utf-8', '1', REDIS_UNAVAILABLE],
    ])
    expect(reported).toEqual([REDIS_UNAVAILABLE.detail, REDIS_UNAVAILABLE.detail])
  })
})
