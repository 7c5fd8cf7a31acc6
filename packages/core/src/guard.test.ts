import { describe, expect, test, vi } from 'vitest'
import type { AuditEvent } from './audit.js'
import { createRolegate } from './create-rolegate.js'
import { BackendUnavailableError, UnknownPermissionError, UnknownRoleError } from './errors.js'
import { guard, guardInputOf } from './guard.js'
import {
  adapterDataOf,
  requestRolegate,
  type RequestRolegate,
  type RequestRolegateOptions,
} from './request-rolegate.js'
import { definePolicy } from './policy/define-policy.js'
import type { RoleOf, Subject } from './policy/types.js'
import { liveRolegate } from './stores/live-rolegate.js'
import { memoryAssignmentStore } from './stores/memory-assignment-store.js'
import { memoryPolicyStore } from './stores/memory-policy-store.js'
import { memoryStore } from './stores/memory-store.js'
import type { AssignmentStore } from './stores/types.js'

const policy = definePolicy({
  resources: ['invoices', 'customers.address.bcc', 'projects'],
  actions: { impersonate: [] },
  roles: {
    admin: { superuser: true },
    finance: { grants: { invoices: 'write' } },
    viewer: { grants: { invoices: 'read', customers: 'read', 'customers.address.bcc': 'none' } },
    lead: { grants: { projects: 'write' } },
    manager: { grants: { customers: { actions: 'read', when: 'managed' } } },
    support: { grants: { customers: ['impersonate', 'read'] } },
  },
})

const rg = createRolegate({
  policy,
  conditions: {
    managed: (subject, customer) => (customer as { manager?: string }).manager === subject.id,
  },
})

type Req = { readonly user?: unknown; readonly actAs?: string; readonly actAsRole?: string }

/** Per-request rolegates over `Req`, recording audit events and reported errors. */
function setup(options: Partial<RequestRolegateOptions<typeof policy, Req>> = {}) {
  const events: AuditEvent[] = []
  const errors: unknown[] = []
  const attach = requestRolegate(rg, {
    subject: (req: Req) => req.user,
    audit: (event) => void events.push(event),
    onError: (error) => void errors.push(error),
    ...options,
  })
  return { attach, events, errors }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
const readInvoices = guard(rg, { kind: 'permission', permissions: ['invoices:read'], mode: 'all' })
const finance: Subject = { id: 'fin', roles: ['finance'] }

describe('guard: names are checked when the guard is created', () => {
  test('an unknown permission throws, naming it', () => {
    expect(() =>
      guard(rg, { kind: 'permission', permissions: ['invocies:read'], mode: 'all' }),
    ).toThrow(
      new UnknownPermissionError('invocies:read', 'the policy declares no resource "invocies"'),
    )
  })

  test('an unknown role throws, naming it', () => {
    expect(() => guard(rg, { kind: 'role', roles: ['admin', 'amdin'] })).toThrow(UnknownRoleError)
    expect(() => guard(rg, { kind: 'role', roles: ['amdin'] })).toThrow('Unknown role "amdin"')
  })

  test('an empty requirement and an unknown mode are TypeErrors with a code', () => {
    expect(() => guard(rg, { kind: 'role', roles: [] })).toThrow(
      expect.objectContaining({ code: 'ERR_ROLEGATE_INVALID_ARGUMENT' }) as Error,
    )
    const mode = 'some' as 'any'
    expect(() => guard(rg, { kind: 'permission', permissions: ['invoices:read'], mode })).toThrow(
      'mode must be "all" or "any"',
    )
  })
})

describe('guard: outcomes', () => {
  test('no subject is a 401 problem, with WWW-Authenticate only when configured', async () => {
    const plain = setup()
    expect(await readInvoices(plain.attach({}))).toEqual({
      allowed: false,
      status: 401,
      headers: {},
      problem: {
        type: 'urn:rolegate:problem:unauthenticated',
        title: 'Authentication required',
        status: 401,
        detail: 'This request needs an authenticated subject.',
      },
    })
    const bearer = setup({ wwwAuthenticate: 'Bearer' })
    const outcome = await readInvoices(bearer.attach({ user: null }))
    expect(outcome).toMatchObject({ status: 401, headers: { 'www-authenticate': 'Bearer' } })
    await flush()
    expect(plain.events).toEqual([
      {
        permissions: ['invoices:read'],
        actor: undefined,
        subject: undefined,
        scope: undefined,
        allowed: false,
        reason: 'unauthenticated',
        durationMs: expect.any(Number) as number,
      },
    ])
  })

  test('an allowed check returns the context and audits the deciding reason', async () => {
    const { attach, events } = setup()
    const outcome = await readInvoices(attach({ user: finance }))
    expect(outcome.allowed).toBe(true)
    expect(outcome.allowed && outcome.context.subject.id).toBe('fin')
    await flush()
    expect(events).toEqual([
      {
        permissions: ['invoices:read'],
        actor: 'fin',
        subject: 'fin',
        scope: undefined,
        allowed: true,
        reason: 'granted',
        durationMs: expect.any(Number) as number,
      },
    ])
  })

  test('mode "all" names only the missing permissions; mode "any" names all of them', async () => {
    const { attach } = setup()
    const permissions = ['invoices:read', 'projects:write']
    const all = guard(rg, { kind: 'permission', permissions, mode: 'all' })
    const any = guard(rg, { kind: 'permission', permissions, mode: 'any' })
    expect(await all(attach({ user: finance }))).toEqual({
      allowed: false,
      status: 403,
      headers: {},
      problem: {
        type: 'urn:rolegate:problem:forbidden',
        title: 'Forbidden',
        status: 403,
        detail: 'Permission "projects:write" required.',
        permission: 'projects:write',
        reason: 'no-grant',
      },
      decision: { allowed: false, reason: 'no-grant', permission: 'projects:write' },
    })
    expect((await any(attach({ user: finance }))).allowed).toBe(true)
    expect(await any(attach({ user: { id: 'nobody' } }))).toMatchObject({
      status: 403,
      problem: {
        detail: 'One of the permissions "invoices:read" or "projects:write" is required.',
        permission: ['invoices:read', 'projects:write'],
      },
    })
  })

  test('roles are checked in the scope the request gives, from a value or a function', async () => {
    const { attach } = setup()
    const lead = guard(rg, { kind: 'role', roles: ['lead', 'admin'] })
    const user: Subject = { id: 'u', scoped: { 'team:1': ['lead'] } }
    expect((await lead(attach({ user }), { scope: 'team:1' })).allowed).toBe(true)
    expect(await lead(attach({ user }), { scope: () => Promise.resolve('team:2') })).toEqual({
      allowed: false,
      status: 403,
      headers: {},
      problem: {
        type: 'urn:rolegate:problem:forbidden',
        title: 'Forbidden',
        status: 403,
        detail: 'One of the roles "lead" or "admin" is required in scope "team:2".',
        role: ['lead', 'admin'],
        scope: 'team:2',
      },
    })
  })

  test('a loader gives the instance that conditional grants are weighed against', async () => {
    const { attach } = setup()
    const read = guard(rg, { kind: 'permission', permissions: ['customers:read'], mode: 'all' })
    const user = { id: 'm1', roles: ['manager'] }
    const own = await read(attach({ user }), { resource: () => ({ manager: 'm1' }) })
    expect(own.allowed).toBe(true)
    const other = await read(attach({ user }), {
      resource: () => Promise.resolve({ manager: 'x' }),
    })
    expect(other).toMatchObject({ status: 403, problem: { reason: 'condition-failed' } })
  })

  test('a context a resolver made under another policy is decided by that policy, by name', async () => {
    // The guard compiled its permissions with rg's policy, where invoices are the first resource.
    // Here they are the second, and viewer may read only the first: read by index, rg's compiled
    // permission would refuse finance and allow viewer.
    const other = createRolegate({
      policy: definePolicy({
        resources: ['projects', 'invoices'],
        roles: {
          finance: { grants: { invoices: 'read' } },
          viewer: { grants: { projects: 'read' } },
        },
      }),
    })
    const { attach } = setup({ resolve: (subject) => other.context(subject) as never })
    expect(await readInvoices(attach({ user: finance }))).toMatchObject({ allowed: true })
    const refused = await readInvoices(attach({ user: { id: 'v', roles: ['viewer'] } }))
    expect(refused).toMatchObject({ allowed: false, status: 403 })
    expect(!refused.allowed && refused.decision?.reason).toBe('no-grant')
  })
})

describe('guard: anything thrown denies', () => {
  const failed = {
    allowed: false,
    status: 403,
    headers: {},
    problem: {
      type: 'urn:rolegate:problem:forbidden',
      title: 'Forbidden',
      status: 403,
      detail: 'Access could not be verified, so it is refused.',
    },
  }

  test('a throwing loader, scope or subject resolver gives 403 and reaches onError', async () => {
    const boom = new Error('boom')
    const { attach, errors, events } = setup()
    const fail = (): never => {
      throw boom
    }
    expect(await readInvoices(attach({ user: finance }), { resource: fail })).toEqual(failed)
    expect(await readInvoices(attach({ user: finance }), { scope: fail })).toEqual(failed)
    const throwing = setup({ subject: fail })
    expect(await readInvoices(throwing.attach({}))).toEqual(failed)
    expect(errors).toEqual([boom, boom])
    expect(throwing.errors).toEqual([boom])
    await flush()
    expect(events.map((e) => [e.actor, e.subject, e.reason])).toEqual([
      ['fin', 'fin', 'error'],
      ['fin', 'fin', 'error'],
    ])
  })

  test('a scope that is not a string denies and is reported, naming what it was', async () => {
    const lead: Subject = { id: 'l', scoped: { '42': ['lead'], 'team:1,team:2': ['lead'] } }
    const writeProjects = guard(rg, {
      kind: 'permission',
      permissions: ['projects:write'],
      mode: 'all',
    })
    const { attach, errors } = setup()
    for (const scope of [42, ['team:1', 'team:2'], null, { toString: () => '42' }])
      expect(await writeProjects(attach({ user: lead }), { scope: () => scope as string })).toEqual(
        failed,
      )
    expect(errors.map((e) => (e as Error).message)).toEqual([
      "A guard's scope must be a string, got a number.",
      "A guard's scope must be a string, got an array.",
      "A guard's scope must be a string, got null.",
      "A guard's scope must be a string, got an object.",
    ])
    expect(rg.context(lead).can('projects:write', { scope: 42 as unknown as string })).toBe(false)
    expect(rg.context(lead).can('projects:write', { scope: '42' })).toBe(true)
  })

  test('a loader that throws a lookalike of a rolegate error with another status denies with 403', async () => {
    const { attach, errors } = setup()
    const lookalike = Object.assign(new Error('a 200 in disguise'), {
      code: 'ERR_ROLEGATE_FORBIDDEN',
      status: 200,
      headers: {},
      problem: {},
    })
    const loader = (): never => {
      throw lookalike
    }
    expect(await readInvoices(attach({ user: finance }), { resource: loader })).toEqual(failed)
    expect(errors).toEqual([lookalike])
  })

  test('an error whose fields change between reads gets the audit reason of the response it gave', async () => {
    const { attach, events } = setup()
    let reads = 0
    // A rolegate 401 the first time its code is read, and no rolegate error after.
    const shifting = Object.defineProperty(
      Object.assign(new Error('shifting'), {
        status: 401,
        headers: {},
        problem: { status: 401, title: 'Sign in' },
      }),
      'code',
      { get: () => (reads++ === 0 ? 'ERR_ROLEGATE_UNAUTHORIZED' : 'ERR_SOMETHING_ELSE') },
    )
    const loader = (): never => {
      throw shifting
    }
    const outcome = await readInvoices(attach({ user: finance }), { resource: loader })
    expect(outcome).toMatchObject({ allowed: false, status: 401 })
    await flush()
    expect(events.map((event) => [event.allowed, event.reason])).toEqual([
      [false, 'unauthenticated'],
    ])
  })

  test('a malformed subject denies rather than throwing', async () => {
    const { attach, errors } = setup()
    expect(await readInvoices(attach({ user: { id: 42, roles: ['admin'] } }))).toEqual(failed)
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_ROLEGATE_INVALID_SUBJECT' })])
  })

  test('an unavailable store gives 503 with its problem and Retry-After', async () => {
    const store = { get: () => Promise.reject(new Error('ECONNREFUSED')) }
    const { attach, errors, events } = setup({ store: store as unknown as AssignmentStore })
    expect(await readInvoices(attach({ user: finance }))).toEqual({
      allowed: false,
      status: 503,
      headers: { 'retry-after': '1' },
      problem: {
        type: 'urn:rolegate:problem:backend-unavailable',
        title: 'Authorization backend unavailable',
        status: 503,
        detail: 'The assignment store did not answer.',
      },
    })
    expect(errors).toEqual([expect.any(BackendUnavailableError)])
    await flush()
    expect(events[0]?.reason).toBe('backend-unavailable')
  })

  test('a request without a rolegate, or with another one, denies', async () => {
    const other = createRolegate({ policy, conditions: { managed: () => true } })
    const errors: unknown[] = []
    const foreign = requestRolegate(other, {
      subject: () => finance,
      onError: (e) => errors.push(e),
    })
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    expect(await readInvoices(undefined)).toEqual(failed)
    expect(logged).toHaveBeenCalledWith(
      new TypeError('No rolegate on this request: mount rolegate() before its guards.'),
    )
    logged.mockRestore()
    expect(await readInvoices(foreign({}))).toEqual(failed)
    expect(errors).toEqual([
      new TypeError("The guard's rolegate is not the one attached to this request."),
    ])
  })

  test('an audit hook that throws or rejects changes nothing and reaches onError', async () => {
    const { attach, errors } = setup({
      audit: (event) => {
        if (event.allowed) throw new Error('sync')
        return Promise.reject(new Error('async'))
      },
    })
    expect((await readInvoices(attach({ user: finance }))).allowed).toBe(true)
    expect((await readInvoices(attach({ user: { id: 'x' } }))).allowed).toBe(false)
    await flush()
    expect(errors).toEqual([new Error('sync'), new Error('async')])
  })
})

describe('guard: synchronous when everything it waits for is', () => {
  test('a synchronous subject reader and the default resolver: the outcome, not a promise', () => {
    const { attach } = setup()
    const allowed = readInvoices(attach({ user: finance }))
    expect(allowed).not.toBeInstanceOf(Promise)
    expect(allowed).toMatchObject({ allowed: true, scope: undefined, resource: undefined })
    const refused = readInvoices(attach({ user: { id: 'x' } }))
    expect(refused).not.toBeInstanceOf(Promise)
    expect(refused).toMatchObject({ allowed: false, status: 403 })
    const scoped = readInvoices(attach({ user: finance }), { scope: () => 'team:1' })
    expect(scoped).toMatchObject({ allowed: true, scope: 'team:1' })
  })

  test('any step that answers with a promise makes the outcome a promise of the same answer', async () => {
    const later = setup({ subject: (req: Req) => Promise.resolve(req.user) })
    const outcome = readInvoices(later.attach({ user: finance }))
    expect(outcome).toBeInstanceOf(Promise)
    expect(await outcome).toMatchObject({ allowed: true })
    const { attach } = setup()
    const loading = readInvoices(attach({ user: finance }), { resource: () => Promise.resolve(7) })
    expect(loading).toBeInstanceOf(Promise)
    expect(await loading).toMatchObject({ allowed: true, resource: 7 })
    const stored = setup({ store: memoryAssignmentStore({ rolegate: rg }) })
    const resolving = readInvoices(stored.attach({ user: { id: 'y' } }))
    expect(resolving).toBeInstanceOf(Promise)
    expect(await resolving).toMatchObject({ allowed: false, status: 403 })
  })

  test('a subject reader that throws is asked once: later checks and handlers get the same error', async () => {
    const boom = new Error('session store unreachable')
    let calls = 0
    const { attach, errors } = setup({
      subject: () => {
        calls++
        throw boom
      },
    })
    const request = attach({})
    expect(readInvoices(request)).toMatchObject({ allowed: false, status: 403 })
    expect(readInvoices(request)).toMatchObject({ allowed: false, status: 403 })
    await expect(request.context()).rejects.toBe(boom)
    await expect(request.can('invoices:read')).rejects.toBe(boom)
    expect(calls).toBe(1)
    expect(errors).toEqual([boom, boom])
  })

  test('an onError that throws still denies, and what it threw goes to console.error', () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const loggerDown = new Error('logger down')
    const { attach } = setup({
      subject: () => {
        throw new Error('boom')
      },
      onError: () => {
        throw loggerDown
      },
    })
    expect(readInvoices(attach({}))).toMatchObject({ allowed: false, status: 403 })
    expect(logged).toHaveBeenCalledWith(loggerDown)
    logged.mockRestore()
  })
})

describe('guardInputOf', () => {
  test('a fixed scope without a loader is one shared input; functions are bound to each request', async () => {
    const fixed = guardInputOf<Req>('team:1', undefined)
    expect(fixed({})).toBe(fixed({ actAs: 'x' }))
    expect(fixed({})).toEqual({ scope: 'team:1' })
    const bound = guardInputOf<Req>(
      (req) => `team:${req.actAs ?? 'none'}`,
      (req) => Promise.resolve({ manager: req.actAsRole }),
    )
    const input = bound({ actAs: '7', actAsRole: 'm1' })
    expect(typeof input.scope === 'function' && input.scope()).toBe('team:7')
    expect(await input.resource?.()).toEqual({ manager: 'm1' })
  })

  test('a scope that is neither a string nor a function, or a loader that is no function, throws', () => {
    expect(() => guardInputOf<Req>(42 as unknown as string, undefined)).toThrow(
      'scope must be a string or a function of the request',
    )
    expect(() => guardInputOf<Req>(undefined, {} as () => unknown)).toThrow(
      'resource must be a function of the request',
    )
  })
})

describe('guard without a rolegate: names are checked against the request on first use', () => {
  test('a known name decides; an unknown one denies and reports the error', async () => {
    const { attach, errors } = setup()
    const known = guard<typeof policy>(undefined, {
      kind: 'permission',
      permissions: ['invoices:read'],
      mode: 'all',
    })
    const unknown = guard<typeof policy>(undefined, { kind: 'role', roles: ['ghost'] })
    expect((await known(attach({ user: finance }))).allowed).toBe(true)
    expect(await unknown(attach({ user: finance }))).toMatchObject({ status: 403 })
    expect(errors).toEqual([new UnknownRoleError('ghost')])
  })
})

describe('requestRolegate', () => {
  test('a store beside resolve is refused at start-up: nothing would read it', () => {
    const store = memoryAssignmentStore({ rolegate: rg })
    expect(() =>
      requestRolegate(rg, {
        subject: (req: Req) => req.user,
        store,
        resolve: (s) => rg.context(s),
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_ROLEGATE_INVALID_ARGUMENT',
        message: 'store: resolve reads the assignments; give the store to the resolver',
      }) as Error,
    )
  })

  test('a wwwAuthenticate that cannot be a header value throws at start-up', () => {
    expect(() => setup({ wwwAuthenticate: 'Bearer\r\nSet-Cookie: s=1' })).toThrow(
      'wwwAuthenticate must be a string that can be a header value, got "Bearer\\r\\nSet-Cookie: s=1"',
    )
  })

  test('resolves the subject once per request, only when asked', async () => {
    let calls = 0
    const { attach } = setup({ subject: () => (calls++, finance) })
    const request = attach({})
    expect(calls).toBe(0)
    await readInvoices(request)
    await readInvoices(request)
    expect(await request.can('invoices:write')).toBe(true)
    expect(calls).toBe(1)
  })

  test('handlers can ask, assert and redact; without a subject they get 401 errors', async () => {
    const { attach } = setup()
    const viewer = attach({ user: { id: 'v', roles: ['viewer'] } })
    expect(await viewer.can('invoices:write')).toBe(false)
    expect(await viewer.explain('invoices:read')).toMatchObject({ allowed: true, role: 'viewer' })
    await expect(viewer.assert('invoices:write')).rejects.toMatchObject({ status: 403 })
    expect(
      await viewer.redact('customers', { name: 'A', address: { bcc: 'x', city: 'B' } }),
    ).toEqual({ name: 'A', address: { city: 'B' } })
    const anonymous = attach({})
    expect(await anonymous.can('invoices:read')).toBe(false)
    await expect(anonymous.assert('invoices:read')).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_UNAUTHORIZED',
      status: 401,
    })
  })
})

describe('requestRolegate: what adapters keep', () => {
  test("adapterDataOf gives the adapter's data to every request rolegate it made, and nothing else", () => {
    const data = { onDenied: () => {} }
    const { attach } = setup({ adapter: data })
    expect(adapterDataOf(attach({}))).toBe(data)
    expect(adapterDataOf(attach({ user: finance }))).toBe(data)
    expect(adapterDataOf(setup().attach({}))).toBeUndefined()
    expect(adapterDataOf({ settings: { adapter: data } })).toBeUndefined()
    expect(adapterDataOf(undefined)).toBeUndefined()
  })

  test('a subject reader that asks for the context while it is resolved gets none, not a loop', async () => {
    const seen: Promise<boolean>[] = []
    const { attach } = setup({
      subject: () => {
        seen.push(request.can('invoices:read'))
        return finance
      },
    })
    const request: RequestRolegate<typeof policy> = attach({})
    expect(await readInvoices(request)).toMatchObject({ allowed: true })
    expect(await Promise.all(seen)).toEqual([false])
    expect(await request.can('invoices:write')).toBe(true)
  })
})

describe('impersonation', () => {
  const people: Record<string, Subject> = {
    carol: { id: 'carol', roles: ['finance'] },
    root: { id: 'root', roles: ['admin'] },
  }
  const support: Subject = { id: 'sam', roles: ['support'] }
  const impersonating = () =>
    setup({
      impersonation: {
        permission: 'customers:impersonate',
        target: (req) => req.actAs,
        loadSubject: (id) => people[id],
        role: (req) => req.actAsRole,
        roles: ['viewer'],
      },
    })

  test('an actor with the permission acts as the target; audit events name the real actor', async () => {
    const { attach, events } = impersonating()
    const outcome = await readInvoices(attach({ user: support, actAs: 'carol' }))
    expect(outcome.allowed).toBe(true)
    if (!outcome.allowed) return
    expect([outcome.context.actor.id, outcome.context.subject.id]).toEqual(['sam', 'carol'])
    expect(outcome.context.impersonating).toBe(true)
    const asViewer = attach({ user: support, actAs: 'carol', actAsRole: 'viewer' })
    expect(await asViewer.can('invoices:write')).toBe(false)
    expect(await asViewer.can('invoices:read')).toBe(true)
    await flush()
    expect(events[0]).toMatchObject({ actor: 'sam', subject: 'carol', allowed: true })
  })

  test('a target of null or "" is no impersonation; one that is not a string denies', async () => {
    const { attach, errors } = impersonating()
    const actingAs = (actAs: unknown) =>
      readInvoices(attach({ user: finance, actAs: actAs as string }))
    for (const none of [undefined, null, '']) expect((await actingAs(none)).allowed).toBe(true)
    expect(await actingAs(42)).toMatchObject({ allowed: false, status: 403 })
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'The impersonation target must be a subject id (a string), got a number.',
    ])
  })

  test('without the permission, or for an unknown or superuser target, it is refused with 403', async () => {
    const { attach, events } = impersonating()
    expect(await readInvoices(attach({ user: finance, actAs: 'carol' }))).toEqual({
      allowed: false,
      status: 403,
      headers: {},
      problem: {
        type: 'urn:rolegate:problem:forbidden',
        title: 'Forbidden',
        status: 403,
        detail: 'Permission "customers:impersonate" required.',
        permission: 'customers:impersonate',
        reason: 'no-grant',
      },
      decision: { allowed: false, reason: 'no-grant', permission: 'customers:impersonate' },
    })
    expect(await readInvoices(attach({ user: support, actAs: 'nobody' }))).toMatchObject({
      status: 403,
      problem: { detail: 'There is no such subject to act on behalf of.' },
    })
    expect(await readInvoices(attach({ user: support, actAs: 'root' }))).toMatchObject({
      status: 403,
      problem: { detail: 'Cannot act on behalf of a subject holding superuser role "admin".' },
    })
    await flush()
    expect(events[0]).toEqual({
      permissions: ['customers:impersonate'],
      actor: 'fin',
      subject: undefined,
      scope: undefined,
      allowed: false,
      reason: 'no-grant',
      durationMs: expect.any(Number) as number,
    })
  })

  test('a role function picks only among the roles listed; another is refused with 403', async () => {
    const { attach, events } = impersonating()
    const asFinance = attach({ user: support, actAs: 'carol', actAsRole: 'finance' })
    expect(await readInvoices(asFinance)).toEqual({
      allowed: false,
      status: 403,
      headers: {},
      problem: {
        type: 'urn:rolegate:problem:forbidden',
        title: 'Forbidden',
        status: 403,
        detail: 'The role asked for may not be acted with.',
        permission: 'customers:impersonate',
        reason: 'impersonation-refused',
      },
      decision: {
        allowed: false,
        reason: 'impersonation-refused',
        permission: 'customers:impersonate',
      },
    })
    await flush()
    expect(events).toEqual([
      {
        permissions: ['customers:impersonate'],
        actor: 'sam',
        subject: undefined,
        scope: undefined,
        allowed: false,
        reason: 'impersonation-refused',
        durationMs: expect.any(Number) as number,
      },
    ])
  })

  test('a role function without the roles it may pick is refused at start-up', () => {
    const impersonation = {
      permission: 'customers:impersonate' as const,
      target: () => undefined,
      loadSubject: () => undefined,
      role: () => 'viewer',
    }
    expect(() => requestRolegate(rg, { subject: () => undefined, impersonation })).toThrow(
      expect.objectContaining({
        code: 'ERR_ROLEGATE_INVALID_ARGUMENT',
        message:
          'impersonation.roles: list the roles the impersonation.role function may pick; ' +
          'without the list, whatever it returns (often a header) could name any role of the policy',
      }) as Error,
    )
    const misspelt = { ...impersonation, roles: ['veiwer' as 'viewer'] }
    expect(() =>
      requestRolegate(rg, { subject: () => undefined, impersonation: misspelt }),
    ).toThrow(new UnknownRoleError('veiwer'))
  })

  test('its names are checked at start-up', () => {
    expect(() =>
      requestRolegate(rg, {
        subject: () => undefined,
        impersonation: {
          permission: 'customers:impersonat' as 'customers:impersonate',
          target: () => undefined,
          loadSubject: () => undefined,
        },
      }),
    ).toThrow('Unknown permission "customers:impersonat"')
  })
})

describe('requestRolegate and guard given a policy store', () => {
  test('each request is decided with the custom roles in force, impersonation included', async () => {
    const policies = memoryPolicyStore({ policy, conditions: { managed: () => false } })
    const store = memoryAssignmentStore({ rolegate: policies })
    // Created before the impersonation that may pick it: its names are checked at start-up.
    await policies.createRole('planner', { grants: { projects: 'write' } })
    const attach = requestRolegate(policies, {
      subject: (req: Req) => req.user,
      store,
      impersonation: {
        permission: 'customers:impersonate',
        target: (req) => req.actAs,
        loadSubject: (id) => ({ id }),
        role: (req) => req.actAsRole,
        // A custom role is no name of the policy in code, so its type does not know it.
        roles: ['planner' as RoleOf<typeof policy>],
      },
    })
    const writeProjects = guard(policies, {
      kind: 'permission',
      permissions: ['projects:write'],
      mode: 'all',
    })
    const clara: Subject = { id: 'clara' }
    expect(await writeProjects(attach({ user: clara }))).toMatchObject({
      allowed: false,
      status: 403,
    })
    await store.assign('clara', 'planner')
    expect((await writeProjects(attach({ user: clara }))).allowed).toBe(true)
    const support: Subject = { id: 'sam', roles: ['support'] }
    const asOlga = await writeProjects(attach({ user: support, actAs: 'olga' }))
    expect(asOlga).toMatchObject({ allowed: false, status: 403 })
    const asPlanner = attach({ user: support, actAs: 'olga', actAsRole: 'planner' })
    expect(await writeProjects(asPlanner)).toMatchObject({
      allowed: true,
      context: { actor: { id: 'sam' }, subject: { id: 'olga' } },
    })
    const state = attach({ user: clara })
    expect(state.rolegate).toBe(liveRolegate(policies))
    expect(state.rolegate.policy).toBe(policies.current().policy)
  })

  test('a whole store: its resolver reads its assignments, under its custom roles', async () => {
    const store = memoryStore({ policy, conditions: { managed: () => false } })
    const attach = requestRolegate(store, { subject: (req: Req) => req.user })
    const writeProjects = guard(store, {
      kind: 'permission',
      permissions: ['projects:write'],
      mode: 'all',
    })
    await store.policies.createRole('planner', { grants: { projects: 'write' } })
    await store.assignments.assign('clara', 'planner')
    expect((await writeProjects(attach({ user: { id: 'clara' } }))).allowed).toBe(true)
    expect(attach({}).rolegate).toBe(liveRolegate(store.policies))
    expect(() =>
      requestRolegate(store, { subject: (req: Req) => req.user, store: store.assignments }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_ROLEGATE_INVALID_ARGUMENT',
        message:
          'store: a whole store brings its own assignments; pass resolve to replace its resolver',
      }) as Error,
    )
  })

  test('names are checked against the rolegate in force when the guard is made', async () => {
    const policies = memoryPolicyStore({ policy, conditions: { managed: () => false } })
    expect(() => guard(policies, { kind: 'role', roles: ['planner'] })).toThrow(
      new UnknownRoleError('planner'),
    )
    await policies.createRole('planner', { grants: { projects: 'write' } })
    const planners = guard(policies, { kind: 'role', roles: ['planner'] })
    const attach = requestRolegate(policies, { subject: (req: Req) => req.user })
    expect((await planners(attach({ user: { id: 'p', roles: ['planner'] } }))).allowed).toBe(true)
  })
})
