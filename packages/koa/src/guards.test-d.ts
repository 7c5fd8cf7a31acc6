import {
  createRolegate,
  definePolicy,
  memoryPolicyStore,
  memoryStore,
  type RequestRolegate,
} from '@rolegate/core'
import type { DefaultState, Middleware, ParameterizedContext } from 'koa'
import { expectTypeOf, test } from 'vitest'
import { redactFor, requirePermission, requireRole, rolegate, type GuardContext } from './index.js'

const policy = definePolicy({
  resources: ['invoices', 'reports', 'customers.address.bcc'],
  actions: { export: ['read'] },
  roles: {
    admin: { superuser: true },
    finance: { grants: { invoices: 'write', reports: ['read', 'export'] } },
  },
})
const rg = createRolegate({ policy })
const authz = rolegate(rg)

test('bound guards take only the names of the policy', () => {
  expectTypeOf(authz.requirePermission('invoices:read')).toEqualTypeOf<Middleware>()
  authz.requirePermission(['invoices:write', 'reports:export'], { mode: 'any' })
  // @ts-expect-error a misspelt resource
  authz.requirePermission('invocies:read')
  // @ts-expect-error an action the policy does not declare
  authz.requirePermission('invoices:delete')
  // @ts-expect-error one misspelt name in a list
  authz.requirePermission(['invoices:read', 'reports:exprot'])
  // @ts-expect-error mode is 'all' or 'any'
  authz.requirePermission('invoices:read', { mode: 'some' })
  authz.requireRole(['admin', 'finance'])
  // @ts-expect-error a misspelt role
  authz.requireRole('amdin')
  authz.redactFor('customers.address')
  // @ts-expect-error a resource the policy does not declare
  authz.redactFor('customer')
})

test('free guards are typed by the rolegate they are given', () => {
  requirePermission('reports:export', { rolegate: rg })
  // @ts-expect-error a misspelt permission
  requirePermission('reports:exprot', { rolegate: rg })
  requireRole('finance', { rolegate: rg })
  // @ts-expect-error a misspelt role
  requireRole('finace', { rolegate: rg })
  redactFor('customers', { rolegate: rg })
  // @ts-expect-error a misspelt resource
  redactFor('costumers', { rolegate: rg })
})

test('a policy store types names as its rolegate does', () => {
  const policies = memoryPolicyStore({ policy })
  rolegate(policies).requirePermission('reports:export')
  // @ts-expect-error a misspelt permission
  rolegate(policies).requirePermission('reports:exprot')
  requireRole('finance', { rolegate: policies })
  // @ts-expect-error a misspelt role
  requireRole('finace', { rolegate: policies })
})

test('a whole store types names as its rolegate does', () => {
  const store = memoryStore({ policy })
  rolegate(store).requireRole('finance')
  // @ts-expect-error a misspelt role
  rolegate(store).requireRole('finace')
  // @ts-expect-error a misspelt permission
  requirePermission('reports:exprot', { rolegate: store })
})

test('free guards without a rolegate take any name: it is checked on first use', () => {
  expectTypeOf(requirePermission).parameter(0).toEqualTypeOf<string | readonly string[]>()
  expectTypeOf(requireRole).parameter(0).toEqualTypeOf<string | readonly string[]>()
})

test('options are functions of the Koa context with router params', () => {
  authz.requirePermission('invoices:read', {
    scope: (ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<GuardContext>()
      return `team:${ctx.params.team ?? ''}`
    },
    resource: async (ctx) => Promise.resolve(ctx.params.id),
  })
  // @ts-expect-error a scope is a string
  authz.requireRole('admin', { scope: 42 })
})

test('ctx.state.rolegate is attached by augmentation; authz.of(ctx) is typed by the policy', () => {
  expectTypeOf<DefaultState['rolegate']>().toEqualTypeOf<RequestRolegate>()
  expectTypeOf<ReturnType<typeof authz.of>>().toEqualTypeOf<RequestRolegate<typeof policy>>()
  const ctx = {} as ParameterizedContext
  void authz.of(ctx).can('reports:export')
  // @ts-expect-error a misspelt permission
  void authz.of(ctx).can('reports:exprot')
})
