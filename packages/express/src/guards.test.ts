import {
  createRolegate,
  definePolicy,
  memoryAssignmentStore,
  memoryPolicyStore,
  memoryStore,
  UnknownPermissionError,
  UnknownRoleError,
  type Subject,
} from '@rolegate/core'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import request from 'supertest'
import { describe, expect, test, vi } from 'vitest'
import { redactFor, requirePermission, requireRole, rolegate } from './index.js'

const policy = definePolicy({
  resources: ['invoices', 'customers.address.bcc'],
  actions: { impersonate: [] },
  roles: {
    admin: { superuser: true },
    viewer: { grants: { invoices: 'read', customers: 'read', 'customers.address.bcc': 'none' } },
  },
})
const rg = createRolegate({ policy })
const vera: Subject = { id: 'vera', roles: ['viewer'] }

/** Sets `req.user` the way Passport does. */
const passport =
  (user: Subject | undefined): RequestHandler =>
  (req, _res, next) => {
    Object.assign(req, { user })
    next()
  }

const forbidden = (permission: string) => ({
  type: 'urn:rolegate:problem:forbidden',
  title: 'Forbidden',
  status: 403,
  detail: `Permission "${permission}" required.`,
  permission,
  reason: 'no-grant',
})

describe('names are checked when guards are created', () => {
  const authz = rolegate(rg)

  test('a misspelt permission throws at start-up, naming it', () => {
    expect(() => authz.requirePermission('invocies:read' as 'invoices:read')).toThrow(
      new UnknownPermissionError('invocies:read', 'the policy declares no resource "invocies"'),
    )
    expect(() => requirePermission('invoices:delete' as 'invoices:read', { rolegate: rg })).toThrow(
      'Unknown permission "invoices:delete": the policy declares no action "delete"',
    )
  })

  test('a misspelt role or resource throws at start-up', () => {
    expect(() => authz.requireRole('amdin' as 'admin')).toThrow(new UnknownRoleError('amdin'))
    expect(() => requireRole('amdin' as 'admin', { rolegate: rg })).toThrow(UnknownRoleError)
    expect(() => authz.redactFor('customer' as 'customers')).toThrow(UnknownPermissionError)
  })

  test('so do impersonation names and an empty role list', () => {
    expect(() =>
      rolegate(rg, {
        impersonation: {
          permission: 'customers:impersonat' as 'customers:impersonate',
          loadSubject: () => undefined,
        },
      }),
    ).toThrow('Unknown permission "customers:impersonat"')
    expect(() => authz.requireRole([])).toThrow('a guard needs at least one role name')
  })
})

describe('rolegate()', () => {
  test('reads the subject from req.user by default, as Passport leaves it', async () => {
    const authz = rolegate(rg)
    const app = express()
    app.get('/in', passport(vera), authz, authz.requirePermission('invoices:read'), (_req, res) => {
      res.json({ ok: true })
    })
    app.get('/out', passport(undefined), authz, authz.requirePermission('invoices:read'), () => {})
    expect((await request(app).get('/in')).body).toEqual({ ok: true })
    const out = await request(app).get('/out')
    expect(out.status).toBe(401)
    expect(out.headers['www-authenticate']).toBeUndefined()
  })

  test('resolves the subject once per request, for every guard and the handler', async () => {
    const subject = vi.fn(() => vera)
    const authz = rolegate(rg, { subject })
    const app = express()
    app.use(authz)
    app.get(
      '/',
      authz.requirePermission('invoices:read'),
      authz.requireRole('viewer'),
      async (req, res) => {
        res.json({
          write: await req.rolegate.can('invoices:write'),
          read: await authz.of(req).can('invoices:read'),
          same: Object.is(authz.of(req), req.rolegate),
        })
      },
    )
    expect((await request(app).get('/')).body).toEqual({ write: false, read: true, same: true })
    expect(subject).toHaveBeenCalledTimes(1)
  })

  test('bound guards work without app.use, and attach req.rolegate themselves', async () => {
    const authz = rolegate(rg, { subject: () => vera })
    const app = express()
    app.get('/', authz.requirePermission('invoices:read'), async (req, res) => {
      res.json({ subject: (await req.rolegate.context())?.subject.id })
    })
    expect((await request(app).get('/')).body).toEqual({ subject: 'vera' })
  })

  test('a subject resolver may be async', async () => {
    const authz = rolegate(rg, { subject: () => Promise.resolve(vera) })
    const app = express()
    app.get('/', authz.requirePermission('invoices:write'), () => {})
    expect((await request(app).get('/')).body).toEqual(forbidden('invoices:write'))
  })
})

describe('free guards', () => {
  test('without rolegate() before them they deny and report why', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const app = express()
    app.get('/', passport(vera), requirePermission('invoices:read'), () => {})
    const res = await request(app).get('/')
    expect([res.status, res.body]).toEqual([
      403,
      {
        type: 'urn:rolegate:problem:forbidden',
        title: 'Forbidden',
        status: 403,
        detail: 'Access could not be verified, so it is refused.',
      },
    ])
    expect(error).toHaveBeenCalledWith(
      new TypeError('No rolegate on this request: mount rolegate() before its guards.'),
    )
    error.mockRestore()
  })

  test('without { rolegate }, an unknown name denies on use and reaches onError', async () => {
    const errors: unknown[] = []
    const app = express()
    app.use(rolegate(rg, { subject: () => vera, onError: (e) => void errors.push(e) }))
    app.get('/', requireRole('ghost'), () => {})
    expect((await request(app).get('/')).status).toBe(403)
    expect(errors).toEqual([new UnknownRoleError('ghost')])
  })

  test('redactFor with { rolegate } redacts res.json bodies', async () => {
    const app = express()
    app.use(rolegate(rg, { subject: () => vera }))
    app.get('/', redactFor('customers', { rolegate: rg }), (_req, res) => {
      res.json({ name: 'Acme', address: { bcc: 'x@acme.example', city: 'Bonn' } })
    })
    expect((await request(app).get('/')).body).toEqual({ name: 'Acme', address: { city: 'Bonn' } })
  })
})

describe('onDenied', () => {
  test('the middleware option replaces every denial; a guard option wins over it', async () => {
    const authz = rolegate(rg, {
      subject: () => vera,
      onDenied: (_req, res, denial) => {
        res.status(404).json({ hidden: denial.problem.permission })
      },
    })
    const app = express()
    app.get('/app', authz.requirePermission('invoices:write'), () => {})
    app.get(
      '/guard',
      authz.requireRole('admin', {
        onDenied: async (_req, res, denial) => {
          await Promise.resolve()
          res.status(denial.status).type('text').send('no')
        },
      }),
      () => {},
    )
    const app1 = await request(app).get('/app')
    expect([app1.status, app1.body]).toEqual([404, { hidden: 'invoices:write' }])
    const guard = await request(app).get('/guard')
    expect([guard.status, guard.text]).toEqual([403, 'no'])
  })

  test('onDenied starts from the denial’s status: res.json alone keeps it', async () => {
    const authz = rolegate(rg, { subject: () => vera })
    const app = express()
    app.get(
      '/body',
      authz.requirePermission('invoices:write', {
        onDenied: (_req, res) => void res.json({ no: 1 }),
      }),
    )
    app.get(
      '/login',
      authz.requirePermission('invoices:write', {
        onDenied: (_req, res) => res.redirect('/login'),
      }),
    )
    const body = await request(app).get('/body')
    expect([body.status, body.body]).toEqual([403, { no: 1 }])
    const login = await request(app).get('/login')
    expect([login.status, login.headers.location]).toEqual([302, '/login'])
  })

  test('an onDenied that throws or does not answer gets the default response', async () => {
    const errors: unknown[] = []
    const boom = new Error('boom')
    const authz = rolegate(rg, { subject: () => vera, onError: (e) => void errors.push(e) })
    const app = express()
    const fail = (): never => {
      throw boom
    }
    app.get('/throws', authz.requirePermission('invoices:write', { onDenied: fail }), () => {})
    app.get('/silent', authz.requirePermission('invoices:write', { onDenied: () => {} }), () => {})
    expect((await request(app).get('/throws')).body).toEqual(forbidden('invoices:write'))
    expect((await request(app).get('/silent')).body).toEqual(forbidden('invoices:write'))
    expect(errors).toEqual([boom])
  })

  test('an onDenied and an onError that both throw still get the default response', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const loggerDown = new Error('logger down')
    try {
      const authz = rolegate(rg, {
        subject: () => vera,
        onError: () => {
          throw loggerDown
        },
      })
      const app = express()
      const fail = (): never => {
        throw new Error('boom')
      }
      const failLater = (): Promise<never> => Promise.reject(new Error('boom later'))
      app.get('/throws', authz.requirePermission('invoices:write', { onDenied: fail }), () => {})
      app.get('/rejects', authz.requirePermission('invoices:write', { onDenied: failLater }))
      const thrown = await request(app).get('/throws')
      expect([thrown.status, thrown.body]).toEqual([403, forbidden('invoices:write')])
      const rejected = await request(app).get('/rejects')
      expect([rejected.status, rejected.body]).toEqual([403, forbidden('invoices:write')])
      expect(logged.mock.calls).toEqual([[loggerDown], [loggerDown]])
    } finally {
      logged.mockRestore()
    }
  })
})

describe('what happens after a guard is the app’s', () => {
  test('an error in the handler reaches the error handler; assert() speaks http-errors', async () => {
    const authz = rolegate(rg, { subject: () => vera })
    const app = express()
    app.get('/', authz, async (req) => {
      await req.rolegate.assert('invoices:write')
    })
    const handler: ErrorRequestHandler = (
      err: { status: number; problem: unknown },
      _req,
      res,
      // eslint-disable-next-line @typescript-eslint/no-unused-vars -- four parameters make an error handler
      _next,
    ) => {
      res.status(err.status).json(err.problem)
    }
    app.use(handler)
    const res = await request(app).get('/')
    expect([res.status, res.body]).toEqual([403, forbidden('invoices:write')])
  })
})

describe('given a policy store', () => {
  test('a custom role created after start-up applies to the next request, in bound and free guards', async () => {
    const policies = memoryPolicyStore({ policy })
    const store = memoryAssignmentStore({ rolegate: policies })
    const authz = rolegate(policies, { store })
    const app = express()
    app.use(passport({ id: 'cleo' }), authz)
    app.get('/bound', authz.requirePermission('invoices:read'), (_req, res) => {
      res.json({ read: true })
    })
    app.get('/free', requirePermission('invoices:read', { rolegate: policies }), (_req, res) => {
      res.json({ read: true })
    })
    for (const path of ['/bound', '/free'])
      expect((await request(app).get(path).expect(403)).body).toEqual(forbidden('invoices:read'))
    await policies.createRole('clerk', { grants: { invoices: 'read' } })
    await store.assign('cleo', 'clerk')
    for (const path of ['/bound', '/free'])
      expect((await request(app).get(path).expect(200)).body).toEqual({ read: true })
  })

  test('given a whole store, rolegate(store) uses its resolver and follows its custom roles', async () => {
    const store = memoryStore({ policy })
    const authz = rolegate(store)
    const app = express()
    app.get(
      '/',
      passport({ id: 'cleo' }),
      authz.requirePermission('invoices:read'),
      (_req, res) => {
        res.json({ read: true })
      },
    )
    expect((await request(app).get('/').expect(403)).body).toEqual(forbidden('invoices:read'))
    await store.policies.createRole('clerk', { grants: { invoices: 'read' } })
    await store.assignments.assign('cleo', 'clerk')
    expect((await request(app).get('/').expect(200)).body).toEqual({ read: true })
  })
})
