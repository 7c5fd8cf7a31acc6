import Router from '@koa/router'
import {
  BackendUnavailableError,
  createRolegate,
  definePolicy,
  ForbiddenError,
  missingPermissionProblem,
  type Subject,
} from '@rolegate/core'
import Koa, { type Middleware } from 'koa'
import request from 'supertest'
import { describe, expect, test, vi } from 'vitest'
import { problemErrors, rolegate } from './index.js'

const policy = definePolicy({
  resources: ['invoices'],
  roles: { viewer: { grants: { invoices: 'read' } } },
})
const rg = createRolegate({ policy })
const vera: Subject = { id: 'vera', roles: ['viewer'] }

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8'
const forbidden = {
  type: 'urn:rolegate:problem:forbidden',
  title: 'Forbidden',
  status: 403,
  detail: 'Permission "invoices:write" required.',
  permission: 'invoices:write',
  reason: 'no-grant',
}
const unavailable = {
  type: 'urn:rolegate:problem:backend-unavailable',
  title: 'Authorization backend unavailable',
  status: 503,
  detail: 'The assignment store did not answer.',
}

/** The app's own error handling, outside `problemErrors()`: it sees what is re-thrown. */
const appErrors =
  (seen: unknown[] = []): Middleware =>
  async (ctx, next) => {
    try {
      await next()
    } catch (error) {
      seen.push(error)
      ctx.status = 500
      ctx.body = { appHandled: (error as Error).message }
    }
  }

/** An app whose routes are `routes`, behind the app's error handling, `problemErrors()` and `rolegate()`. */
function app(routes: (router: Router) => void) {
  const router = new Router()
  routes(router)
  const koa = new Koa()
  koa.silent = true
  koa.use(appErrors())
  koa.use(problemErrors())
  koa.use(rolegate(rg, { subject: () => vera }))
  koa.use(router.routes())
  return koa.callback()
}

describe('problemErrors()', () => {
  test('answers a denied assert() in a handler with 403 and the problem body', async () => {
    const res = await request(
      app((router) => {
        router.get('/', async (ctx) => {
          await ctx.state.rolegate.assert('invoices:write')
          ctx.body = { written: true }
        })
      }),
    ).get('/')
    expect([res.status, res.headers['content-type'], res.body]).toEqual([
      403,
      PROBLEM_TYPE,
      forbidden,
    ])
  })

  test('answers a 503 with Retry-After and reports it to the middleware’s onError', async () => {
    const errors: unknown[] = []
    const down = new BackendUnavailableError('The assignment store did not answer.')
    const router = new Router()
    router.get('/', () => {
      throw down
    })
    const koa = new Koa()
    koa.use(problemErrors())
    koa.use(rolegate(rg, { subject: () => vera, onError: (e) => void errors.push(e) }))
    koa.use(router.routes())
    const res = await request(koa.callback()).get('/')
    expect([res.status, res.headers['content-type'], res.headers['retry-after'], res.body]).toEqual(
      [503, PROBLEM_TYPE, '1', unavailable],
    )
    expect(errors).toEqual([down])
  })

  test('still answers 503 when onError throws, and logs what it threw to console.error', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const loggerDown = new Error('logger down')
    try {
      const router = new Router()
      router.get('/', () => {
        throw new BackendUnavailableError('The assignment store did not answer.')
      })
      const koa = new Koa()
      koa.silent = true
      koa.use(problemErrors())
      koa.use(
        rolegate(rg, {
          subject: () => vera,
          onError: () => {
            throw loggerDown
          },
        }),
      )
      koa.use(router.routes())
      const res = await request(koa.callback()).get('/')
      expect([res.status, res.body]).toEqual([503, unavailable])
      expect(logged.mock.calls).toEqual([[loggerDown]])
    } finally {
      logged.mockRestore()
    }
  })

  test('its own onError wins over the middleware’s; 401 and 403 are not reported', async () => {
    const own = vi.fn()
    const middleware = vi.fn()
    const down = new BackendUnavailableError('The assignment store did not answer.')
    const router = new Router()
    router.get('/down', () => {
      throw down
    })
    router.get('/denied', async (ctx) => {
      await ctx.state.rolegate.assert('invoices:write')
    })
    const koa = new Koa()
    koa.use(problemErrors({ onError: own }))
    koa.use(rolegate(rg, { subject: () => vera, onError: middleware }))
    koa.use(router.routes())
    expect((await request(koa.callback()).get('/down')).status).toBe(503)
    expect((await request(koa.callback()).get('/denied')).status).toBe(403)
    expect(own.mock.calls).toEqual([[down]])
    expect(middleware).not.toHaveBeenCalled()
  })

  test('answers an error of another copy of core, recognised by its code', async () => {
    const copy = Object.assign(new Error('Permission "invoices:write" required.'), {
      code: 'ERR_ROLEGATE_FORBIDDEN',
      status: 403,
      headers: { 'x-copy': 'yes' },
      problem: forbidden,
    })
    const res = await request(
      app((router) => {
        router.get('/', () => {
          throw copy
        })
      }),
    ).get('/')
    expect([res.status, res.headers['x-copy'], res.body]).toEqual([403, 'yes', forbidden])
  })

  test('re-throws any other error to the app’s own error handling', async () => {
    const lookalike = Object.assign(new Error('teapot'), { status: 418, problem: forbidden })
    const handler = app((router) => {
      router.get('/boom', () => {
        throw new Error('boom')
      })
      router.get('/teapot', () => {
        throw lookalike
      })
    })
    const boom = await request(handler).get('/boom')
    expect([boom.status, boom.body]).toEqual([500, { appHandled: 'boom' }])
    const teapot = await request(handler).get('/teapot')
    expect([teapot.status, teapot.body]).toEqual([500, { appHandled: 'teapot' }])
  })

  test('re-throws a rolegate error when the response has started, and does not answer twice', async () => {
    const denied = new ForbiddenError(
      missingPermissionProblem(['invoices:write'], 'all', undefined),
      {
        allowed: false,
        permission: 'invoices:write',
        reason: 'no-grant',
      },
    )
    const seen: unknown[] = []
    const router = new Router()
    router.get('/', (ctx) => {
      // Written to the socket directly, as a streaming handler might before it fails.
      ctx.respond = false
      ctx.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
      ctx.res.write('partial ')
      throw denied
    })
    const koa = new Koa()
    koa.silent = true
    koa.use(async (ctx, next) => {
      try {
        await next()
      } catch (error) {
        seen.push(error)
        ctx.res.end('end')
      }
    })
    koa.use(problemErrors())
    koa.use(router.routes())
    const res = await request(koa.callback()).get('/')
    expect([res.status, res.headers['content-type'], res.text]).toEqual([
      200,
      'text/plain; charset=utf-8',
      'partial end',
    ])
    expect(seen).toEqual([denied])
  })
})
