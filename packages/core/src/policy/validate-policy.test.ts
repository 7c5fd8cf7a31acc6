import { describe, expect, test } from 'vitest'
import { createRolegate } from '../create-rolegate.js'
import { PolicyError } from '../errors.js'
import { findPolicyProblems } from './validate-policy.js'

describe('policy validation lists every problem with its path', () => {
  test('a policy with many mistakes reports all of them at once', () => {
    const policy = {
      resources: [
        'customers.address',
        'invoices',
        'invoices',
        'bad..path',
        'has space',
        '__proto__.x',
      ],
      actions: { export: ['read', 'fly'], write: ['read'] },
      roles: {
        finance: {
          inherits: ['ghost', 'finance'],
          grants: {
            payments: 'read',
            invoices: 'admin',
            customers: { actions: 'write', when: 'self' },
            'customers.address': ['read', 'jump'],
          },
          superuser: 'yes',
        },
        a: { inherits: ['b'] },
        b: { inherits: ['a'] },
        reports: { grant: {} },
      },
      conflicts: [['finance', 'nobody'], ['a']],
      defaults: ['missing'],
      extra: true,
    }
    let error: unknown
    try {
      createRolegate({ policy: policy as never })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(PolicyError)
    expect((error as PolicyError).code).toBe('ERR_ROLEGATE_POLICY_INVALID')
    expect((error as PolicyError).problems).toEqual([
      { path: 'policy.extra', message: 'unknown key "extra"' },
      { path: 'policy.resources[2]', message: 'duplicate resource "invoices"' },
      { path: 'policy.resources[3]', message: '"bad..path" has an empty segment' },
      {
        path: 'policy.resources[4]',
        message:
          'in "has space": "has space" is not a valid name (letters, digits, "_" and "-", not starting with "-")',
      },
      { path: 'policy.resources[5]', message: 'in "__proto__.x": "__proto__" is reserved' },
      { path: 'policy.actions.write', message: '"write" is built in and cannot be redefined' },
      { path: 'policy.actions.export[1]', message: 'implies unknown action "fly"' },
      { path: 'policy.roles.finance.superuser', message: 'must be true or false' },
      { path: 'policy.roles.finance.inherits[0]', message: 'unknown role "ghost"' },
      { path: 'policy.roles.finance.inherits', message: 'role "finance" inherits itself' },
      { path: 'policy.roles.finance.grants.payments', message: 'unknown resource "payments"' },
      { path: 'policy.roles.finance.grants.invoices', message: 'unknown action or level "admin"' },
      {
        path: 'policy.roles.finance.grants.customers.when',
        message: 'condition "self" has no function: pass it in createRolegate({ conditions })',
      },
      {
        path: 'policy.roles.finance.grants["customers.address"][1]',
        message: 'unknown action "jump"',
      },
      { path: 'policy.roles.reports.grant', message: 'unknown key "grant"' },
      { path: 'policy.roles.a.inherits', message: 'inheritance cycle: a → b → a' },
      { path: 'policy.conflicts[0][1]', message: 'unknown role "nobody"' },
      { path: 'policy.conflicts[1]', message: 'must be a pair of role names' },
      { path: 'policy.defaults[0]', message: 'unknown role "missing"' },
    ])
    expect((error as Error).message).toContain(
      'Invalid rolegate policy (19 problems):\n  - policy.extra: unknown key "extra"\n',
    )
  })

  test('a valid policy has no problems', () => {
    expect(
      findPolicyProblems({
        resources: ['a.b'],
        roles: { r: { grants: { a: 'read', 'a.b': 'none', '*': ['write'] } } },
      }),
    ).toEqual([])
  })

  test.each([
    [
      null,
      [{ path: 'policy', message: 'a policy must be an object with "resources" and "roles"' }],
    ],
    [[], [{ path: 'policy', message: 'a policy must be an object with "resources" and "roles"' }]],
    [
      {},
      [
        { path: 'policy.resources', message: 'must be a list of dotted resource paths' },
        { path: 'policy.roles', message: 'must map each role name to a role' },
      ],
    ],
    [
      { resources: [1], roles: { r: 5 } },
      [
        { path: 'policy.resources[0]', message: 'a resource path must be a string' },
        { path: 'policy.roles.r', message: 'a role must be an object' },
      ],
    ],
    [
      { resources: [], roles: { r: { grants: { '*': [] } } } },
      [
        {
          path: 'policy.roles.r.grants["*"]',
          message: 'must be an action or a non-empty list of actions',
        },
      ],
    ],
    [
      { resources: [], roles: { r: { grants: { '*': { actions: 'none', when: 'x' } } } } },
      [
        {
          path: 'policy.roles.r.grants["*"].actions',
          message: 'a conditional grant must give actions; "none" cannot be conditional',
        },
      ],
    ],
    [
      { resources: [], roles: { r: { grants: { '*': 7 } } } },
      [
        {
          path: 'policy.roles.r.grants["*"]',
          message: 'bad level 7: use "none", an action, a list of actions or { actions, when }',
        },
      ],
    ],
    [
      { resources: [], roles: { r: { subjectTypes: [] } } },
      [
        {
          path: 'policy.roles.r.subjectTypes',
          message: 'must be a non-empty list of subject types',
        },
      ],
    ],
    [
      // Names a matrix or a message would print: no markup, no line breaks.
      {
        resources: ['a'],
        roles: {
          r: {
            subjectTypes: ['staff', 'staff\n<script>'],
            grants: { a: { actions: 'read', when: 'self | forged' } },
          },
        },
      },
      [
        {
          path: 'policy.roles.r.subjectTypes[1]',
          message:
            '"staff\n<script>" is not a valid name (letters, digits, "_" and "-", not starting with "-")',
        },
        {
          path: 'policy.roles.r.grants.a.when',
          message:
            '"self | forged" is not a valid name (letters, digits, "_" and "-", not starting with "-")',
        },
      ],
    ],
  ])('malformed input %j', (input, problems) => {
    expect(findPolicyProblems(input)).toEqual(problems)
  })

  test('values JSON cannot write are reported by their type, never thrown', () => {
    const cycle: Record<string, unknown> = {}
    cycle['self'] = cycle
    const policy = {
      resources: ['a', 'b'],
      actions: { x: [1n] },
      roles: {
        big: { grants: { a: 1n, b: ['read', 2n] } },
        loop: { grants: { a: [cycle], b: cycle } },
      },
    }
    expect(findPolicyProblems(policy)).toEqual([
      { path: 'policy.actions.x[0]', message: 'implies unknown action a bigint' },
      {
        path: 'policy.roles.big.grants.a',
        message:
          'bad level a bigint: use "none", an action, a list of actions or { actions, when }',
      },
      { path: 'policy.roles.big.grants.b[1]', message: 'unknown action a bigint' },
      { path: 'policy.roles.loop.grants.a[0]', message: 'unknown action an object' },
      { path: 'policy.roles.loop.grants.b.self', message: 'unknown key "self"' },
      {
        path: 'policy.roles.loop.grants.b.actions',
        message: 'must be an action or a non-empty list of actions',
      },
      { path: 'policy.roles.loop.grants.b.when', message: 'must name a condition' },
    ])
    expect(() => createRolegate({ policy: policy as never })).toThrow(PolicyError)
  })

  test('holes in lists are problems at their index, not skipped', () => {
    const policy = {
      // eslint-disable-next-line no-sparse-arrays
      resources: ['a', , 'b'],
      // eslint-disable-next-line no-sparse-arrays
      actions: { x: ['read', , 'write'] },
      roles: {
        // eslint-disable-next-line no-sparse-arrays
        r: { inherits: [, 's'], subjectTypes: ['user', ,], grants: { a: ['read', , 'x'] } },
        s: {},
      },
      // eslint-disable-next-line no-sparse-arrays
      conflicts: [[, 's']],
      // eslint-disable-next-line no-sparse-arrays
      defaults: ['s', ,],
    }
    expect(findPolicyProblems(policy)).toEqual([
      { path: 'policy.resources[1]', message: 'a resource path must be a string' },
      { path: 'policy.actions.x[1]', message: 'implies unknown action undefined' },
      { path: 'policy.roles.r.inherits[0]', message: 'a role name must be a string' },
      {
        path: 'policy.roles.r.subjectTypes[1]',
        message: 'a subject type must be a non-empty string',
      },
      { path: 'policy.roles.r.grants.a[1]', message: 'unknown action undefined' },
      { path: 'policy.conflicts[0][0]', message: 'a role name must be a string' },
      { path: 'policy.defaults[1]', message: 'a role name must be a string' },
    ])
    expect(() => createRolegate({ policy: policy as never })).toThrow(PolicyError)
  })

  test('a policy whose reading throws (a getter, a Proxy) is a problem, not a crash', () => {
    const policy = {
      resources: ['a'],
      roles: {
        get r(): never {
          throw new Error('boom')
        },
      },
    }
    expect(findPolicyProblems(policy)).toEqual([
      { path: 'policy', message: 'cannot be read as plain data: boom' },
    ])
  })

  test('more actions than the engine has bits for is a problem, not a crash', () => {
    const actions = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`a${i}`, []]))
    expect(findPolicyProblems({ resources: [], actions, roles: {} })).toEqual([
      { path: 'policy.actions', message: 'at most 31 actions are supported, found 32' },
    ])
  })
})
