import {
  BackendUnavailableError,
  createRolegate,
  definePolicy,
  ForbiddenError,
  missingPermissionProblem,
  type Subject,
} from '@rolegate/core'
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express'
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

/** The app's own last error handler: what `problemErrors()` passes on lands here. */
const appErrors: ErrorRequestHandler = (
  error: Error,
  _req,
  res,
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- four parameters make an error handler
  _next,
) => {
  res.status(500).json({ appHandled: error.message })
}

/**
 * An app whose `/` route is `handler`, behind `rolegate()` (with `onError`), then `problemErrors()`
 * and the app's own error handler `after`.
 */
function app(
  handler: RequestHandler,
  onError: (error: unknown) => void = () => {},
  after: ErrorRequestHandler = appErrors,
): Express {
  const authz = rolegate(rg, { subject: () => vera, onError })
  const server = express()
  server.use(authz)
  server.get('/', handler)
  server.use(problemErrors(), after)
  return server
}

describe('problemErrors()', () => {
  test('answers a denied assert() in a handler with 403 and the problem body', async () => {
    const res = await request(
      app(async (req, res) => {
        await req.rolegate.assert('invoices:write')
        res.json({ written: true })
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
    const res = await request(
      app(
        () => {
          throw down
        },
        (e) => void errors.push(e),
      ),
    ).get('/')
    expect([res.status, res.headers['content-type'], res.headers['retry-after'], res.body]).toEqual(
      [503, PROBLEM_TYPE, '1', unavailable],
    )
    expect(errors).toEqual([down])
  })

  test('still answers 503 when onError throws, and logs what it threw to console.error', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const loggerDown = new Error('logger down')
    try {
      const res = await request(
        app(
          () => {
            throw new BackendUnavailableError('The assignment store did not answer.')
          },
          () => {
            throw loggerDown
          },
        ),
      ).get('/')
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
    const server = express()
    server.use(rolegate(rg, { subject: () => vera, onError: middleware }))
    server.get('/down', () => {
      throw down
    })
    server.get('/denied', async (req) => {
      await req.rolegate.assert('invoices:write')
    })
    server.use(problemErrors({ onError: own }))
    expect((await request(server).get('/down')).status).toBe(503)
    expect((await request(server).get('/denied')).status).toBe(403)
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
      app(() => {
        throw copy
      }),
    ).get('/')
    expect([res.status, res.headers['x-copy'], res.body]).toEqual([403, 'yes', forbidden])
  })

  test('passes any other error on to the next error handler', async () => {
    const lookalike = Object.assign(new Error('teapot'), { status: 418, problem: forbidden })
    const server = express()
    server.get('/boom', () => {
      throw new Error('boom')
    })
    server.get('/teapot', () => {
      throw lookalike
    })
    server.use(problemErrors(), appErrors)
    const boom = await request(server).get('/boom')
    expect([boom.status, boom.body]).toEqual([500, { appHandled: 'boom' }])
    const teapot = await request(server).get('/teapot')
    expect([teapot.status, teapot.body]).toEqual([500, { appHandled: 'teapot' }])
  })

  test('passes a rolegate error on when the response has started, and does not answer twice', async () => {
    const denied = new ForbiddenError(
      missingPermissionProblem(['invoices:write'], 'all', undefined),
      {
        allowed: false,
        permission: 'invoices:write',
        reason: 'no-grant',
      },
    )
    const seen: unknown[] = []
    const res = await request(
      app(
        (_req, res, next) => {
          res.status(200).type('text').write('partial ')
          next(denied)
        },
        undefined,
        // eslint-disable-next-line @typescript-eslint/no-unused-vars -- four parameters make an error handler
        (error, _req, res, _next) => {
          seen.push(error)
          res.end('end')
        },
      ),
    ).get('/')
    expect([res.status, res.headers['content-type'], res.text]).toEqual([
      200,
      'text/plain; charset=utf-8',
      'partial end',
    ])
    expect(seen).toEqual([denied])
  })
})
