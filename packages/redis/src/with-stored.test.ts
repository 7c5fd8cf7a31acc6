import { createRolegate, definePolicy, withAssignments } from '@rolegate/core'
import { describe, expect, test } from 'vitest'
import { withStored } from './with-stored.js'

const rg = createRolegate({
  policy: definePolicy({
    resources: ['projects', 'invoices'],
    roles: {
      admin: { exclusive: true, grants: { '*': 'write' } },
      standard: { grants: { projects: 'write' } },
      viewer: { grants: { projects: 'read' } },
    },
  }),
})

describe('withStored', () => {
  test('builds the same contexts as core’s withAssignments', () => {
    const stored = {
      type: 'staff',
      roles: ['viewer'],
      // A scope really named "__proto__", as JSON from a store or a token can carry.
      scoped: JSON.parse('{"team:1":["standard"],"__proto__":["admin"]}') as Record<
        string,
        string[]
      >,
      grants: { invoices: 'read' as const },
    }
    const subjects = [
      { id: 'u' },
      { id: 'u', roles: ['standard'], scoped: { 'team:1': ['viewer'], 'team:2': ['admin'] } },
      { id: 'u', type: 'customer', grants: { invoices: 'write' as const }, attributes: { a: 1 } },
    ]
    for (const subject of subjects) {
      for (const assignments of [undefined, stored, { roles: [], scoped: {} }]) {
        const ours = rg.context(withStored(subject, assignments))
        const core = rg.context(withAssignments(subject, assignments))
        expect(ours.subject).toEqual(core.subject)
        for (const scope of [undefined, 'team:1', 'team:2', '__proto__'])
          expect(ours.roles(scope)).toEqual(core.roles(scope))
        expect(ours.can('invoices:write')).toBe(core.can('invoices:write'))
      }
    }
  })
})
