import { createRolegate, definePolicy, type Subject } from '@rolegate/core'
import express, { type Request, type RequestHandler, type Response } from 'express'
import request from 'supertest'
import { describe, expect, test } from 'vitest'
import { rolegate } from './index.js'

const policy = definePolicy({
  resources: ['invoices'],
  roles: { viewer: { grants: { invoices: 'read' } }, clerk: { grants: { invoices: 'write' } } },
})
const rg = createRolegate({ policy })
const vera: Subject = { id: 'vera', roles: ['viewer'] }

/** Where req.rolegate came from, and what it can do. */
const report: RequestHandler = async (req, res) => {
  res.json({
    own: Object.hasOwn(req, 'rolegate'),
    subject: (await req.rolegate.context())?.subject.id,
    write: await req.rolegate.can('invoices:write'),
  })
}

describe('req.rolegate under Express', () => {
  test('is no property of the request: Express requests take new properties slowly', async () => {
    const app = express()
    app.use(rolegate(rg, { subject: () => vera }))
    app.get('/', report)
    expect((await request(app).get('/')).body).toEqual({
      own: false,
      subject: 'vera',
      write: false,
    })
  })

  test('reaches the handlers of a sub-app mounted after the middleware', async () => {
    const app = express()
    const billing = express()
    billing.get('/invoices', report)
    app.use(rolegate(rg, { subject: () => vera }))
    app.use('/billing', billing)
    expect((await request(app).get('/billing/invoices')).body).toEqual({
      own: false,
      subject: 'vera',
      write: false,
    })
  })

  test('with two rolegates, each keeps its own and req.rolegate is the last one mounted', async () => {
    const app = express()
    const first = rolegate(rg, { subject: () => vera })
    const second = rolegate(rg, { subject: () => ({ id: 'cleo', roles: ['clerk'] }) })
    app.use(first, second)
    app.get(
      '/',
      first.requirePermission('invoices:read'),
      second.requirePermission('invoices:write'),
      async (req, res) => {
        res.json({
          first: (await first.of(req).context())?.subject.id,
          second: (await second.of(req).context())?.subject.id,
          current: (await req.rolegate.context())?.subject.id,
        })
      },
    )
    expect((await request(app).get('/')).body).toEqual({
      first: 'vera',
      second: 'cleo',
      current: 'cleo',
    })
  })

  test('requests that interleave between the middleware and the guard keep their own', async () => {
    // Both requests pass rolegate() before either reaches its guard, so the guard of the first
    // runs after the middleware has seen the second: it must not take the second's rolegate.
    const users: Record<string, Subject> = { vera, cleo: { id: 'cleo', roles: ['clerk'] } }
    const authz = rolegate(rg, { subject: (req) => users[req.get('x-user') ?? ''] })
    let arrived = 0
    let release = (): void => {}
    const bothArrived = new Promise<void>((resolve) => (release = resolve))
    const app = express()
    app.use(authz, async (_req, _res, next) => {
      if (++arrived === 2) release()
      await bothArrived
      next()
    })
    app.get('/', authz.requirePermission('invoices:read'), async (req, res) => {
      res.json({ subject: (await authz.of(req).context())?.subject.id })
    })
    const [first, second] = await Promise.all([
      request(app).get('/').set('x-user', 'vera'),
      request(app).get('/').set('x-user', 'cleo'),
    ])
    expect([first.status, first.body]).toEqual([200, { subject: 'vera' }])
    expect([second.status, second.body]).toEqual([200, { subject: 'cleo' }])
  })

  test('an app may set req.rolegate itself; an app without rolegate() has none', async () => {
    const app = express()
    app.use(rolegate(rg, { subject: () => vera }))
    app.get('/', (req, res) => {
      const replaced = rolegate(rg, { subject: () => ({ id: 'cleo', roles: ['clerk'] }) }).of(req)
      req.rolegate = replaced as unknown as Request['rolegate']
      res.json({ same: Object.is(req.rolegate, replaced), own: Object.hasOwn(req, 'rolegate') })
    })
    expect((await request(app).get('/')).body).toEqual({ same: true, own: true })
    const bare = express()
    bare.get('/', (req, res) => res.json({ rolegate: typeof req.rolegate }))
    expect((await request(bare).get('/')).body).toEqual({ rolegate: 'undefined' })
  })
})

describe('req.rolegate outside an Express app', () => {
  test('is a plain property of the request', async () => {
    const authz = rolegate(rg, { subject: () => vera })
    const req = {} as Request
    const res = {} as Response
    await new Promise<void>((resolve) => authz(req, res, () => resolve()))
    expect(Object.hasOwn(req, 'rolegate')).toBe(true)
    expect(req.rolegate).toBe(authz.of(req))
    expect(await req.rolegate.can('invoices:read')).toBe(true)
  })

  test('reads req.user and res.locals however they are defined: a getter, an inherited property', async () => {
    // Both are read with Reflect.get (uncached-read.ts): it must honour getters and prototypes.
    const authz = rolegate(rg)
    const locals: Record<symbol, unknown> = {}
    const req = Object.create({ user: vera }) as Request
    const res = Object.create(
      Object.defineProperty({}, 'locals', { get: () => locals }),
    ) as Response
    await new Promise<void>((resolve) => authz(req, res, () => resolve()))
    expect(Object.getOwnPropertySymbols(locals)).toHaveLength(2)
    expect(req.rolegate).toBe(authz.of(req, res))
    expect((await req.rolegate.context())?.subject.id).toBe('vera')
  })
})
