import { createApp, type PortaBillingApp } from '@rolegate-example/portabilling'
import { seedDemo } from '@rolegate-example/portabilling/demo-users'
import { openStores, type Stores } from '@rolegate-example/portabilling/stores'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { uniquePrefix, redisUrl } from '../support/redis-server.js'
import { missingPermission } from './support/problem-bodies.js'
import { removeRedisKeys } from './support/remove-redis-keys.js'
import { bodyOf, sendAsDemoUser, type DemoCall } from './support/send-as-demo-user.js'

// Two instances of the example sharing one Redis, as server.ts builds them with REDIS_URL set.
const keyPrefix = uniquePrefix('portabilling-example')

interface Instance {
  readonly stores: Stores
  readonly porta: PortaBillingApp
}

async function instance(): Promise<Instance> {
  const stores = await openStores({ redisUrl: redisUrl(), keyPrefix })
  const { roles, store, resolve } = stores
  const porta = createApp({ roles, store, resolve, demo: true })
  return { stores, porta }
}

let a: Instance
let b: Instance

beforeAll(async () => {
  ;[a, b] = await Promise.all([instance(), instance()])
  await seedDemo(a.porta)
})

afterAll(async () => {
  await Promise.all([a.stores.close(), b.stores.close()])
  await removeRedisKeys(keyPrefix)
})

const call = (on: Instance, request: DemoCall) => sendAsDemoUser(on.porta.app, request)

describe.sequential('PortaBilling example on two instances sharing Redis (strict)', () => {
  test("the demo's custom role, created through one instance, decides on the other", async () => {
    const res = await call(b, { user: 'acme', method: 'GET', path: '/customers/acme' })
    expect([res.status, Object.keys((res.body as { address_info: object }).address_info)]).toEqual([
      200,
      ['street', 'city', 'country'],
    ])
  })

  test('a role created and assigned on one instance is used by the next request to the other', async () => {
    const created = await call(a, {
      user: 'ada',
      method: 'POST',
      path: '/admin/roles',
      body: {
        name: 'globex_finance',
        type: 'customer',
        permissions: { 'customer.invoices_taxation': 'modify' },
      },
    })
    expect(created.status).toBe(201)
    const update = {
      user: 'globex',
      method: 'PUT',
      path: '/customers/globex/invoices_taxation',
      body: { currency: 'EUR' },
    } as const
    const before = await call(b, update)
    expect([before.status, bodyOf(before)]).toEqual([
      403,
      missingPermission('customer.invoices_taxation:write'),
    ])
    const assigned = await call(a, {
      user: 'ada',
      method: 'PUT',
      path: '/admin/users/globex/roles',
      body: { type: 'customer', roles: ['customer_self_care', 'globex_finance'] },
    })
    expect(assigned.status).toBe(200)
    expect((await call(b, update)).status).toBe(200)
  })

  test("an administrator on one instance acts with a customer's custom role created on the other", async () => {
    await call(b, {
      user: 'ada',
      method: 'POST',
      path: '/admin/roles',
      body: {
        name: 'globex_pbx',
        type: 'customer',
        permissions: { 'customer.personal_info': 'modify' },
      },
    })
    await call(b, {
      user: 'ada',
      method: 'PUT',
      path: '/admin/users/globex/roles',
      body: { type: 'customer', roles: ['globex_pbx'] },
    })
    const res = await call(a, {
      user: 'ada',
      headers: { 'x-act-as': 'globex' },
      method: 'PUT',
      path: '/customers/globex/personal_info',
      body: { phone: '+44 20 7946 0001' },
    })
    expect([res.status, res.body]).toEqual([
      200,
      { name: 'Globex', email: 'ap@globex.test', phone: '+44 20 7946 0001' },
    ])
  })

  test('an ACL set on one instance applies on the next request to the other, and its removal too', async () => {
    const acl = (body: unknown) =>
      call(a, { user: 'ada', method: 'PUT', path: '/admin/users/sam/acl', body })
    // sam, an admin user, reads products through his ACL alone.
    const products = { user: 'sam', method: 'GET', path: '/products' } as const
    expect((await call(b, products)).status).toBe(200)
    expect((await acl({ acl: { 'customer.invoices_taxation': 'read' } })).status).toBe(200)
    expect((await call(b, products)).status).toBe(403)
    expect((await acl({ acl: { product: 'read' } })).status).toBe(200)
    expect((await call(b, products)).status).toBe(200)
  })
})
