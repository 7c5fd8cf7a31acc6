import { describe, expect, test } from 'vitest'
import { createRolegate } from '../create-rolegate.js'
import { definePolicy } from '../policy/define-policy.js'
import { contextResolver } from './context-resolver.js'
import { memoryAssignmentStore } from './memory-assignment-store.js'
import type { AssignmentChange } from './types.js'

const policy = definePolicy({
  resources: ['projects', 'documents'],
  roles: {
    admin: { exclusive: true, grants: { '*': 'write' } },
    read_only_operations: { exclusive: true, grants: { '*': 'read' } },
    standard: { grants: { projects: 'write' } },
    finance: { subjectTypes: ['staff'], grants: { documents: 'write' } },
    templates: { grants: { documents: 'read' } },
    templates_plus: { inherits: ['templates'] },
  },
  conflicts: [['finance', 'templates']],
})
const rg = createRolegate({ policy })

function setup() {
  const changes: AssignmentChange[] = []
  const store = memoryAssignmentStore({ rolegate: rg, onChange: (c) => changes.push(c) })
  return { store, changes }
}

describe('memoryAssignmentStore', () => {
  test('assigns and revokes global and scoped roles, and lists holders', async () => {
    const { store, changes } = setup()
    await store.assign('u1', 'standard')
    await store.assign('u1', 'templates', { scope: 'team:1' })
    await store.assign('u2', 'templates', { scope: 'team:1' })
    expect(await store.get('u1')).toEqual({
      type: undefined,
      roles: ['standard'],
      scoped: { 'team:1': ['templates'] },
    })
    expect(await store.list({ role: 'templates', scope: 'team:1' })).toEqual(['u1', 'u2'])
    expect(await store.list({ role: 'templates' })).toEqual([])
    await store.revoke('u1', 'templates', { scope: 'team:1' })
    expect(await store.get('u1')).toEqual({ type: undefined, roles: ['standard'], scoped: {} })
    expect(changes).toEqual([
      { kind: 'assign', subjectId: 'u1', role: 'standard' },
      { kind: 'assign', subjectId: 'u1', role: 'templates', scope: 'team:1' },
      { kind: 'assign', subjectId: 'u2', role: 'templates', scope: 'team:1' },
      { kind: 'revoke', subjectId: 'u1', role: 'templates', scope: 'team:1' },
    ])
  })

  test.each([
    [
      ['admin', 'standard'],
      undefined,
      'Assignment for subject "u" refused: role "admin" is exclusive and cannot be combined with "standard" globally',
    ],
    [
      ['read_only_operations', 'templates'],
      undefined,
      'Assignment for subject "u" refused: role "read_only_operations" is exclusive and cannot be combined with "templates" globally',
    ],
    [
      ['finance', 'templates_plus'],
      'staff',
      'Assignment for subject "u" refused: roles "finance" and "templates" conflict and cannot be held together globally',
    ],
    [
      ['finance'],
      'customer',
      'Assignment for subject "u" refused: role "finance" cannot be given to subject type "customer" (globally)',
    ],
    [
      ['finance'],
      undefined,
      'Assignment for subject "u" refused: role "finance" cannot be given to a subject without a type (globally)',
    ],
    [['ghost'], undefined, 'Assignment for subject "u" refused: unknown role "ghost" globally'],
  ])('refuses %j for type %s', async (roles, type, message) => {
    const { store, changes } = setup()
    await expect(store.set('u', { type, roles, scoped: {} })).rejects.toThrow(message)
    await expect(store.set('u', { type, roles, scoped: {} })).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_ASSIGNMENT_REJECTED',
      subjectId: 'u',
    })
    expect(await store.get('u')).toBeUndefined()
    expect(changes).toEqual([])
  })

  test('a global exclusive role conflicts with a role held in a scope', async () => {
    const { store } = setup()
    await store.assign('u', 'admin')
    await expect(store.assign('u', 'standard', { scope: 'team:9' })).rejects.toThrow(
      'role "admin" is exclusive and cannot be combined with "standard" in scope "team:9"',
    )
    expect(await store.get('u')).toEqual({ type: undefined, roles: ['admin'], scoped: {} })
  })

  test('a scope named like an Object.prototype member is plain data', async () => {
    const { store } = setup()
    await store.assign('u', 'standard', { scope: '__proto__' })
    await store.assign('u', 'templates', { scope: 'constructor' })
    expect(await store.list({ role: 'standard', scope: '__proto__' })).toEqual(['u'])
    expect(await store.list({ role: 'templates', scope: 'toString' })).toEqual([])
    await store.revoke('u', 'standard', { scope: '__proto__' })
    expect(Object.keys((await store.get('u'))?.scoped ?? {})).toEqual(['constructor'])
  })

  test('concurrent assignments never leave a forbidden combination', async () => {
    const { store } = setup()
    const results = await Promise.allSettled([
      store.assign('u', 'admin'),
      store.assign('u', 'standard'),
      store.assign('u', 'templates'),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected'])
    expect(await store.get('u')).toEqual({ type: undefined, roles: ['admin'], scoped: {} })
  })

  test('contextResolver adds stored assignments to the subject, and a change applies to the next context', async () => {
    const { store } = setup()
    const resolve = contextResolver({ rolegate: rg, store })
    expect((await resolve({ id: 'u' })).can('projects:write')).toBe(false)
    await store.assign('u', 'standard')
    expect((await resolve({ id: 'u', roles: ['templates'] })).roles().held).toEqual([
      'standard',
      'templates',
    ])
    await store.revoke('u', 'standard')
    expect((await resolve({ id: 'u' })).can('projects:write')).toBe(false)
  })

  test('a store that fails makes the resolver throw BackendUnavailableError, never allow', async () => {
    const { store } = setup()
    const broken = { ...store, get: () => Promise.reject(new Error('ECONNREFUSED')) }
    await expect(
      contextResolver({ rolegate: rg, store: broken })({ id: 'u', roles: ['admin'] }),
    ).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_BACKEND_UNAVAILABLE',
      status: 503,
      message: 'The assignment store did not answer.',
    })
  })
})
