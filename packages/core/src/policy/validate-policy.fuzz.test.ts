import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createRolegate } from '../create-rolegate.js'
import { PolicyError } from '../errors.js'
import { parsePolicy } from './load-policy.js'

const runs = Number(process.env.FC_RUNS ?? 2_000)

/** Either a rolegate or a PolicyError: never any other exception. */
function outcome(run: () => unknown): 'ok' | 'policy-error' {
  try {
    run()
    return 'ok'
  } catch (error) {
    if (error instanceof PolicyError && error.problems.length > 0) return 'policy-error'
    throw error
  }
}

const name = fc.oneof(
  fc.constantFrom('a', 'b', 'a.b', '*', '__proto__', 'constructor', 'read', 'write', 'x', ''),
  fc.string({ maxLength: 6 }),
)
/** Near-valid policies: the right keys with values of any shape, so validation goes deep. */
const nearPolicy = fc.record(
  {
    resources: fc.oneof(fc.array(name, { maxLength: 4 }), fc.anything()),
    actions: fc.oneof(
      fc.dictionary(name, fc.oneof(fc.array(name, { maxLength: 3 }), fc.anything()), {
        maxKeys: 3,
      }),
      fc.anything(),
    ),
    roles: fc.oneof(
      fc.dictionary(
        name,
        fc.oneof(
          fc.record(
            {
              superuser: fc.anything(),
              exclusive: fc.boolean(),
              inherits: fc.oneof(fc.array(name, { maxLength: 3 }), fc.anything()),
              subjectTypes: fc.anything(),
              grants: fc.oneof(
                fc.dictionary(
                  name,
                  fc.oneof(
                    name,
                    fc.array(name),
                    fc.record({ actions: fc.anything(), when: fc.anything() }),
                    fc.anything(),
                  ),
                ),
                fc.anything(),
              ),
            },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
        { maxKeys: 4 },
      ),
      fc.anything(),
    ),
    conflicts: fc.oneof(
      fc.array(fc.array(name, { maxLength: 3 }), { maxLength: 3 }),
      fc.anything(),
    ),
    defaults: fc.oneof(fc.array(name, { maxLength: 3 }), fc.anything()),
  },
  { requiredKeys: [] },
)

describe('the policy validator under random and malformed input', { timeout: 60_000 }, () => {
  test('anything at all gives a rolegate or a PolicyError', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        expect(outcome(() => createRolegate({ policy: input as never }))).toBe('policy-error')
      }),
      { numRuns: runs },
    )
  })

  test('near-valid policies give a rolegate or a PolicyError', () => {
    fc.assert(
      fc.property(nearPolicy, (input) => {
        outcome(() => createRolegate({ policy: input as never }))
      }),
      { numRuns: runs },
    )
  })

  test('random text as a JSON or YAML file gives a policy or a PolicyError', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.json()),
        fc.constantFrom('p.json', 'p.yaml'),
        (text, file) => {
          outcome(() => parsePolicy(text, file))
        },
      ),
      { numRuns: runs },
    )
  })
})
