// What only Express has, on Express 4 and 5: sub-apps, responses a middleware started before the
// guard, and Express 4's deprecated (status, body) forms of res.json.
import { rolegate, requirePermission } from '@rolegate/express'
import { BackendUnavailableError, ResponseStartedError, type Subject } from '@rolegate/core'
import express4 from 'express4'
import express5, { type RequestHandler } from 'express'
import request from 'supertest'
import { describe, expect, onTestFinished, test } from 'vitest'
import { keepAliveClient } from '../support/keep-alive-client.js'
import { rg } from './fixtures.js'

const vera: Subject = { id: 'vera', roles: ['viewer'] }
const sam: Subject = { id: 'sam', roles: ['support'] }
const customer = { id: 'c1', name: 'Acme', address: { street: 'Main St', bcc: 'x@acme.test' } }

/** Answers whether the request has a rolegate, and what it decides. */
const report: RequestHandler = async (req, res) => {
  // Typed as always there; this is what the test asks.
  const state = req.rolegate as typeof req.rolegate | undefined
  res.json({
    rolegate: state !== undefined,
    write: state === undefined ? null : await state.can('invoices:write'),
  })
}

/** A middleware that starts the response before the guard, as a streaming endpoint does. */
const startStream: RequestHandler = (_req, res, next) => {
  res.set('content-type', 'text/event-stream')
  res.flushHeaders()
  res.write('data: started\n\n')
  next()
}

describe.each([
  ['Express 4', express4],
  ['Express 5', express5],
])('%s', (_name, express) => {
  test('req.rolegate set in a sub-app stays when the request goes on to the parent', async () => {
    const bundle = express()
    bundle.use(rolegate(rg, { subject: () => vera }))
    const app = express()
    app.use(bundle)
    app.get('/free', requirePermission('invoices:read'), report)
    app.get('/refused', requirePermission('invoices:write'), report)
    expect((await request(app).get('/free')).body).toEqual({ rolegate: true, write: false })
    const refused = await request(app).get('/refused')
    expect([refused.status, (refused.body as { detail: string }).detail]).toEqual([
      403,
      'Permission "invoices:write" required.',
    ])
  })

  test('req.rolegate survives a sub-app mounted in two apps, whichever the request came through', async () => {
    const bundle = express()
    bundle.use(rolegate(rg, { subject: () => vera }))
    const first = express()
    const second = express()
    for (const app of [first, second]) {
      app.use('/s', bundle)
      app.get('/s/free', requirePermission('invoices:read'), report)
    }
    for (const app of [first, second])
      expect((await request(app).get('/s/free')).body).toEqual({ rolegate: true, write: false })
  })

  test('an onDenied that starts writing and then fails: the connection is closed and reported', async () => {
    const errors: unknown[] = []
    const authz = rolegate(rg, { subject: () => vera, onError: (error) => errors.push(error) })
    const broken = new Error('template missing')
    const app = express()
    app.use(authz)
    app.get(
      '/',
      authz.requirePermission('invoices:write', {
        onDenied: (_req, res) => {
          res.write('<html>')
          throw broken
        },
      }),
      report,
    )
    await expect(request(app).get('/')).rejects.toThrow(/aborted|socket hang up|ECONNRESET/)
    expect(errors).toEqual([broken, new ResponseStartedError(403)])
  })

  test('a denial after the response started closes the connection and is reported', async () => {
    const errors: unknown[] = []
    const authz = rolegate(rg, { subject: () => vera, onError: (error) => errors.push(error) })
    const app = express()
    app.use(authz)
    app.get('/events', startStream, authz.requirePermission('invoices:write'), report)
    app.get('/allowed', startStream, authz.requirePermission('invoices:read'), (_req, res) => {
      res.end('data: granted\n\n')
    })
    await expect(request(app).get('/events')).rejects.toThrow(/aborted|socket hang up|ECONNRESET/)
    expect(errors).toEqual([new ResponseStartedError(403)])
    expect(errors[0]).toMatchObject({ code: 'ERR_ROLEGATE_RESPONSE_STARTED', status: 403 })
    const allowed = await request(app).get('/allowed')
    expect([allowed.status, allowed.text]).toEqual([200, 'data: started\n\ndata: granted\n\n'])
    expect(errors).toHaveLength(1)
  })

  test('a denial after a complete response is reported, and its connection serves the next request', async () => {
    const errors: unknown[] = []
    const authz = rolegate(rg, { subject: () => vera, onError: (error) => errors.push(error) })
    // A middleware that answers and still goes on, as a cache that forgot to return does.
    const answerEarly: RequestHandler = (_req, res, next) => {
      res.end('from the cache')
      next()
    }
    const app = express()
    app.use(authz)
    app.get('/cached', answerEarly, authz.requirePermission('invoices:write'), report)
    app.get('/free', authz.requirePermission('invoices:read'), report)
    const client = await keepAliveClient(app)
    onTestFinished(() => client.close())
    const cached = await client.get('/cached')
    expect([cached.status, cached.text]).toEqual([200, 'from the cache'])
    expect(errors).toEqual([new ResponseStartedError(403)])
    const next = await client.get('/free')
    expect([next.status, next.text]).toEqual([200, '{"rolegate":true,"write":false}'])
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
    const app = express()
    app.use(authz)
    app.get('/events', startStream, authz.requirePermission('customers:read'), report)
    await expect(request(app).get('/events')).rejects.toThrow(/aborted|socket hang up|ECONNRESET/)
    expect(errors).toEqual([storeDown, new ResponseStartedError(503)])
  })
})

describe('Express 4: the deprecated res.json(status, body) and (body, status) are redacted too', () => {
  test('status and body are those Express 4 gives, without the fields the caller may not read', async () => {
    const authz = rolegate(rg, { subject: () => sam })
    const app = express4()
    app.use(authz)
    // Express 4 still takes both orders (and says they are deprecated); Express 5 takes neither.
    type Legacy = (...args: unknown[]) => unknown
    app.get('/status-first', authz.redactFor('customers'), (_req, res) => {
      ;(res.json as unknown as Legacy).call(res, 201, customer)
    })
    app.get('/status-last', authz.redactFor('customers'), (_req, res) => {
      ;(res.json as unknown as Legacy).call(res, customer, 202)
    })
    app.get('/jsonp', authz.redactFor('customers'), (_req, res) => {
      ;(res.jsonp as unknown as Legacy).call(res, 203, customer)
    })
    // depd, which Express 4 warns with, stays quiet under process.noDeprecation.
    process.noDeprecation = true
    onTestFinished(() => void (process.noDeprecation = false))
    const redacted = { id: 'c1', name: 'Acme', address: { street: 'Main St' } }
    const first = await request(app).get('/status-first')
    expect([first.status, first.body]).toEqual([201, redacted])
    const last = await request(app).get('/status-last')
    expect([last.status, last.body]).toEqual([202, redacted])
    const padded = await request(app).get('/jsonp')
    expect([padded.status, JSON.parse(padded.text)]).toEqual([203, redacted])
  })
})
