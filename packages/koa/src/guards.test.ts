import Router from '@koa/router'
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
import Koa, { type Middleware } from 'koa'
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

/** Sets `ctx.state.user` the way koa-passport does. */
const passport =
  (user: Subject | undefined): Middleware =>
  async (ctx, next) => {
    ctx.state.user = user
    await next()
  }

const forbidden = (permission: string) => ({
  type: 'urn:rolegate:problem:forbidden',
  title: 'Forbidden',
  status: 403,
  detail: `Permission "${permission}" required.`,
  permission,
  reason: 'no-grant',
})

/** A Koa app with `middleware` in front of a router holding `routes`. */
function app(middleware: Middleware[], routes: (router: Router) => void) {
  const router = new Router()
  routes(router)
  const koa = new Koa()
  koa.silent = true
  for (const m of middleware) koa.use(m)
  koa.use(router.routes())
  return koa.callback()
}

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
})

describe('rolegate()', () => {
  test('reads the subject from ctx.state.user by default, as koa-passport leaves it', async () => {
    const authz = rolegate(rg)
    const ok = (ctx: Koa.Context): void => void (ctx.body = { ok: true })
    const handler = app([], (router) => {
      router.get('/in', passport(vera), authz, authz.requirePermission('invoices:read'), ok)
      router.get('/out', passport(undefined), authz, authz.requirePermission('invoices:read'), ok)
    })
    expect((await request(handler).get('/in')).body).toEqual({ ok: true })
    const out = await request(handler).get('/out')
    expect(out.status).toBe(401)
    expect(out.headers['www-authenticate']).toBeUndefined()
  })

  test('resolves the subject once per request, for every guard and the handler', async () => {
    const subject = vi.fn(() => vera)
    const authz = rolegate(rg, { subject })
    const handler = app([authz], (router) => {
      router.get(
        '/',
        authz.requirePermission('invoices:read'),
        authz.requireRole('viewer'),
        async (ctx) => {
          ctx.body = {
            write: await ctx.state.rolegate.can('invoices:write'),
            read: await authz.of(ctx).can('invoices:read'),
            same: Object.is(authz.of(ctx), ctx.state.rolegate),
          }
        },
      )
    })
    expect((await request(handler).get('/')).body).toEqual({ write: false, read: true, same: true })
    expect(subject).toHaveBeenCalledTimes(1)
  })

  test('bound guards work without app.use, and attach ctx.state.rolegate themselves', async () => {
    const authz = rolegate(rg, { subject: () => vera })
    const handler = app([], (router) => {
      router.get('/', authz.requirePermission('invoices:read'), async (ctx) => {
        ctx.body = { subject: (await ctx.state.rolegate.context())?.subject.id }
      })
    })
    expect((await request(handler).get('/')).body).toEqual({ subject: 'vera' })
  })
})

describe('free guards', () => {
  test('without rolegate() before them they deny and report why', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const handler = app([passport(vera)], (router) => {
      router.get('/', requirePermission('invoices:read'), () => {})
    })
    const res = await request(handler).get('/')
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
    const authz = rolegate(rg, { subject: () => vera, onError: (e) => void errors.push(e) })
    const handler = app([authz], (router) => {
      router.get('/', requireRole('ghost'), () => {})
    })
    expect((await request(handler).get('/')).status).toBe(403)
    expect(errors).toEqual([new UnknownRoleError('ghost')])
  })

  test('redactFor redacts plain bodies and leaves strings and buffers alone', async () => {
    const handler = app([rolegate(rg, { subject: () => vera })], (router) => {
      const redact = redactFor('customers', { rolegate: rg })
      router.get('/object', redact, (ctx) => {
        ctx.body = { name: 'Acme', address: { bcc: 'x@acme.example', city: 'Bonn' } }
      })
      router.get('/text', redact, (ctx) => {
        ctx.body = 'address.bcc stays in text'
      })
    })
    expect((await request(handler).get('/object')).body).toEqual({
      name: 'Acme',
      address: { city: 'Bonn' },
    })
    expect((await request(handler).get('/text')).text).toBe('address.bcc stays in text')
  })
})

describe('onDenied', () => {
  test('the middleware option replaces every denial; a guard option wins over it', async () => {
    const authz = rolegate(rg, {
      subject: () => vera,
      onDenied: (ctx, denial) => {
        ctx.status = 404
        ctx.body = { hidden: denial.problem.permission }
      },
    })
    const handler = app([], (router) => {
      router.get('/app', authz.requirePermission('invoices:write'), () => {})
      router.get(
        '/guard',
        authz.requireRole('admin', {
          onDenied: async (ctx, denial) => {
            await Promise.resolve()
            ctx.status = denial.status
            ctx.body = 'no'
          },
        }),
        () => {},
      )
    })
    const app1 = await request(handler).get('/app')
    expect([app1.status, app1.body]).toEqual([404, { hidden: 'invoices:write' }])
    const guard = await request(handler).get('/guard')
    expect([guard.status, guard.text]).toEqual([403, 'no'])
  })

  test('onDenied starts from the denial’s status: a body alone, or null, keeps it', async () => {
    const authz = rolegate(rg, { subject: () => vera })
    const handler = app([], (router) => {
      router.get(
        '/body',
        authz.requirePermission('invoices:write', {
          onDenied: (ctx) => void (ctx.body = { no: 1 }),
        }),
      )
      router.get(
        '/null',
        authz.requirePermission('invoices:write', { onDenied: (ctx) => void (ctx.body = null) }),
      )
      router.get(
        '/login',
        authz.requirePermission('invoices:write', { onDenied: (ctx) => ctx.redirect('/login') }),
      )
    })
    const body = await request(handler).get('/body')
    expect([body.status, body.body]).toEqual([403, { no: 1 }])
    const none = await request(handler).get('/null')
    expect([none.status, none.text]).toEqual([403, ''])
    const login = await request(handler).get('/login')
    expect([login.status, login.headers.location]).toEqual([302, '/login'])
  })

  test('an onDenied that throws or leaves no body gets the default response', async () => {
    const errors: unknown[] = []
    const boom = new Error('boom')
    const authz = rolegate(rg, { subject: () => vera, onError: (e) => void errors.push(e) })
    const fail = (): never => {
      throw boom
    }
    const handler = app([], (router) => {
      router.get('/throws', authz.requirePermission('invoices:write', { onDenied: fail }), () => {})
      router.get('/silent', authz.requirePermission('invoices:write', { onDenied: () => {} }))
    })
    expect((await request(handler).get('/throws')).body).toEqual(forbidden('invoices:write'))
    expect((await request(handler).get('/silent')).body).toEqual(forbidden('invoices:write'))
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
      const fail = (): never => {
        throw new Error('boom')
      }
      const failLater = (): Promise<never> => Promise.reject(new Error('boom later'))
      const handler = app([], (router) => {
        router.get('/throws', authz.requirePermission('invoices:write', { onDenied: fail }))
        router.get('/rejects', authz.requirePermission('invoices:write', { onDenied: failLater }))
      })
      const thrown = await request(handler).get('/throws')
      expect([thrown.status, thrown.body]).toEqual([403, forbidden('invoices:write')])
      const rejected = await request(handler).get('/rejects')
      expect([rejected.status, rejected.body]).toEqual([403, forbidden('invoices:write')])
      expect(logged.mock.calls).toEqual([[loggerDown], [loggerDown]])
    } finally {
      logged.mockRestore()
    }
  })
})

describe('what happens after a guard is the app’s', () => {
  test('an error downstream is not caught by the guard; assert() speaks http-errors', async () => {
    const authz = rolegate(rg, { subject: () => vera })
    const handler = app(
      [
        async (ctx, next) => {
          try {
            await next()
          } catch (error) {
            const { status, problem } = error as { status: number; problem: unknown }
            ctx.status = status
            ctx.body = problem
          }
        },
      ],
      (router) => {
        router.get('/', authz.requirePermission('invoices:read'), async (ctx) => {
          await ctx.state.rolegate.assert('invoices:write')
        })
      },
    )
    const res = await request(handler).get('/')
    expect([res.status, res.body]).toEqual([403, forbidden('invoices:write')])
  })
})

describe('given a policy store', () => {
  test('a custom role created after start-up applies to the next request, in bound and free guards', async () => {
    const policies = memoryPolicyStore({ policy })
    const store = memoryAssignmentStore({ rolegate: policies })
    const authz = rolegate(policies, { store })
    const server = app([passport({ id: 'cleo' }), authz], (router) => {
      router.get('/bound', authz.requirePermission('invoices:read'), (ctx) => {
        ctx.body = { read: true }
      })
      router.get('/free', requirePermission('invoices:read', { rolegate: policies }), (ctx) => {
        ctx.body = { read: true }
      })
    })
    for (const path of ['/bound', '/free'])
      expect((await request(server).get(path).expect(403)).body).toEqual(forbidden('invoices:read'))
    await policies.createRole('clerk', { grants: { invoices: 'read' } })
    await store.assign('cleo', 'clerk')
    for (const path of ['/bound', '/free'])
      expect((await request(server).get(path).expect(200)).body).toEqual({ read: true })
  })

  test('given a whole store, rolegate(store) uses its resolver and follows its custom roles', async () => {
    const store = memoryStore({ policy })
    const authz = rolegate(store)
    const server = app([passport({ id: 'cleo' })], (router) => {
      router.get('/', authz.requirePermission('invoices:read'), (ctx) => {
        ctx.body = { read: true }
      })
    })
    expect((await request(server).get('/').expect(403)).body).toEqual(forbidden('invoices:read'))
    await store.policies.createRole('clerk', { grants: { invoices: 'read' } })
    await store.assignments.assign('cleo', 'clerk')
    expect((await request(server).get('/').expect(200)).body).toEqual({ read: true })
  })
})
