import { describe, expectTypeOf, test } from 'vitest'
import { createRolegate } from '../create-rolegate.js'
import { definePolicy } from './define-policy.js'
import type { ActionOf, PermissionOf, PolicyInput, ResourceOf, RoleOf } from './types.js'

const policy = definePolicy({
  resources: ['customers.address.bcc', 'invoices'],
  actions: { export: ['read'] },
  roles: {
    admin: { superuser: true },
    finance: {
      inherits: ['reports'],
      grants: { invoices: 'write', 'customers.address': ['read', 'export'] },
    },
    reports: {},
  },
  defaults: ['reports'],
})
type P = typeof policy

describe('names are typed from the policy', () => {
  test('resources include implied parents and the root', () => {
    expectTypeOf<ResourceOf<P>>().toEqualTypeOf<
      '*' | 'customers' | 'customers.address' | 'customers.address.bcc' | 'invoices'
    >()
  })
  test('actions and roles', () => {
    expectTypeOf<ActionOf<P>>().toEqualTypeOf<'read' | 'write' | 'export'>()
    expectTypeOf<RoleOf<P>>().toEqualTypeOf<'admin' | 'finance' | 'reports'>()
  })
  test('permissions are resource:action', () => {
    expectTypeOf<'invoices:export'>().toExtend<PermissionOf<P>>()
    expectTypeOf<'invoice:read'>().not.toExtend<PermissionOf<P>>()
  })
  test('a misspelt permission or role is a compile error on a context', () => {
    const ctx = createRolegate({ policy }).context({ id: 'u' })
    ctx.can('invoices:write')
    // @ts-expect-error: misspelt resource
    ctx.can('invoice:write')
    // @ts-expect-error: unknown action
    ctx.explain('invoices:delete')
    // @ts-expect-error: unknown role
    ctx.hasRole('admn')
    ctx.redact('customers.address', {})
  })
  test('a misspelt name inside the policy itself is a compile error', () => {
    definePolicy({
      resources: ['invoices'],
      // @ts-expect-error: grant on an undeclared resource
      roles: { a: { grants: { invoice: 'read' } } },
    })
    definePolicy({
      resources: ['invoices'],
      // @ts-expect-error: unknown action in a grant
      roles: { a: { grants: { invoices: 'delete' } } },
    })
    definePolicy({
      resources: ['invoices'],
      roles: { a: {} },
      // @ts-expect-error: unknown role in defaults
      defaults: ['b'],
    })
  })
  test('an untyped policy (JSON, YAML) accepts any string', () => {
    expectTypeOf<PermissionOf<PolicyInput>>().toEqualTypeOf<string>()
    expectTypeOf<RoleOf<PolicyInput>>().toEqualTypeOf<string>()
    const loose = createRolegate({ policy: JSON.parse('{}') as PolicyInput })
    const permission: string = 'anything:goes'
    loose.context({ id: 'u' }).can(permission)
    loose.context({ id: 'u' }).hasRole(permission)
  })
})
