import {
  contextResolver,
  createRolegate,
  definePolicy,
  type AssignmentChange,
  type Assignments,
  type AssignmentStore,
  type CompiledPolicy,
} from '@rolegate/core'
import { describe, expect, test, vi } from 'vitest'

/** The policy of the contract: billwerk-like exclusive roles, a subject type and a conflicting pair. */
export const policy = definePolicy({
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
export const rg = createRolegate({ policy })

/** Where a store reads the policy it enforces; read on every change, so a test may swap it. */
export interface PolicySource {
  readonly policy: CompiledPolicy
}

/**
 * A fresh, empty store enforcing `rolegate` ({@link rg} when absent), reporting its changes to
 * `onChange`.
 */
export type MakeStore = (
  onChange: (change: AssignmentChange) => void,
  rolegate?: PolicySource,
) => AssignmentStore

/**
 * What every {@link AssignmentStore} must do alike, run against each store: the same calls give
 * the same results, the same refusals and the same change events.
 */
export function describeAssignmentStore(name: string, makeStore: MakeStore): void {
  function setup(rolegate?: PolicySource) {
    const changes: AssignmentChange[] = []
    return { store: makeStore((change) => changes.push(change), rolegate), changes }
  }

  describe(`${name}: the AssignmentStore contract`, () => {
    test('assigns and revokes global and scoped roles, and lists holders, sorted', async () => {
      const { store, changes } = setup()
      await store.assign('u2', 'templates', { scope: 'team:1' })
      await store.assign('u1', 'standard')
      await store.assign('u1', 'templates', { scope: 'team:1' })
      expect(await store.get('u1')).toEqual({
        type: undefined,
        roles: ['standard'],
        scoped: { 'team:1': ['templates'] },
      })
      expect(await store.list({ role: 'templates', scope: 'team:1' })).toEqual(['u1', 'u2'])
      expect(await store.list({ role: 'templates' })).toEqual([])
      expect(await store.list({ role: 'standard' })).toEqual(['u1'])
      await store.revoke('u1', 'templates', { scope: 'team:1' })
      expect(await store.get('u1')).toEqual({ type: undefined, roles: ['standard'], scoped: {} })
      expect(await store.list({ role: 'templates', scope: 'team:1' })).toEqual(['u2'])
      expect(changes).toEqual([
        { kind: 'assign', subjectId: 'u2', role: 'templates', scope: 'team:1' },
        { kind: 'assign', subjectId: 'u1', role: 'standard' },
        { kind: 'assign', subjectId: 'u1', role: 'templates', scope: 'team:1' },
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
    ])('refuses %j for type %s and stores nothing', async (roles, type, message) => {
      const { store, changes } = setup()
      await expect(store.set('u', { type, roles, scoped: {} })).rejects.toThrow(message)
      await expect(store.set('u', { type, roles, scoped: {} })).rejects.toMatchObject({
        code: 'ERR_ROLEGATE_ASSIGNMENT_REJECTED',
        subjectId: 'u',
      })
      expect(await store.get('u')).toBeUndefined()
      expect(changes).toEqual([])
    })

    test('a default role whose subject types exclude the subject does not block its assignments', async () => {
      const withDefault = createRolegate({
        policy: definePolicy({
          resources: ['profile', 'projects'],
          roles: {
            me: { subjectTypes: ['user'], grants: { profile: 'write' } },
            standard: { grants: { projects: 'write' } },
            staff_only: { subjectTypes: ['staff'] },
          },
          defaults: ['me'],
        }),
      })
      const { store } = setup(withDefault)
      await store.set('svc', { roles: [], scoped: {} })
      await store.set('bot', { type: 'service', roles: ['standard'], scoped: {} })
      await store.assign('u', 'standard', { scope: 'team:1' })
      await store.revoke('u', 'standard', { scope: 'team:1' })
      expect(await store.get('svc')).toEqual({ type: undefined, roles: [], scoped: {} })
      expect(await store.get('bot')).toEqual({ type: 'service', roles: ['standard'], scoped: {} })
      expect(await store.get('u')).toEqual({ type: undefined, roles: [], scoped: {} })
      // A held role is still held to its subject types.
      await expect(store.assign('bot', 'staff_only')).rejects.toThrow(
        'Assignment for subject "bot" refused: role "staff_only" cannot be given to subject type "service" (globally)',
      )
    })

    test('an exclusive role brought by inheritance is refused naming the role it was combined with', async () => {
      const inherited = createRolegate({
        policy: definePolicy({
          resources: ['a'],
          roles: { ro: { exclusive: true }, ops: { inherits: ['ro'] }, other: {} },
        }),
      })
      const { store } = setup(inherited)
      await store.assign('u', 'ops')
      await expect(store.assign('u', 'other')).rejects.toThrow(
        'Assignment for subject "u" refused: role "ro" is exclusive and cannot be combined with "other" globally',
      )
      expect(await store.get('u')).toEqual({ type: undefined, roles: ['ops'], scoped: {} })
    })

    test('a revoke or a delete goes through when the roles left have broken a rule since', async () => {
      const roles = { clerk: {}, viewer: {}, boss: {} }
      const before = createRolegate({ policy: { resources: ['a'], roles } })
      // As after updateRoles: clerk now needs a subject type, boss now excludes the rest.
      const after = createRolegate({
        policy: {
          resources: ['a'],
          roles: { ...roles, clerk: { subjectTypes: ['staff'] }, boss: { exclusive: true } },
        },
      })
      const source = { policy: before.policy }
      const { store, changes } = setup(source)
      await store.set('u', { roles: ['clerk', 'viewer'], scoped: { 'team:1': ['boss'] } })
      await store.set('v', { roles: ['clerk'], scoped: {} })
      source.policy = after.policy
      await store.revoke('u', 'viewer')
      expect(await store.get('u')).toEqual({
        type: undefined,
        roles: ['clerk'],
        scoped: { 'team:1': ['boss'] },
      })
      await store.delete('v')
      expect(await store.get('v')).toBeUndefined()
      // What adds is still checked against the rules in force.
      await expect(store.assign('u', 'viewer', { scope: 'team:2' })).rejects.toThrow(
        'Assignment for subject "u" refused: role "clerk" cannot be given to a subject without a type (globally)',
      )
      expect(changes.map((c) => c.kind)).toEqual(['set', 'set', 'revoke', 'delete'])
    })

    test.each([
      [null, 'not an object'],
      [{ roles: ['standard'] }, '"scoped" is not an object'],
      [{ roles: 'standard', scoped: {} }, '"roles" is not a list of role names'],
      [
        { roles: [], scoped: { 'team:1': 'standard' } },
        '"scoped.team:1" is not a list of role names',
      ],
      [{ type: 1, roles: [], scoped: {} }, '"type" is not a string'],
      [{ roles: [], scoped: {}, grants: ['projects'] }, '"grants" is not an object'],
    ])(
      'set refuses %j as malformed, naming the field, and stores nothing',
      async (given, problem) => {
        const { store, changes } = setup()
        await expect(store.set('u', given as unknown as Assignments)).rejects.toMatchObject({
          name: 'TypeError',
          code: 'ERR_ROLEGATE_INVALID_ARGUMENT',
          message: `the assignments given for subject "u" are malformed: ${problem}`,
        })
        expect(await store.get('u')).toBeUndefined()
        expect(changes).toEqual([])
      },
    )

    test('set refuses direct grants a role could not hold, naming each', async () => {
      const { store, changes } = setup()
      const grants = {
        projectz: 'write',
        projects: 'writ',
        documents: { actions: 'write', when: 'owner' },
      }
      await expect(store.set('u', { roles: [], scoped: {}, grants })).rejects.toMatchObject({
        code: 'ERR_ROLEGATE_ASSIGNMENT_REJECTED',
        message:
          'Assignment for subject "u" refused: invalid direct grants: ' +
          'grants.projectz: unknown resource "projectz"; ' +
          'grants.projects: unknown action or level "writ"; ' +
          'grants.documents.when: condition "owner" has no function: pass it in createRolegate({ conditions })',
      })
      expect(await store.get('u')).toBeUndefined()
      expect(changes).toEqual([])
      await store.set('u', { roles: [], scoped: {}, grants: { projects: ['read'] } })
      expect(await store.get('u')).toEqual({
        type: undefined,
        roles: [],
        scoped: {},
        grants: { projects: ['read'] },
      })
    })

    test('a global exclusive role conflicts with a role held in a scope', async () => {
      const { store } = setup()
      await store.assign('u', 'admin')
      await expect(store.assign('u', 'standard', { scope: 'team:9' })).rejects.toThrow(
        'role "admin" is exclusive and cannot be combined with "standard" in scope "team:9"',
      )
      expect(await store.get('u')).toEqual({ type: undefined, roles: ['admin'], scoped: {} })
    })

    test('assign sets the subject type; set replaces everything, in canonical form', async () => {
      const { store, changes } = setup()
      await store.assign('u', 'finance', { type: 'staff' })
      expect(await store.get('u')).toEqual({ type: 'staff', roles: ['finance'], scoped: {} })
      await store.set('u', {
        roles: ['standard', 'standard'],
        scoped: { 'team:3': [], 'team:2': ['templates'] },
        grants: { documents: 'read' },
      })
      expect(await store.get('u')).toEqual({
        type: undefined,
        roles: ['standard'],
        scoped: { 'team:2': ['templates'] },
        grants: { documents: 'read' },
      })
      expect(changes.map((c) => c.kind)).toEqual(['assign', 'set'])
    })

    test('a change that changes nothing is not told, and revoking what is not held is no error', async () => {
      const { store, changes } = setup()
      await store.revoke('u', 'standard')
      await store.delete('u')
      await store.assign('u', 'standard')
      await store.assign('u', 'standard')
      await store.revoke('u', 'templates')
      await store.revoke('u', 'templates', { scope: 'team:1' })
      await store.set('u', { roles: ['standard'], scoped: { 'team:1': [] } })
      await store.delete('u')
      await store.delete('u')
      expect(changes).toEqual([
        { kind: 'assign', subjectId: 'u', role: 'standard' },
        { kind: 'delete', subjectId: 'u' },
      ])
      expect(await store.get('u')).toBeUndefined()
      expect(await store.list({ role: 'standard' })).toEqual([])
    })

    test('an onChange that throws is reported, and the change stands', async () => {
      const broken = new Error('audit log is down')
      const store = makeStore(() => {
        throw broken
      })
      const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      try {
        await store.assign('u', 'standard')
        expect(consoleError.mock.calls).toEqual([[broken]])
      } finally {
        consoleError.mockRestore()
      }
      expect(await store.get('u')).toEqual({ type: undefined, roles: ['standard'], scoped: {} })
    })

    test('scopes named like Object.prototype members are plain data', async () => {
      const { store } = setup()
      await store.assign('u', 'standard', { scope: '__proto__' })
      await store.assign('u', 'templates', { scope: 'constructor' })
      expect(await store.list({ role: 'standard', scope: '__proto__' })).toEqual(['u'])
      expect(await store.list({ role: 'templates', scope: 'toString' })).toEqual([])
      const stored = await store.get('u')
      expect(Object.keys(stored?.scoped ?? {})).toEqual(['__proto__', 'constructor'])
      expect(stored?.scoped['__proto__']).toEqual(['standard'])
      await store.revoke('u', 'standard', { scope: '__proto__' })
      expect(Object.keys((await store.get('u'))?.scoped ?? {})).toEqual(['constructor'])
    })

    test('what get gives is a copy or frozen: changing it changes nothing stored', async () => {
      const { store } = setup()
      await store.assign('u', 'standard')
      const got = (await store.get('u')) as { roles: string[] } | undefined
      try {
        got?.roles.push('admin')
      } catch {
        // A frozen list refuses the push; a copy takes it. Either way the store is untouched.
      }
      expect(await store.get('u')).toEqual({ type: undefined, roles: ['standard'], scoped: {} })
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

    test('refuses an empty subject id', async () => {
      const { store } = setup()
      await expect(store.assign('', 'standard')).rejects.toMatchObject({
        name: 'TypeError',
        code: 'ERR_ROLEGATE_INVALID_ARGUMENT',
        message: 'subjectId must be a non-empty string',
      })
    })

    test('contextResolver adds stored assignments to the subject; a change applies to the next context', async () => {
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
  })
}
