// What only Koa has, on Koa 2 and 3: a response a middleware started before the guard, a body
// set before the guard, and bodies Koa writes as JSON although they have stream-like methods.
import { BackendUnavailableError, ResponseStartedError, type Subject } from '@rolegate/core'
import { rolegate } from '@rolegate/koa'
import Koa2 from 'koa2'
import Koa3, { type Middleware } from 'koa'
import { Readable } from 'node:stream'
import request from 'supertest'
import { describe, expect, onTestFinished, test } from 'vitest'
import { keepAliveClient } from '../support/keep-alive-client.js'
import { rg } from './fixtures.js'

const vera: Subject = { id: 'vera', roles: ['viewer'] }
const sam: Subject = { id: 'sam', roles: ['support'] }

/** A middleware that starts the response before the guard, as a streaming endpoint does. */
const startStream: Middleware = async (ctx, next) => {
  ctx.status = 200
  ctx.type = 'text/event-stream'
  ctx.flushHeaders()
  ctx.res.write('data: started\n\n')
  await next()
}

/** A customer entity with a `pipe` method of its own, which Koa still writes as JSON. */
class Customer {
  readonly name = 'Acme'
  readonly address = { street: 'Main St', bcc: 'x@acme.test' }
  pipe<T>(step: (customer: this) => T): T {
    return step(this)
  }
}

describe.each([
  ['Koa 2', Koa2],
  ['Koa 3', Koa3],
])('%s', (_name, Koa) => {
  /** The app's rolegate, whose errors are recorded, and apps of it with the given middleware. */
  function setup(subject: Subject) {
    const errors: unknown[] = []
    const authz = rolegate(rg, { subject: () => subject, onError: (error) => errors.push(error) })
    const serve = (...middleware: Middleware[]) => {
      const koa = new Koa()
      koa.use(authz)
      for (const step of middleware) koa.use(step)
      return koa.callback()
    }
    return { authz, errors, serve }
  }

  test('a denial after the response started closes the connection and is reported', async () => {
    const { authz, errors, serve } = setup(vera)
    const granted: Middleware = (ctx) => void ctx.res.end('data: granted\n\n')
    const denied = serve(startStream, authz.requirePermission('invoices:write'), granted)
    await expect(request(denied).get('/')).rejects.toThrow(/aborted|socket hang up|ECONNRESET/)
    expect(errors).toEqual([new ResponseStartedError(403)])
    const allowed = serve(startStream, authz.requirePermission('invoices:read'), granted)
    const response = await request(allowed).get('/')
    expect([response.status, response.text]).toEqual([200, 'data: started\n\ndata: granted\n\n'])
    expect(errors).toHaveLength(1)
  })

  test('a denial after a complete response is reported, and its connection serves the next request', async () => {
    const { authz, errors, serve } = setup(vera)
    // A middleware that answers and still goes on, as a cache that forgot to return does.
    const answerEarly: Middleware = async (ctx, next) => {
      if (ctx.path === '/cached') {
        ctx.status = 200
        ctx.res.end('from the cache')
      }
      await next()
    }
    const refused = authz.requirePermission('invoices:write')
    const allowed = authz.requirePermission('invoices:read')
    const guard: Middleware = async (ctx, next) => {
      await (ctx.path === '/cached' ? refused : allowed)(ctx, next)
    }
    const callback = serve(answerEarly, guard, (ctx) => {
      ctx.body = 'granted'
    })
    const client = await keepAliveClient((req, res) => void callback(req, res))
    onTestFinished(() => client.close())
    const cached = await client.get('/cached')
    expect([cached.status, cached.text]).toEqual([200, 'from the cache'])
    expect(errors).toEqual([new ResponseStartedError(403)])
    const next = await client.get('/free')
    expect([next.status, next.text]).toEqual([200, 'granted'])
    expect(next.socket).toBe(cached.socket)
  })

  test('a 503 after the response started closes the connection as well', async () => {
    const storeDown = new BackendUnavailableError('The assignment store did not answer.')
    const errors: unknown[] = []
    const authz = rolegate(rg, {
      subject: () => sam,
      resolve: () => Promise.reject(storeDown),
      onError: (error) => errors.push(error),
    })
    const koa = new Koa()
    koa.use(authz).use(startStream).use(authz.requirePermission('customers:read'))
    await expect(request(koa.callback()).get('/')).rejects.toThrow(
      /aborted|socket hang up|ECONNRESET/,
    )
    expect(errors).toEqual([storeDown, new ResponseStartedError(503)])
  })

  test('an onDenied that writes to the raw response: ended, it stands; half written, closed', async () => {
    const { authz, errors, serve } = setup(vera)
    const ended = serve(
      authz.requirePermission('invoices:write', {
        onDenied: (ctx) => void ctx.res.end('refused, in the app’s own words'),
      }),
    )
    const response = await request(ended).get('/')
    expect([response.status, response.text]).toEqual([403, 'refused, in the app’s own words'])
    const broken = new Error('template missing')
    const halfWritten = serve(
      authz.requirePermission('invoices:write', {
        onDenied: (ctx) => {
          ctx.res.write('<html>')
          throw broken
        },
      }),
    )
    await expect(request(halfWritten).get('/')).rejects.toThrow(/aborted|socket hang up|ECONNRESET/)
    expect(errors).toEqual([broken, new ResponseStartedError(403)])
  })

  test('a body set before the guard is not sent when onDenied leaves the answer to it', async () => {
    const heard: string[] = []
    const setEarly: Middleware = async (ctx, next) => {
      ctx.body = { invoices: ['the list the caller may not write'] }
      await next()
    }
    const { authz, serve } = setup(vera)
    const guard = authz.requirePermission('invoices:write', {
      onDenied: (_ctx, denial) => void heard.push(denial.problem.detail),
    })
    const response = await request(serve(setEarly, guard)).get('/')
    expect([response.status, response.type, response.body]).toEqual([
      403,
      'application/problem+json',
      {
        type: 'urn:rolegate:problem:forbidden',
        title: 'Forbidden',
        status: 403,
        detail: 'Permission "invoices:write" required.',
        permission: 'invoices:write',
        reason: 'no-grant',
      },
    ])
    expect(heard).toEqual(['Permission "invoices:write" required.'])
  })

  test('redactFor redacts an entity with a pipe method, and leaves a real stream alone', async () => {
    const { authz, serve } = setup(sam)
    const redact = authz.redactFor('customers')
    const entity = serve(redact, (ctx) => {
      ctx.body = new Customer()
    })
    const response = await request(entity).get('/')
    expect([response.status, response.body]).toEqual([
      200,
      { name: 'Acme', address: { street: 'Main St' } },
    ])
    const streamed = serve(redact, (ctx) => {
      ctx.type = 'text/plain'
      ctx.body = Readable.from(['address.bcc stays in a stream'])
    })
    expect((await request(streamed).get('/')).text).toBe('address.bcc stays in a stream')
  })
})
