import { describe, expect, test } from 'vitest'
import { createRolegate } from './create-rolegate.js'
import { definePolicy } from './policy/define-policy.js'

const policy = definePolicy({
  resources: ['customers', 'invoices'],
  actions: { impersonate: [] },
  roles: {
    root: { superuser: true },
    support: { subjectTypes: ['admin'], grants: { customers: ['write', 'impersonate'] } },
    customer_default: { subjectTypes: ['customer'], grants: { invoices: 'read' } },
    customer_custom: { subjectTypes: ['customer'], grants: { invoices: 'write' } },
  },
})
const rg = createRolegate({ policy })
const admin = rg.context({ id: 'adm', type: 'admin', roles: ['support'] })
const customer = { id: 'cust', type: 'customer', roles: ['customer_custom'] }

describe('impersonation', () => {
  test('acts with the target’s own roles and keeps the real actor', () => {
    const ctx = rg.impersonate(admin, customer, { permission: 'customers:impersonate' })
    expect(ctx.subject.id).toBe('cust')
    expect(ctx.actor.id).toBe('adm')
    expect(ctx.impersonating).toBe(true)
    expect(ctx.can('invoices:write')).toBe(true)
    expect(ctx.can('customers:write')).toBe(false)
  })

  test('acts with a named default role instead', () => {
    const ctx = rg.impersonate(admin, customer, {
      permission: 'customers:impersonate',
      role: 'customer_default',
    })
    expect(ctx.roles().held).toEqual(['customer_default'])
    expect(ctx.can('invoices:read')).toBe(true)
    expect(ctx.can('invoices:write')).toBe(false)
  })

  test('a named role replaces the target’s roles and grants, not its id, type or attributes', () => {
    const owning = createRolegate({
      policy: {
        resources: ['accounts', 'customers', 'invoices'],
        actions: { impersonate: [] },
        roles: {
          support: { grants: { customers: ['read', 'impersonate'] } },
          customer_default: {
            subjectTypes: ['customer'],
            grants: { accounts: { actions: 'read', when: 'own' } },
          },
        },
      },
      conditions: {
        own: (subject, account) =>
          subject.attributes?.['accountId'] === (account as { id: string }).id,
      },
    })
    const actor = owning.context({ id: 'adm', roles: ['support'] })
    const target = {
      id: 'c1',
      type: 'customer',
      roles: ['support'],
      scoped: { 'team:1': ['support'] },
      grants: { invoices: 'write' },
      attributes: { accountId: 'A1' },
    }
    const ctx = owning.impersonate(actor, target, {
      permission: 'customers:impersonate',
      role: 'customer_default',
    })
    expect(ctx.subject).toEqual({
      id: 'c1',
      type: 'customer',
      roles: ['customer_default'],
      attributes: { accountId: 'A1' },
    })
    expect(ctx.explain('accounts:read', { resource: { id: 'A1' } })).toEqual({
      allowed: true,
      reason: 'granted',
      permission: 'accounts:read',
      role: 'customer_default',
      grant: { resource: 'accounts', value: { actions: 'read', when: 'own' }, direct: false },
    })
    expect(ctx.can('accounts:read', { resource: { id: 'A2' } })).toBe(false)
    expect(ctx.can('invoices:write')).toBe(false)
    expect(ctx.can('customers:read', { scope: 'team:1' })).toBe(false)
  })

  test('is refused without the permission, when chained, and towards a superuser', () => {
    const plain = rg.context({ id: 'p', type: 'customer', roles: ['customer_default'] })
    expect(() => rg.impersonate(plain, customer, { permission: 'customers:impersonate' })).toThrow(
      expect.objectContaining({
        status: 403,
        message: 'Permission "customers:impersonate" required to act on behalf of another subject.',
        decision: { allowed: false, reason: 'no-grant', permission: 'customers:impersonate' },
      }),
    )
    const acting = rg.impersonate(admin, customer, { permission: 'customers:impersonate' })
    expect(() => rg.impersonate(acting, customer, { permission: 'customers:impersonate' })).toThrow(
      'An impersonating actor cannot impersonate again.',
    )
    expect(() =>
      rg.impersonate(admin, { id: 'r', roles: ['root'] }, { permission: 'customers:impersonate' }),
    ).toThrow('Cannot act on behalf of a subject holding superuser role "root".')
  })

  test('is refused towards a superuser role held in any scope, unless the actor holds it there', () => {
    const teamRoot = { id: 'carol', scoped: { 'team:1': ['root'] } }
    expect(() => rg.impersonate(admin, teamRoot, { permission: 'customers:impersonate' })).toThrow(
      expect.objectContaining({
        status: 403,
        message:
          'Cannot act on behalf of a subject holding superuser role "root" in scope "team:1".',
      }),
    )
    const peer = rg.context({
      id: 'peer',
      type: 'admin',
      roles: ['support'],
      scoped: { 'team:1': ['root'] },
    })
    const ctx = rg.impersonate(peer, teamRoot, { permission: 'customers:impersonate' })
    expect(ctx.can('invoices:write', { scope: 'team:1' })).toBe(true)
    expect(ctx.can('invoices:write')).toBe(false)
  })

  test('decides under the policy of the actor’s context, e.g. one with roles created at run time', () => {
    const withCustom = createRolegate({
      policy: {
        ...policy,
        roles: {
          ...policy.roles,
          acme_admin: {
            subjectTypes: ['customer'],
            grants: { invoices: 'write', customers: 'read' },
          },
        },
      },
    })
    const actor = withCustom.context({ id: 'adm', type: 'admin', roles: ['support'] })
    const target = { id: 'acme', type: 'customer', roles: ['acme_admin'] }
    const ctx = rg.impersonate(actor as never, target, { permission: 'customers:impersonate' })
    expect(ctx.can('customers:read')).toBe(true)
    expect(ctx.roles().held).toEqual(['acme_admin'])
    const asRole = rg.impersonate(
      actor as never,
      { ...target, roles: [] },
      { permission: 'customers:impersonate', role: 'acme_admin' as 'root' },
    )
    expect(asRole.can('invoices:write')).toBe(true)
  })

  test('an unknown default role is a clear error', () => {
    expect(() =>
      rg.impersonate(admin, customer, {
        permission: 'customers:impersonate',
        role: 'nope' as 'root',
      }),
    ).toThrow('Unknown role "nope": the policy does not declare it')
  })
})
