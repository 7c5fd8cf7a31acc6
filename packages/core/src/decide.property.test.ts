import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createRolegate } from './create-rolegate.js'
import type { Condition, GrantInput, PolicyInput, RoleInput, Subject } from './policy/types.js'
import { referenceDecide } from './reference-decide.test-support.js'

/** At least 10,000 cases in CI; FC_RUNS raises it locally, FC_SEED replays a failure. */
const runs = Number(process.env.FC_RUNS ?? 10_000)
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED)

const PATHS = ['a', 'a.b', 'a.b.c', 'a.d', 'e', 'e.f']
const ACTIONS = ['read', 'write', 'x', 'y']
const CONDITIONS: Record<string, Condition> = {
  owner: (subject, r) => (r as { owner?: string }).owner === subject.id,
  flagged: (_s, r) => (r as { flag?: boolean }).flag === true,
  broken: () => {
    throw new Error('condition failed to run')
  },
}

const action = fc.constantFrom(...ACTIONS)
const grant: fc.Arbitrary<GrantInput> = fc.oneof(
  fc.constant('none' as const),
  action,
  fc.uniqueArray(action, { minLength: 1, maxLength: 3 }),
  fc.record({
    actions: fc.oneof(action, fc.uniqueArray(action, { minLength: 1, maxLength: 2 })),
    when: fc.constantFrom('owner', 'flagged', 'broken'),
  }),
)
const grants = fc.dictionary(fc.constantFrom('*', ...PATHS), grant, { maxKeys: 4 })

const policyArb: fc.Arbitrary<PolicyInput> = fc
  .record({
    roleCount: fc.integer({ min: 1, max: 6 }),
    actions: fc.record({ x: fc.subarray(['read', 'y']), y: fc.subarray(['write', 'x']) }),
    roles: fc.array(
      fc.record({
        superuser: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
        exclusive: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
        inherits: fc.subarray([0, 1, 2, 3, 4]),
        subjectTypes: fc.option(fc.subarray(['t1', 't2'], { minLength: 1 }), { nil: undefined }),
        grants,
      }),
      { minLength: 6, maxLength: 6 },
    ),
    conflicts: fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })), {
      maxLength: 2,
    }),
    defaults: fc.subarray([0, 1, 2, 3, 4, 5], { maxLength: 2 }),
  })
  .map(({ roleCount, actions, roles, conflicts, defaults }) => {
    const name = (i: number): string => `r${i}`
    const roleEntries = roles.slice(0, roleCount).map((r, i): [string, RoleInput] => {
      const role: RoleInput = {
        ...(r.superuser ? { superuser: true } : {}),
        ...(r.exclusive ? { exclusive: true } : {}),
        // Only earlier roles may be inherited, so no cycle can arise.
        inherits: r.inherits.filter((j) => j < i).map(name),
        ...(r.subjectTypes === undefined ? {} : { subjectTypes: r.subjectTypes }),
        grants: r.grants,
      }
      return [name(i), role]
    })
    return {
      resources: PATHS,
      actions,
      roles: Object.fromEntries(roleEntries),
      conflicts: conflicts
        .filter(([a, b]) => a !== b && a < roleCount && b < roleCount)
        .map(([a, b]) => [name(a), name(b)] as const),
      defaults: defaults.filter((d) => d < roleCount).map(name),
    }
  })

const roleNames = fc.subarray(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'ghost', '__proto__'], {
  maxLength: 4,
})
const subjectArb: fc.Arbitrary<Subject> = fc.record({
  id: fc.constantFrom('s1', 's2'),
  type: fc.option(fc.constantFrom('t1', 't2'), { nil: undefined }),
  roles: roleNames,
  scoped: fc.record({ 'team:1': roleNames }),
  grants: fc.option(
    fc.dictionary(
      fc.constantFrom('*', ...PATHS, 'zz'),
      fc.oneof(grant, fc.constant('fly'), fc.constant({ actions: 'read', when: 'missing' })),
      { maxKeys: 2 },
    ),
    { nil: undefined },
  ),
})
const checkArb = fc.record({
  permission: fc
    .tuple(fc.constantFrom('*', ...PATHS, 'zz', 'a.zz'), fc.constantFrom(...ACTIONS, 'zz'))
    .map(([r, a]) => `${r}:${a}`),
  scope: fc.option(fc.constantFrom('team:1', 'team:2'), { nil: undefined }),
  instance: fc.option(fc.record({ owner: fc.constantFrom('s1', 's2'), flag: fc.boolean() }), {
    nil: undefined,
  }),
})

describe('the compiled engine agrees with the reference evaluator', () => {
  test(`on ${runs} random policies, subjects and checks`, () => {
    fc.assert(
      fc.property(
        policyArb,
        subjectArb,
        fc.array(checkArb, { minLength: 1, maxLength: 5 }),
        (policy, subject, checks) => {
          const ctx = createRolegate({ policy, conditions: CONDITIONS }).context(subject)
          for (const { permission, scope, instance } of checks) {
            const options = {
              ...(scope === undefined ? {} : { scope }),
              ...(instance === undefined ? {} : { resource: instance }),
            }
            const expected = referenceDecide(
              policy,
              CONDITIONS,
              subject,
              permission,
              scope,
              instance,
            )
            const decision = ctx.explain(permission, options)
            // On a conflict the engine also names the conflicting pair; the reference only says it denies.
            const role = decision.reason === 'exclusive-conflict' ? undefined : decision.role
            expect({ allowed: decision.allowed, reason: decision.reason, role }).toEqual(expected)
            expect(ctx.can(permission, options)).toBe(expected.allowed)
          }
        },
      ),
      { numRuns: runs, ...(seed === undefined ? {} : { seed }) },
    )
    // A generous budget: 10,000 cases take a few seconds alone, more on a busy CI machine.
  }, 120_000)
})
