import { describe, expect, test } from 'vitest'
import { withAssignments } from './context-resolver.js'

describe('withAssignments', () => {
  const stored = {
    type: 'staff',
    roles: ['viewer'],
    // A scope really named "__proto__", as JSON from a store or a token can carry.
    scoped: JSON.parse('{"team:1":["standard"],"__proto__":["admin"]}') as Record<string, string[]>,
    grants: { invoices: 'read' as const },
  }

  test('adds stored roles, scopes and grants to the subject’s own; the subject’s type and grants win', () => {
    const merged = withAssignments(
      {
        id: 'u',
        type: 'customer',
        roles: ['standard'],
        scoped: { 'team:1': ['viewer'] },
        grants: { invoices: 'write' },
      },
      stored,
    )
    expect(merged).toEqual({
      id: 'u',
      type: 'customer',
      roles: ['standard', 'viewer'],
      scoped: { 'team:1': ['viewer', 'standard'], ['__proto__']: ['admin'] },
      grants: { invoices: 'write' },
      attributes: undefined,
    })
    expect(Object.hasOwn(merged.scoped ?? {}, '__proto__')).toBe(true)
  })

  test('a bare subject takes the stored record; no record leaves the subject as it is', () => {
    const bare = { id: 'u' }
    expect(withAssignments(bare, { roles: ['viewer'], scoped: {} })).toEqual({
      id: 'u',
      type: undefined,
      roles: ['viewer'],
      scoped: {},
      grants: undefined,
      attributes: undefined,
    })
    expect(withAssignments(bare, undefined)).toBe(bare)
  })
})
