/**
 * The five billing products' access-control models (shared/seeds), each expressed as a policy and
 * checked against what its page says. The example apps reproduce them end to end over HTTP.
 */
import { describe, expect, test } from 'vitest'
import { createRolegate } from './create-rolegate.js'
import { definePolicy } from './policy/define-policy.js'
import { memoryAssignmentStore } from './stores/memory-assignment-store.js'

const isSelf = (subject: { id: string }, user: unknown): boolean =>
  (user as { id?: unknown }).id === subject.id

describe('BillRun: four coarse roles, the most permissive applies, admin supersedes', () => {
  const policy = definePolicy({
    resources: ['operations', 'billing', 'crm', 'reports', 'config', 'users'],
    actions: { execute: ['read'], export: ['read'] },
    roles: {
      admin: { superuser: true },
      write: {
        grants: {
          operations: 'write',
          billing: ['write', 'execute'],
          crm: 'write',
          reports: 'read',
        },
      },
      read: { grants: { operations: 'read', billing: 'read', crm: 'read', reports: 'read' } },
      reports: { grants: { reports: ['read', 'export'] } },
    },
  })
  const rg = createRolegate({ policy })

  test.each([
    [['read'], 'billing:write', false],
    [['read', 'write'], 'billing:write', true],
    [['read', 'reports'], 'reports:export', true],
    [['reports'], 'operations:read', false],
    [['write'], 'config:read', false],
    [['write'], 'users:write', false],
    [['reports', 'admin'], 'config:write', true],
    [['admin'], 'users:write', true],
  ])('roles %j: %s → %s', (roles, permission, allowed) => {
    expect(rg.context({ id: 'u', roles }).can(permission as 'billing:write')).toBe(allowed)
  })

  test('a role change takes effect on the very next decision', async () => {
    const store = memoryAssignmentStore({ rolegate: rg })
    const decide = async (): Promise<boolean> =>
      rg.context({ id: 'u', roles: (await store.get('u'))?.roles ?? [] }).can('billing:execute')
    await store.assign('u', 'write')
    expect(await decide()).toBe(true)
    await store.revoke('u', 'write')
    expect(await decide()).toBe(false)
  })
})

describe('Amberflo: four fixed roles over two services with different levels', () => {
  const policy = definePolicy({
    resources: [
      'metering.meters',
      'metering.usage',
      'billing.plans',
      'billing.invoices',
      'members',
      'integrations',
    ],
    actions: { invite: [] },
    roles: {
      administrator: { grants: { '*': 'write', members: ['write', 'invite'] } },
      analyst: { grants: { metering: 'read', billing: 'read' } },
      developer: { grants: { metering: 'write' } },
      product_manager: { grants: { billing: 'write', metering: 'read' } },
    },
  })
  const rg = createRolegate({ policy })
  const matrix = {
    administrator: {
      'metering:write': true,
      'billing:write': true,
      'members:invite': true,
      'integrations:write': true,
    },
    analyst: {
      'metering:write': false,
      'metering:read': true,
      'billing:read': true,
      'billing:write': false,
      'members:invite': false,
    },
    developer: { 'metering:write': true, 'billing:read': false, 'members:invite': false },
    product_manager: {
      'billing:write': true,
      'metering:read': true,
      'metering:write': false,
      'members:invite': false,
    },
  } as const
  test.each(
    Object.entries(matrix).flatMap(([role, cells]) =>
      Object.entries(cells).map(([p, allowed]) => [role, p, allowed] as const),
    ),
  )('%s: %s → %s', (role, permission, allowed) => {
    expect(rg.context({ id: 'u', roles: [role] }).can(permission as 'metering:read')).toBe(allowed)
  })
})

describe('PortaBilling: a resource tree with Restrict / Read / Modify, role types, ACLs, acting for a customer', () => {
  const policy = definePolicy({
    resources: [
      'customer.personal_info.name',
      'customer.address_info.street',
      'customer.address_info.bcc',
      'customer.invoices',
      'account.services',
      'product',
    ],
    actions: { impersonate: [] },
    roles: {
      admin_full: {
        subjectTypes: ['admin'],
        grants: { customer: ['write', 'impersonate'], account: 'write', product: 'write' },
      },
      admin_no_bcc: {
        subjectTypes: ['admin'],
        grants: { customer: 'write', 'customer.address_info.bcc': 'none' },
      },
      customer_default: {
        subjectTypes: ['customer'],
        grants: {
          customer: 'read',
          'customer.address_info': 'write',
          'customer.address_info.bcc': 'none',
        },
      },
      customer_custom: {
        subjectTypes: ['customer'],
        grants: { customer: 'write', 'customer.invoices': 'read' },
      },
      account_owner: { subjectTypes: ['account'], grants: { 'account.services': 'write' } },
    },
  })
  const rg = createRolegate({ policy })

  test('lower nodes inherit from higher ones; Restrict on one item hides only that item', () => {
    const ctx = rg.context({ id: 'a', type: 'admin', roles: ['admin_no_bcc'] })
    expect(ctx.can('customer.address_info.street:write')).toBe(true)
    expect(ctx.explain('customer.address_info.bcc:read')).toMatchObject({
      allowed: false,
      reason: 'restricted',
      role: 'admin_no_bcc',
    })
    expect(
      ctx.redact('customer', { address_info: { street: 'x', bcc: 'y' }, invoices: [] }),
    ).toEqual({ address_info: { street: 'x' }, invoices: [] })
  })

  test('a role of another type cannot be used', () => {
    const ctx = rg.context({ id: 'c', type: 'customer', roles: ['admin_full'] })
    expect(ctx.can('customer:read')).toBe(false)
    expect(ctx.roles().dropped).toEqual([{ role: 'admin_full', reason: 'subject-type' }])
  })

  test('direct ACL grants apply beside roles', () => {
    const ctx = rg.context({
      id: 'a',
      type: 'account',
      roles: ['account_owner'],
      grants: { product: 'read' },
    })
    expect(ctx.can('product:read')).toBe(true)
    expect(ctx.can('product:write')).toBe(false)
  })

  test('an administrator acts for a customer with its custom role or the default role', () => {
    const admin = rg.context({ id: 'adm', type: 'admin', roles: ['admin_full'] })
    const customer = { id: 'cust', type: 'customer', roles: ['customer_custom'] }
    const custom = rg.impersonate(admin, customer, { permission: 'customer:impersonate' })
    const asDefault = rg.impersonate(admin, customer, {
      permission: 'customer:impersonate',
      role: 'customer_default',
    })
    expect([
      custom.can('customer.personal_info:write'),
      asDefault.can('customer.personal_info:write'),
    ]).toEqual([true, false])
    expect([custom.actor.id, asDefault.actor.id]).toEqual(['adm', 'adm'])
  })
})

describe('Billy: roles per team, Read-Only is not purely read, everyone edits their own profile', () => {
  const policy = definePolicy({
    resources: [
      'projects.documents',
      'projects.contract_notes',
      'coverages',
      'directory',
      'settings.team',
      'settings.users',
      'requirements',
      'profile',
      'notifications.digest',
    ],
    actions: { upload: [], download: ['read'], receive: [] },
    roles: {
      admin: { grants: { '*': ['write', 'upload', 'download', 'receive'] } },
      standard: {
        grants: {
          projects: ['write', 'upload', 'download'],
          coverages: 'write',
          directory: 'write',
          notifications: 'receive',
        },
      },
      read_only: {
        grants: {
          projects: 'read',
          'projects.documents': ['read', 'upload', 'download'],
          coverages: 'write',
          directory: 'write',
        },
      },
      self: { grants: { profile: { actions: 'write', when: 'self' } } },
    },
    defaults: ['self'],
  })
  const rg = createRolegate({ policy, conditions: { self: isSelf } })
  const user = { id: 'u', scoped: { 'team:1': ['admin'], 'team:2': ['read_only'] } }

  test('one user is Admin on one team and Read-Only on another', () => {
    const ctx = rg.context(user)
    expect(ctx.can('settings.users:write', { scope: 'team:1' })).toBe(true)
    expect(ctx.can('settings.users:write', { scope: 'team:2' })).toBe(false)
    expect(ctx.can('projects:write', { scope: 'team:2' })).toBe(false)
  })

  test('Read-Only may view and upload documents and act fully on Coverages and Directory', () => {
    const ctx = rg.context(user)
    for (const permission of [
      'projects.documents:upload',
      'projects.documents:download',
      'coverages:write',
      'directory:write',
    ] as const) {
      expect(ctx.can(permission, { scope: 'team:2' })).toBe(true)
    }
    expect(ctx.can('projects.contract_notes:write', { scope: 'team:2' })).toBe(false)
  })

  test('everyone may change their own name and password, and only their own', () => {
    const ctx = rg.context({ id: 'nobody' })
    expect(ctx.can('profile:write', { resource: { id: 'nobody' } })).toBe(true)
    expect(ctx.can('profile:write', { resource: { id: 'u' } })).toBe(false)
  })

  test('the weekly digest goes only to members whose role allows it', () => {
    const members = [
      { id: 'a', scoped: { 'team:1': ['admin'] } },
      { id: 's', scoped: { 'team:1': ['standard'] } },
      { id: 'r', scoped: { 'team:1': ['read_only'] } },
      { id: 'x', scoped: { 'team:2': ['admin'] } },
    ]
    expect(
      rg.who('notifications.digest:receive', { scope: 'team:1', among: members }).map((m) => m.id),
    ).toEqual(['a', 's'])
  })
})

describe('billwerk: bundles of rights, Admin and ReadOnlyOperations stand alone, new users see nothing', () => {
  const policy = definePolicy({
    resources: ['company', 'user_accounts', 'webhooks', 'customers', 'kpi_charts', 'personal_data'],
    roles: {
      admin: {
        exclusive: true,
        grants: {
          company: 'write',
          user_accounts: 'write',
          webhooks: 'write',
          customers: 'write',
          kpi_charts: 'read',
        },
      },
      products: { grants: { company: 'read', customers: 'write' } },
      finance: { grants: { company: 'read', customers: 'read' } },
      read_only_operations: { exclusive: true, grants: { company: 'read', customers: 'read' } },
      reports: { grants: { company: 'read', kpi_charts: 'read' } },
      own_data: { grants: { personal_data: { actions: 'write', when: 'self' } } },
    },
    defaults: ['own_data'],
  })
  const rg = createRolegate({ policy, conditions: { self: isSelf } })

  test('roles combine freely, except Admin and ReadOnlyOperations', async () => {
    const store = memoryAssignmentStore({ rolegate: rg })
    await store.set('u1', { roles: ['products', 'finance', 'reports'], scoped: {} })
    await expect(store.assign('u1', 'admin')).rejects.toThrow(
      'role "admin" is exclusive and cannot be combined with "products"',
    )
    await expect(
      store.set('u2', { roles: ['read_only_operations', 'reports'], scoped: {} }),
    ).rejects.toThrow(
      'role "read_only_operations" is exclusive and cannot be combined with "reports"',
    )
    expect(rg.context({ id: 'u1', roles: ['products', 'reports'] }).can('kpi_charts:read')).toBe(
      true,
    )
  })

  test('admin is not a superuser in billwerk: KPI charts stay read-only', () => {
    expect(rg.context({ id: 'a', roles: ['admin'] }).can('kpi_charts:write')).toBe(false)
  })

  test('a new user has no rights except editing their own personal data', () => {
    const ctx = rg.context({ id: 'new' })
    expect(rg.policy.resources.filter((r) => ctx.can(`${r}:read` as 'company:read'))).toEqual([])
    expect(ctx.can('personal_data:write', { resource: { id: 'new' } })).toBe(true)
  })
})
