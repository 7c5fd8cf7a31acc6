import { describe, expect, test } from 'vitest'
import { createRolegate } from './create-rolegate.js'
import { definePolicy } from './policy/define-policy.js'

const policy = definePolicy({
  resources: [
    'customers.address.street',
    'customers.address.bcc',
    'invoices',
    'reports',
    'profile',
    'templates',
  ],
  actions: { export: ['read'], upload: [] },
  roles: {
    admin: { superuser: true, exclusive: true },
    reports: { grants: { reports: ['read', 'export'] } },
    finance: {
      inherits: ['reports'],
      subjectTypes: ['staff'],
      grants: { invoices: 'write', customers: 'read', 'customers.address.bcc': 'none' },
    },
    support: { grants: { customers: 'write', 'customers.address.bcc': 'none', invoices: 'read' } },
    templates: { grants: { templates: 'write' } },
    uploader: { grants: { invoices: 'upload' } },
    self_service: { grants: { profile: { actions: 'write', when: 'self' } } },
    wide_reader: { grants: { '*': 'read' } },
  },
  conflicts: [['finance', 'templates']],
  defaults: ['self_service'],
})

const rg = createRolegate({
  policy,
  conditions: { self: (subject, profile) => (profile as { id?: unknown }).id === subject.id },
})

describe('decisions follow DESIGN.md', () => {
  test('nothing is allowed by default: a subject with no roles only has the default roles', () => {
    const ctx = rg.context({ id: 'u1' })
    expect(ctx.explain('invoices:read')).toEqual({
      allowed: false,
      reason: 'no-grant',
      permission: 'invoices:read',
    })
    expect(ctx.roles()).toEqual({
      held: [],
      inForce: ['self_service'],
      dropped: [],
      conflict: undefined,
    })
  })

  test('a granted action names the role and the grant that allowed it', () => {
    const ctx = rg.context({ id: 'u1', type: 'staff', roles: ['finance'] })
    expect(ctx.explain('invoices:write')).toEqual({
      allowed: true,
      reason: 'granted',
      permission: 'invoices:write',
      role: 'finance',
      grant: { resource: 'invoices', value: 'write', direct: false },
    })
  })

  test('write implies read, and a declared action implies what it lists', () => {
    const ctx = rg.context({ id: 'u1', type: 'staff', roles: ['finance'] })
    expect(ctx.can('invoices:read')).toBe(true)
    expect(ctx.explain('reports:read')).toMatchObject({ allowed: true, role: 'reports' })
    expect(rg.context({ id: 'u2', roles: ['uploader'] }).can('invoices:read')).toBe(false)
    expect(rg.context({ id: 'u2', roles: ['uploader'] }).can('invoices:upload')).toBe(true)
  })

  test('a grant on a parent covers its children; the most specific grant wins inside a role', () => {
    const ctx = rg.context({ id: 'u1', roles: ['support'] })
    expect(ctx.can('customers.address.street:write')).toBe(true)
    expect(ctx.explain('customers.address.bcc:read')).toEqual({
      allowed: false,
      reason: 'restricted',
      permission: 'customers.address.bcc:read',
      role: 'support',
      grant: { resource: 'customers.address.bcc', value: 'none', direct: false },
    })
  })

  test('a restriction applies only inside its own role: the most permissive role applies', () => {
    const ctx = rg.context({ id: 'u1', roles: ['support', 'wide_reader'] })
    expect(ctx.explain('customers.address.bcc:read')).toEqual({
      allowed: true,
      reason: 'granted',
      permission: 'customers.address.bcc:read',
      role: 'wide_reader',
      grant: { resource: '*', value: 'read', direct: false },
    })
    expect(ctx.can('customers.address.bcc:write')).toBe(false)
  })

  test('superuser allows everything declared, including declared actions', () => {
    const ctx = rg.context({ id: 'root', roles: ['admin'] })
    expect(ctx.explain('templates:upload')).toEqual({
      allowed: true,
      reason: 'superuser',
      permission: 'templates:upload',
      role: 'admin',
    })
  })

  test('an exclusive role held with another role denies everything, superuser included', () => {
    const ctx = rg.context({ id: 'x', roles: ['admin', 'reports'] })
    expect(ctx.explain('reports:read')).toEqual({
      allowed: false,
      reason: 'exclusive-conflict',
      permission: 'reports:read',
      role: 'admin',
      conflict: { kind: 'exclusive', roles: ['admin', 'reports'] },
    })
    expect(ctx.can('invoices:read')).toBe(false)
    expect(ctx.hasRole('admin')).toBe(false)
  })

  test('an exclusive role with only default roles beside it is not a conflict', () => {
    expect(rg.context({ id: 'root', roles: ['admin'] }).roles().conflict).toBeUndefined()
  })

  test('an inherited exclusive role names as its partner the held role that does not bring it', () => {
    const inherited = createRolegate({
      policy: definePolicy({
        resources: ['a', 'b'],
        roles: {
          ro: { exclusive: true, grants: { a: 'read' } },
          ops: { inherits: ['ro'], grants: { b: 'write' } },
          other: { grants: { b: 'read' } },
        },
      }),
    })
    expect(inherited.context({ id: 'x', roles: ['ops', 'other'] }).explain('b:read')).toEqual({
      allowed: false,
      reason: 'exclusive-conflict',
      permission: 'b:read',
      role: 'ro',
      conflict: { kind: 'exclusive', roles: ['ro', 'other'] },
    })
    // Held beside a role that brings it, the exclusive role has no other partner to name.
    expect(inherited.context({ id: 'x', roles: ['ro', 'ops'] }).roles().conflict).toEqual({
      kind: 'exclusive',
      roles: ['ro', 'ops'],
    })
  })

  test('a conflicting pair denies everything, also when one side is inherited', () => {
    const ctx = rg.context({ id: 'x', type: 'staff', roles: ['finance', 'templates'] })
    expect(ctx.explain('templates:read')).toMatchObject({
      allowed: false,
      reason: 'exclusive-conflict',
      conflict: { kind: 'conflict', roles: ['finance', 'templates'] },
    })
  })

  test('roles whose subject types exclude the subject are dropped and reported', () => {
    const ctx = rg.context({ id: 'c1', type: 'customer', roles: ['finance'] })
    expect(ctx.can('invoices:read')).toBe(false)
    expect(ctx.roles()).toEqual({
      held: [],
      inForce: ['self_service'],
      dropped: [{ role: 'finance', reason: 'subject-type' }],
      conflict: undefined,
    })
    expect(rg.context({ id: 'c2', roles: ['finance'] }).roles().dropped).toEqual([
      { role: 'finance', reason: 'subject-type' },
    ])
  })

  test('dropped lists held, inherited and default roles the subject type excludes, each once', () => {
    const typed = createRolegate({
      policy: definePolicy({
        resources: ['a'],
        roles: {
          staff_tools: { subjectTypes: ['staff'], grants: { a: 'read' } },
          me: { subjectTypes: ['user'], grants: { a: 'read' } },
          ops: { inherits: ['staff_tools'] },
          dev: { inherits: ['staff_tools'] },
        },
        defaults: ['me', 'staff_tools'],
      }),
    })
    const ctx = typed.context({ id: 'u', type: 'user', roles: ['ghost', 'ops', 'dev', 'ghost'] })
    expect(ctx.roles()).toEqual({
      held: ['ops', 'dev'],
      inForce: ['me', 'ops', 'dev'],
      dropped: [
        { role: 'ghost', reason: 'unknown-role' },
        { role: 'staff_tools', reason: 'subject-type' },
      ],
      conflict: undefined,
    })
    expect(typed.context({ id: 's', type: 'service' }).roles().dropped).toEqual([
      { role: 'staff_tools', reason: 'subject-type' },
      { role: 'me', reason: 'subject-type' },
    ])
  })

  test('unknown role names on a subject are ignored and reported', () => {
    const ctx = rg.context({ id: 'u', roles: ['ghost', 'reports'] })
    expect(ctx.roles()).toEqual({
      held: ['reports'],
      inForce: ['reports', 'self_service'],
      dropped: [{ role: 'ghost', reason: 'unknown-role' }],
      conflict: undefined,
    })
  })

  test('scoped roles apply only in their scope; global roles apply everywhere', () => {
    const ctx = rg.context({ id: 'u', roles: ['reports'], scoped: { 'team:1': ['support'] } })
    expect(ctx.can('customers:write', { scope: 'team:1' })).toBe(true)
    expect(ctx.can('customers:write', { scope: 'team:2' })).toBe(false)
    expect(ctx.can('customers:write')).toBe(false)
    expect(ctx.can('reports:export', { scope: 'team:2' })).toBe(true)
    expect(ctx.hasRole('support', { scope: 'team:1' })).toBe(true)
    expect(ctx.hasRole('support')).toBe(false)
    expect(ctx.explain('customers:write', { scope: 'team:1' })).toMatchObject({
      scope: 'team:1',
      role: 'support',
    })
  })

  test('a conditional grant counts only when its condition holds for the given instance', () => {
    const ctx = rg.context({ id: 'u1' })
    expect(ctx.explain('profile:write')).toEqual({
      allowed: false,
      reason: 'condition-needs-resource',
      permission: 'profile:write',
      role: 'self_service',
      grant: { resource: 'profile', value: { actions: 'write', when: 'self' }, direct: false },
    })
    expect(ctx.explain('profile:write', { resource: { id: 'u1' } })).toEqual({
      allowed: true,
      reason: 'granted',
      permission: 'profile:write',
      role: 'self_service',
      grant: { resource: 'profile', value: { actions: 'write', when: 'self' }, direct: false },
    })
    expect(ctx.explain('profile:write', { resource: { id: 'u2' } })).toMatchObject({
      allowed: false,
      reason: 'condition-failed',
      role: 'self_service',
    })
  })

  test('a condition that throws or returns something other than true does not count', () => {
    const throwing = createRolegate({
      policy,
      conditions: {
        self: () => {
          throw new Error('boom')
        },
      },
    })
    expect(throwing.context({ id: 'u1' }).can('profile:write', { resource: { id: 'u1' } })).toBe(
      false,
    )
    const truthy = createRolegate({
      policy,
      conditions: { self: () => Promise.resolve(true) as unknown as boolean },
    })
    expect(truthy.context({ id: 'u1' }).can('profile:write', { resource: { id: 'u1' } })).toBe(
      false,
    )
  })

  test('a permission that is not a string is denied as an unknown resource, never thrown', () => {
    const ctx = rg.context({ id: 'root', roles: ['admin'] })
    const loose = ctx as unknown as {
      explain(p: unknown, o?: object): unknown
      can(p: unknown): boolean
      assert(p: unknown): void
    }
    const hostile = {
      toString(): string {
        throw new Error('called')
      },
    }
    const cases: [unknown, string][] = [
      [undefined, 'undefined'],
      [null, 'null'],
      [42, '42'],
      [['invoices:read'], '[object]'],
      [hostile, '[object]'],
      [() => 'invoices:read', '[function]'],
    ]
    for (const [permission, named] of cases) {
      expect(loose.explain(permission)).toEqual({
        allowed: false,
        reason: 'unknown-resource',
        permission: named,
      })
      expect(loose.can(permission)).toBe(false)
    }
    expect(loose.explain(undefined, { scope: 'team:1' })).toEqual({
      allowed: false,
      reason: 'unknown-resource',
      permission: 'undefined',
      scope: 'team:1',
    })
    expect(() => loose.assert(undefined)).toThrow(
      expect.objectContaining({ code: 'ERR_ROLEGATE_FORBIDDEN', status: 403 }),
    )
  })

  test('unknown resources and actions are denied with their own reasons', () => {
    const ctx = rg.context({ id: 'root', roles: ['admin'] })
    const loose = ctx as unknown as { explain(p: string): unknown; can(p: string): boolean }
    expect(loose.explain('payments:read')).toEqual({
      allowed: false,
      reason: 'unknown-resource',
      permission: 'payments:read',
    })
    expect(loose.explain('invoices:delete')).toEqual({
      allowed: false,
      reason: 'unknown-action',
      permission: 'invoices:delete',
    })
    expect(loose.explain('invoices')).toEqual({
      allowed: false,
      reason: 'unknown-action',
      permission: 'invoices',
    })
    expect(loose.can('payments:read')).toBe(false)
  })

  test('direct grants (ACLs) apply beside roles and are named as direct', () => {
    const ctx = rg.context({
      id: 'u',
      grants: { 'customers.address': 'read', invoices: 'teleport' as 'read' },
    })
    expect(ctx.explain('customers.address.street:read')).toEqual({
      allowed: true,
      reason: 'granted',
      permission: 'customers.address.street:read',
      grant: { resource: 'customers.address', value: 'read', direct: true },
    })
    expect(ctx.can('invoices:read')).toBe(false)
  })

  test('a conditional direct grant counts when its condition holds, as in a role', () => {
    const value = { actions: 'write', when: 'self' } as const
    const ctx = rg.context({ id: 'u1', grants: { invoices: value } })
    const grant = { resource: 'invoices', value, direct: true }
    expect(ctx.explain('invoices:write', { resource: { id: 'u1' } })).toEqual({
      allowed: true,
      reason: 'granted',
      permission: 'invoices:write',
      grant,
    })
    expect(ctx.can('invoices:read', { resource: { id: 'u1' } })).toBe(true)
    expect(ctx.explain('invoices:write', { resource: { id: 'u2' } })).toEqual({
      allowed: false,
      reason: 'condition-failed',
      permission: 'invoices:write',
      grant,
    })
    expect(ctx.explain('invoices:write')).toEqual({
      allowed: false,
      reason: 'condition-needs-resource',
      permission: 'invoices:write',
      grant,
    })
    // A condition the rolegate has no function for, or a conditional "none", grants nothing.
    const unknown = rg.context({
      id: 'u1',
      grants: {
        invoices: { actions: 'write', when: 'owner' },
        reports: { actions: 'none' as 'read', when: 'self' },
      },
    })
    expect(unknown.explain('invoices:write', { resource: { id: 'u1' } })).toEqual({
      allowed: false,
      reason: 'no-grant',
      permission: 'invoices:write',
    })
    expect(unknown.can('reports:read', { resource: { id: 'u1' } })).toBe(false)
  })

  test('assert throws a ForbiddenError with status 403 and the explanation', () => {
    const ctx = rg.context({ id: 'u1' })
    expect(() => ctx.assert('invoices:write')).toThrow(
      expect.objectContaining({
        code: 'ERR_ROLEGATE_FORBIDDEN',
        status: 403,
        decision: { allowed: false, reason: 'no-grant', permission: 'invoices:write' },
        problem: {
          type: 'urn:rolegate:problem:forbidden',
          title: 'Forbidden',
          status: 403,
          detail: 'Permission "invoices:write" required.',
          permission: 'invoices:write',
          reason: 'no-grant',
        },
      }),
    )
    expect(() =>
      rg.context({ id: 'root', roles: ['admin'] }).assert('invoices:write'),
    ).not.toThrow()
  })

  test('who lists the subjects that may do it', () => {
    const among = [
      { id: 'a', roles: ['reports'] },
      { id: 'b', roles: ['support'] },
      { id: 'c', roles: ['admin'] },
      { id: 'd', scoped: { 'team:1': ['reports'] } },
    ]
    expect(rg.who('reports:read', { among }).map((s) => s.id)).toEqual(['a', 'c'])
    expect(rg.who('reports:read', { among, scope: 'team:1' }).map((s) => s.id)).toEqual([
      'a',
      'c',
      'd',
    ])
  })
})

describe('hostile names neither throw nor allow', () => {
  const hostile = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '']
  test.each(hostile)('role name %j', (name) => {
    const ctx = rg.context({
      id: 'h',
      roles: [name],
      scoped: JSON.parse(
        `{"__proto__": ["admin"], ${JSON.stringify(name || 'x')}: ["admin"]}`,
      ) as Record<string, string[]>,
    })
    expect(ctx.can('invoices:read')).toBe(false)
    expect(ctx.roles().dropped).toEqual([{ role: name, reason: 'unknown-role' }])
  })
  test.each(hostile)('scope, resource and action %j', (name) => {
    const ctx = rg.context({ id: 'root', roles: ['reports'] }) as unknown as {
      can(p: string, o?: object): boolean
      explain(p: string): { allowed: boolean }
    }
    expect(ctx.can(`${name}:read`)).toBe(false)
    expect(ctx.can(`reports:${name}`)).toBe(false)
    expect(ctx.can('reports:read', { scope: name })).toBe(true)
    expect(ctx.explain(`${name}:${name}`).allowed).toBe(false)
  })
  test('a scoped __proto__ key from JSON is data, not a prototype', () => {
    const ctx = rg.context({
      id: 'h',
      scoped: JSON.parse('{"__proto__": ["support"]}') as Record<string, string[]>,
    })
    expect(ctx.can('customers:write', { scope: '__proto__' })).toBe(true)
    expect(ctx.can('customers:write', { scope: 'team:1' })).toBe(false)
  })
  test('non-string role names are ignored; a malformed subject is a clear TypeError', () => {
    const ctx = rg.context({ id: 'h', roles: [42, null, 'reports'] as unknown as string[] })
    expect(ctx.roles().held).toEqual(['reports'])
    expect(() => rg.context({ id: '' })).toThrow(
      expect.objectContaining({
        code: 'ERR_ROLEGATE_INVALID_SUBJECT',
        message: 'Invalid subject: "id" must be a non-empty string',
      }),
    )
    expect(() => rg.context({ id: 'x', roles: 'admin' as unknown as string[] })).toThrow(
      'Invalid subject: "roles" must be a list of role names',
    )
    expect(() => rg.context(null as unknown as { id: string })).toThrow(
      'Invalid subject: expected an object with an "id"',
    )
  })
})

describe("createRolegate's options", () => {
  const minimal = { resources: ['a'], roles: { r: { grants: { a: 'read' } } } } as const
  const refused = (message: string) =>
    expect.objectContaining({ code: 'ERR_ROLEGATE_INVALID_ARGUMENT', message }) as Error

  test('what is not options, conditions or a cache size is refused by name', () => {
    const create = createRolegate as (options: unknown) => unknown
    expect(() => create(undefined)).toThrow(refused('createRolegate takes { policy, conditions? }'))
    expect(() => create({ policy: minimal, conditions: ['self'] })).toThrow(
      refused('conditions must map names to functions'),
    )
    expect(() => create({ policy: minimal, conditions: { self: true } })).toThrow(
      refused('conditions.self must be a function'),
    )
    for (const size of [0, -1, 1.5, Number.NaN, Infinity, '100'])
      expect(() => create({ policy: minimal, roleSetCacheSize: size })).toThrow(
        refused('roleSetCacheSize must be a whole number of role combinations, 1 or more'),
      )
  })

  test('a cache of one role combination still decides every subject', () => {
    const rg = createRolegate({ policy: minimal, roleSetCacheSize: 1 })
    expect(rg.context({ id: 'u1', roles: ['r'] }).can('a:read')).toBe(true)
    expect(rg.context({ id: 'u2' }).can('a:read')).toBe(false)
    expect(rg.context({ id: 'u1', roles: ['r'] }).can('a:read')).toBe(true)
  })
})
