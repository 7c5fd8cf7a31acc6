import {
  contextResolver,
  definePolicy,
  type AssignmentStore,
  type PolicyChange,
  type PolicyStore,
  type RoleInput,
} from '@rolegate/core'
import { describe, expect, test, vi } from 'vitest'

/** The code policy of the contract: custom roles are added to it. */
export const policy = definePolicy({
  resources: ['invoices', 'customers.address'],
  actions: { export: ['read'] },
  roles: {
    admin: { superuser: true, exclusive: true },
    viewer: { grants: { invoices: 'read' } },
  },
})

/** A fresh policy store over {@link policy}, and an assignment store that enforces it. */
export type MakeStores = (onChange: (change: PolicyChange) => void) => {
  readonly policies: PolicyStore<typeof policy>
  readonly assignments: AssignmentStore
}

const clerk: RoleInput = { description: 'Billing clerk', grants: { invoices: ['read', 'export'] } }

/** What every {@link PolicyStore} must do alike, in one instance, run against each store. */
export function describePolicyStore(name: string, makeStores: MakeStores): void {
  function setup() {
    const changes: PolicyChange[] = []
    return { ...makeStores((change) => changes.push(change)), changes }
  }

  const can = (store: PolicyStore<typeof policy>, role: string, permission: string) =>
    store
      .current()
      .context({ id: 'u', roles: [role] })
      .can(permission as 'invoices:read')

  describe(`${name}: the PolicyStore contract`, () => {
    test('create, update and delete a custom role: compiled at once, counted, told', async () => {
      const { policies, changes } = setup()
      expect(policies.revision).toBe(0)
      expect(await policies.refresh()).toBe(policies.current())
      expect(await policies.createRole('clerk', clerk)).toBe(1)
      expect(can(policies, 'clerk', 'invoices:export')).toBe(true)
      expect(policies.customRoles()).toEqual({ clerk })
      expect(policies.policy).toBe(policies.current().policy)
      const compiled = policies.current()
      expect(await policies.refresh()).toBe(compiled)
      expect(await policies.updateRole('clerk', { grants: { invoices: 'write' } })).toBe(2)
      expect(can(policies, 'clerk', 'invoices:write')).toBe(true)
      expect(await policies.deleteRole('clerk')).toBe(3)
      expect(can(policies, 'clerk', 'invoices:read')).toBe(false)
      expect(policies.customRoles()).toEqual({})
      expect(changes).toEqual([
        { kind: 'create', role: 'clerk', revision: 1 },
        { kind: 'update', role: 'clerk', revision: 2 },
        { kind: 'delete', role: 'clerk', revision: 3 },
      ])
    })

    test('watch hears every change until it is removed', async () => {
      const { policies } = setup()
      const heard: PolicyChange[] = []
      const stop = policies.watch((change) => heard.push(change))
      await policies.createRole('clerk', clerk)
      stop()
      await policies.deleteRole('clerk')
      expect(heard).toEqual([{ kind: 'create', role: 'clerk', revision: 1 }])
    })

    test('a listener that throws is reported, and neither fails the change nor silences the others', async () => {
      const broken = new Error('audit log is down')
      const { policies } = makeStores(() => {
        throw broken
      })
      const brokenWatcher = new Error('watcher bug')
      const heard: PolicyChange[] = []
      policies.watch(() => {
        throw brokenWatcher
      })
      policies.watch((change) => heard.push(change))
      const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      try {
        expect(await policies.createRole('clerk', clerk)).toBe(1)
        expect(consoleError.mock.calls).toEqual([[brokenWatcher], [broken]])
      } finally {
        consoleError.mockRestore()
      }
      expect(heard).toEqual([{ kind: 'create', role: 'clerk', revision: 1 }])
      expect(can(policies, 'clerk', 'invoices:export')).toBe(true)
    })

    test('a custom role is validated like a policy file, every problem listed', async () => {
      const { policies } = setup()
      await expect(
        policies.createRole('clerk', {
          grants: { payments: 'read', invoices: 'approve' },
          inherits: ['nobody'],
        }),
      ).rejects.toMatchObject({
        code: 'ERR_ROLEGATE_POLICY_INVALID',
        message: [
          'Invalid rolegate policy (3 problems):',
          '  - policy.roles.clerk.inherits[0]: unknown role "nobody"',
          '  - policy.roles.clerk.grants.payments: unknown resource "payments"',
          '  - policy.roles.clerk.grants.invoices: unknown action or level "approve"',
        ].join('\n'),
      })
      expect(await policies.refresh()).toBe(policies.current())
      expect(policies.revision).toBe(0)
    })

    test('a custom role JSON cannot write is refused naming the role, not thrown as a TypeError', async () => {
      const { policies } = setup()
      const cycle: Record<string, unknown> = {}
      cycle['self'] = cycle
      await expect(
        policies.createRole('clerk', { grants: { invoices: 1n } } as never),
      ).rejects.toMatchObject({
        code: 'ERR_ROLEGATE_POLICY_INVALID',
        problems: [
          {
            path: 'policy.roles.clerk',
            message: 'is not plain JSON data: Do not know how to serialize a BigInt',
          },
        ],
      })
      await expect(policies.createRole('clerk', cycle as never)).rejects.toMatchObject({
        code: 'ERR_ROLEGATE_POLICY_INVALID',
        problems: [
          {
            path: 'policy.roles.clerk',
            message: 'is not plain JSON data: Converting circular structure to JSON',
          },
        ],
      })
      expect(policies.revision).toBe(0)
    })

    test('a custom role cannot replace, change or delete a role from code', async () => {
      const { policies } = setup()
      await expect(policies.createRole('viewer', clerk)).rejects.toThrow(
        'Invalid rolegate policy (1 problem):\n  - policy.roles.viewer: role "viewer" already exists',
      )
      await expect(policies.updateRole('admin', clerk)).rejects.toThrow(
        'policy.roles.admin: role "admin" is defined in code and cannot be changed at run time',
      )
      await expect(policies.deleteRole('admin')).rejects.toThrow(
        'policy.roles.admin: role "admin" is defined in code and cannot be changed at run time',
      )
      await expect(policies.updateRole('ghost', clerk)).rejects.toMatchObject({
        code: 'ERR_ROLEGATE_UNKNOWN_ROLE',
        message: 'Unknown role "ghost" in the custom roles: the policy does not declare it',
      })
      await expect(policies.createRole(42 as unknown as string, clerk)).rejects.toMatchObject({
        code: 'ERR_ROLEGATE_INVALID_ARGUMENT',
        message: 'a role name must be a string',
      })
    })

    test('a held role cannot be deleted; once revoked everywhere it can', async () => {
      const { policies, assignments } = setup()
      await policies.createRole('clerk', clerk)
      await assignments.assign('u1', 'clerk')
      await assignments.assign('u2', 'clerk', { scope: 'team:7' })
      await expect(policies.deleteRole('clerk')).rejects.toThrow(
        'policy.roles.clerk: role "clerk" is still assigned; revoke it first: held by "u1", "u2" in "team:7"',
      )
      await assignments.revoke('u1', 'clerk')
      await assignments.revoke('u2', 'clerk', { scope: 'team:7' })
      expect(await policies.deleteRole('clerk')).toBe(2)
    })

    test('a role another custom role inherits cannot be deleted', async () => {
      const { policies } = setup()
      await policies.createRole('clerk', clerk)
      await policies.createRole('senior_clerk', { inherits: ['clerk'] })
      await expect(policies.deleteRole('clerk')).rejects.toThrow(
        'policy.roles.senior_clerk.inherits[0]: unknown role "clerk"',
      )
    })

    test('the assignment store and the context resolver follow the custom roles', async () => {
      const { policies, assignments } = setup()
      await expect(assignments.assign('u', 'auditor')).rejects.toThrow('unknown role "auditor"')
      await policies.createRole('auditor', { exclusive: true, grants: { invoices: 'read' } })
      await assignments.assign('u', 'auditor')
      await expect(assignments.assign('u', 'viewer')).rejects.toThrow(
        'role "auditor" is exclusive and cannot be combined with "viewer" globally',
      )
      const resolve = contextResolver({ rolegate: policies, store: assignments })
      expect((await resolve({ id: 'u' })).can('invoices:read')).toBe(true)
      await policies.updateRole('auditor', { grants: { invoices: 'none' } })
      expect((await resolve({ id: 'u' })).can('invoices:read')).toBe(false)
    })
  })
}
