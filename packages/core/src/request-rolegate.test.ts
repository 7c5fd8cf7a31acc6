import { describe, expect, test } from 'vitest'
import type { AuditEvent } from './audit.js'
import { createRolegate } from './create-rolegate.js'
import { BackendUnavailableError } from './errors.js'
import { definePolicy } from './policy/define-policy.js'
import type { Subject } from './policy/types.js'
import { requestRolegate, type RequestRolegateOptions } from './request-rolegate.js'

const policy = definePolicy({
  resources: ['invoices', 'customers'],
  actions: { impersonate: [] },
  roles: {
    finance: { grants: { invoices: 'write' } },
    viewer: { grants: { invoices: 'read' } },
    support: { grants: { customers: ['impersonate', 'read'] } },
  },
})
const rg = createRolegate({ policy })

type Req = { readonly user?: unknown; readonly actAs?: string }
const viewer: Subject = { id: 'vera', roles: ['viewer'] }
const support: Subject = { id: 'sam', roles: ['support'] }

/** Per-request rolegates over `Req` whose audit events are recorded. */
function setup(options: Partial<RequestRolegateOptions<typeof policy, Req>> = {}) {
  const events: AuditEvent[] = []
  const attach = requestRolegate(rg, {
    subject: (req: Req) => req.user,
    audit: (event) => void events.push(event),
    onError: () => {},
    ...options,
  })
  return { attach, events }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** An audit event as the tests expect it, with any duration. */
const event = (fields: Omit<AuditEvent, 'durationMs'>): AuditEvent => ({
  scope: undefined,
  ...fields,
  durationMs: expect.any(Number) as number,
})

describe("a handler's decisions through the request rolegate are audited, as a guard's are", () => {
  test('can, explain and assert each send the decision, allowed or not', async () => {
    const { attach, events } = setup()
    const state = attach({ user: viewer })
    expect(await state.can('invoices:read', { scope: 'team:1' })).toBe(true)
    expect((await state.explain('invoices:write')).reason).toBe('no-grant')
    await expect(state.assert('invoices:write')).rejects.toMatchObject({ status: 403 })
    await flush()
    const vera = { actor: 'vera', subject: 'vera' }
    expect(events).toEqual([
      event({
        ...vera,
        permissions: ['invoices:read'],
        scope: 'team:1',
        allowed: true,
        reason: 'granted',
      }),
      event({ ...vera, permissions: ['invoices:write'], allowed: false, reason: 'no-grant' }),
      event({ ...vera, permissions: ['invoices:write'], allowed: false, reason: 'no-grant' }),
    ])
  })

  test('without a subject: can is false, explain and assert reject with 401, all audited', async () => {
    const { attach, events } = setup()
    const state = attach({})
    expect(await state.can('invoices:read')).toBe(false)
    await expect(state.explain('invoices:read')).rejects.toMatchObject({ status: 401 })
    await expect(state.assert('invoices:read')).rejects.toMatchObject({ status: 401 })
    await flush()
    const nobody = { actor: undefined, subject: undefined, permissions: ['invoices:read'] }
    const refused = event({ ...nobody, allowed: false, reason: 'unauthenticated' })
    expect(events).toEqual([refused, refused, refused])
  })

  test('a backend that fails and a refused impersonation are audited with their reasons', async () => {
    const down = setup({
      resolve: () => Promise.reject(new BackendUnavailableError('The store did not answer.')),
    })
    await expect(down.attach({ user: viewer }).can('invoices:read')).rejects.toMatchObject({
      status: 503,
    })
    const acting = setup({
      impersonation: {
        permission: 'customers:impersonate',
        target: (req) => req.actAs,
        loadSubject: () => viewer,
      },
    })
    const refused = acting.attach({ user: { id: 'fin', roles: ['finance'] }, actAs: 'vera' })
    await expect(refused.assert('invoices:read')).rejects.toMatchObject({ status: 403 })
    await acting.attach({ user: support, actAs: 'vera' }).can('invoices:read')
    await flush()
    expect(down.events).toEqual([
      event({
        actor: undefined,
        subject: undefined,
        permissions: ['invoices:read'],
        allowed: false,
        reason: 'backend-unavailable',
      }),
    ])
    expect(acting.events).toEqual([
      // The refused impersonation names the permission the actor lacked, not the one asked.
      event({
        actor: 'fin',
        subject: undefined,
        permissions: ['customers:impersonate'],
        allowed: false,
        reason: 'no-grant',
      }),
      event({
        actor: 'sam',
        subject: 'vera',
        permissions: ['invoices:read'],
        allowed: true,
        reason: 'granted',
      }),
    ])
  })

  test('redact is not audited: it decides field by field', async () => {
    const { attach, events } = setup()
    expect(await attach({ user: viewer }).redact('invoices', { id: 'i1' })).toEqual({ id: 'i1' })
    await flush()
    expect(events).toEqual([])
  })
})
