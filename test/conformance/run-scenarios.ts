import request from 'supertest'
import { describe, expect, test } from 'vitest'
import { createDeps, type Deps } from './fixtures.js'
import { scenarios } from './scenarios.js'

/** What supertest can drive: an Express app or a Koa `app.callback()`. */
type Handler = Parameters<typeof request>[0]

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** `allow` lists methods in framework order (`GET,HEAD` or `HEAD, GET`); compare it as a set. */
function normalize(name: string, value: unknown): unknown {
  if (name !== 'allow' || typeof value !== 'string') return value
  return value
    .split(',')
    .map((method) => method.trim())
    .sort()
    .join(', ')
}

/** Runs the whole scenario table against one adapter and framework version. */
export function describeConformance(name: string, createApp: (deps: Deps) => Handler): void {
  describe(name, () => {
    for (const { name: title, subject, request: req, expect: want } of scenarios)
      test(title, async () => {
        const deps = await createDeps()
        const agent = request(createApp(deps))
        const method = req.method.toLowerCase() as 'get' | 'post' | 'delete' | 'head' | 'options'
        const headers = {
          ...req.headers,
          ...(subject === undefined ? {} : { 'x-test-user': subject }),
        }
        const res = await agent[method](req.path).set(headers)
        await flush()

        expect(res.status).toBe(want.status)
        for (const [header, value] of Object.entries(want.headers ?? {}))
          expect(normalize(header, res.headers[header])).toBe(value)
        if (want.body !== undefined) expect(res.body).toEqual(want.body)
        else if (req.method === 'HEAD') expect(res.text).toBe(undefined)
        else expect(res.headers['content-type'] ?? '').not.toMatch(/problem/)
        if (want.audit !== undefined) {
          // toEqual ignores undefined properties: durationMs is checked apart.
          const events = deps.events.map((event) => ({ ...event, durationMs: undefined }))
          expect(events).toEqual(want.audit)
          for (const { durationMs } of deps.events) expect(durationMs).toBeGreaterThanOrEqual(0)
        }
        expect(deps.errors).toEqual(want.errors ?? [])
      })
  })
}
