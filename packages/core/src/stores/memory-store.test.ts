import { describe, expect, test } from 'vitest'
import { definePolicy } from '../policy/define-policy.js'
import type { AssignmentChange } from './types.js'
import type { PolicyChange } from './policy-store.js'
import { memoryStore } from './memory-store.js'

const policy = definePolicy({
  resources: ['invoices'],
  roles: { viewer: { grants: { invoices: 'read' } } },
})

describe('memoryStore', () => {
  test('wires assignments, custom roles and the resolver together, and tells both listeners', async () => {
    const changes: (AssignmentChange | PolicyChange)[] = []
    const store = memoryStore({
      policy,
      onChange: (change) => changes.push(change),
      onPolicyChange: (change) => changes.push(change),
    })
    await store.ready()
    await store.policies.createRole('clerk', { grants: { invoices: 'write' } })
    await store.assignments.assign('u1', 'clerk')
    expect((await store.resolve({ id: 'u1' })).can('invoices:write')).toBe(true)
    expect(store.current()).toBe(store.policies.current())
    await expect(store.policies.deleteRole('clerk')).rejects.toThrow(
      'policy.roles.clerk: role "clerk" is still assigned; revoke it first: held by "u1"',
    )
    await store.assignments.delete('u1')
    expect(await store.policies.deleteRole('clerk')).toBe(2)
    expect((await store.resolve({ id: 'u1' })).can('invoices:write')).toBe(false)
    expect(changes).toEqual([
      { kind: 'create', role: 'clerk', revision: 1 },
      { kind: 'assign', subjectId: 'u1', role: 'clerk' },
      { kind: 'delete', subjectId: 'u1' },
      { kind: 'delete', role: 'clerk', revision: 2 },
    ])
    await store.close()
  })
})
