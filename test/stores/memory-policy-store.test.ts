import { describe, expect, test } from 'vitest'
import { memoryStore } from '@rolegate/core'
import { describePolicyStore, policy } from './policy-store-contract.js'

describePolicyStore('memoryPolicyStore', (onPolicyChange) => {
  const { policies, assignments } = memoryStore({ policy, onPolicyChange })
  return { policies, assignments }
})

describe('memoryPolicyStore: what customRoles() gives', () => {
  test('is frozen: a caller cannot widen a role past the checks and the events', async () => {
    const { policies } = memoryStore({ policy })
    await policies.createRole('clerk', { grants: { invoices: 'read' } })
    const roles = policies.customRoles() as Record<string, { grants: Record<string, string> }>
    expect(() => {
      ;(roles['clerk'] as { grants: Record<string, string> }).grants['invoices'] = 'write'
    }).toThrow(TypeError)
    expect(() => {
      roles['sneaky'] = { grants: { invoices: 'write' } }
    }).toThrow(TypeError)
    await policies.createRole('other', { grants: {} })
    const clerk = policies.current().context({ id: 'u1', roles: ['clerk'] })
    expect([clerk.can('invoices:read'), clerk.can('invoices:write')]).toEqual([true, false])
    expect(Object.keys(policies.customRoles())).toEqual(['clerk', 'other'])
  })
})
