import type { AddressInfo } from 'node:net'
import { createServer, type Server } from 'node:http'
import Router from '@koa/router'
import { contextResolver, type PermissionOf, type RoleContext, type Subject } from '@rolegate/core'
import { rolegate as expressRolegate } from '@rolegate/express'
import { rolegate as koaRolegate } from '@rolegate/koa'
import express from 'express'
import Koa from 'koa'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDeps, policy, rg, users, type Deps } from './fixtures.js'

// A background job holds no request: it builds the context with core's own `rg.context(subject)`
// (or the same resolver the adapters use, when assignments live in a store) and must reach the
// decisions an HTTP guard reaches for the same subject, in every scope.

type Policy = typeof policy
const permissions = [...rg.policy.permissions.keys()] as PermissionOf<Policy>[]
const scopes = [undefined, 'team:7'] as const
const subjects = [
  'root',
  'fiona',
  'vera',
  'mia',
  'sam',
  'ann',
  'tess',
  'conflicted',
  'mallory',
  'junk',
  'crowd',
]

interface Verdict {
  readonly permission: string
  readonly scope: string | undefined
  readonly allowed: boolean
  /** The reason of a denial; allowed requests answer without one. */
  readonly reason: string | undefined
}

function expressApp(deps: Deps): Server {
  const authz = expressRolegate(rg, {
    subject: (req) => deps.subjectFor(req.get('x-test-user')),
    store: deps.store,
  })
  const app = express()
  permissions.forEach((permission, i) => {
    const scope = (req: express.Request): string => `team:${String(req.params.team)}`
    app.get(`/can/${i}`, authz.requirePermission(permission), (_req, res) => res.json({}))
    app.get(`/can/${i}/:team`, authz.requirePermission(permission, { scope }), (_req, res) =>
      res.json({}),
    )
  })
  return createServer(app)
}

function koaApp(deps: Deps): Server {
  const authz = koaRolegate(rg, {
    subject: (ctx) => deps.subjectFor(ctx.get('x-test-user') || undefined),
    store: deps.store,
  })
  const router = new Router()
  permissions.forEach((permission, i) => {
    const scope = (ctx: { params: Record<string, string> }): string =>
      `team:${ctx.params.team ?? ''}`
    const ok = (ctx: Koa.Context): void => void (ctx.body = {})
    router.get(`/can/${i}`, authz.requirePermission(permission), ok)
    router.get(`/can/${i}/:team`, authz.requirePermission(permission, { scope }), ok)
  })
  const app = new Koa()
  app.use(router.routes())
  const handle = app.callback()
  return createServer((req, res) => void handle(req, res))
}

async function overHttp(base: string, name: string): Promise<Verdict[]> {
  const verdicts: Verdict[] = []
  for (const scope of scopes) {
    for (const [i, permission] of permissions.entries()) {
      const path = scope === undefined ? `/can/${i}` : `/can/${i}/${scope.slice('team:'.length)}`
      const res = await fetch(`${base}${path}`, { headers: { 'x-test-user': name } })
      const body = (await res.json()) as { reason?: string }
      expect([200, 403]).toContain(res.status)
      verdicts.push({ permission, scope, allowed: res.status === 200, reason: body.reason })
    }
  }
  return verdicts
}

function inJob(ctx: RoleContext<Policy>): Verdict[] {
  return scopes.flatMap((scope) =>
    permissions.map((permission) => {
      const { allowed, reason } = ctx.explain(permission, { scope })
      return { permission, scope, allowed, reason: allowed ? undefined : reason }
    }),
  )
}

describe.each([
  ['Express', expressApp],
  ['Koa', koaApp],
])('a background job decides like the %s route', (_framework, makeServer) => {
  let deps: Deps
  let server: Server
  let base: string
  beforeAll(async () => {
    deps = await createDeps()
    server = makeServer(deps)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  test.each(subjects.filter((name) => name !== 'tess'))(
    'rg.context(subject) for %s gives the same decisions',
    async (name) => {
      const subject = users.get(name) as Subject
      expect(inJob(rg.context(subject))).toEqual(await overHttp(base, name))
    },
  )

  test('a job whose subject has store assignments resolves them like the adapters do', async () => {
    const subject = users.get('tess') as Subject
    const job = inJob(await contextResolver({ rolegate: rg, store: deps.store })(subject))
    expect(job).toEqual(await overHttp(base, 'tess'))
    // The store's team role is what decides: the bare subject would decide differently.
    expect(inJob(rg.context(subject))).not.toEqual(job)
  })
})
