import fc from 'fast-check'
import { describe, expect, test } from 'vitest'

import { createClaimMapper } from './create-claim-mapper.js'
import type { ClaimRule } from './rules.js'

const ISS = 'https://idp.example.test'

// Small alphabets, so generated claims hit generated rules often; look-alikes and junk included.
const value = fc.constantFrom(
  'admin',
  'Admin',
  'admın',
  'ＡＤＭＩＮ',
  'superadmin',
  'ops',
  'g1',
  'g2',
  '42',
  'x y',
)
const role = fc.constantFrom('admin', 'read', 'write', 'analyst')
const claimName = fc.constantFrom('groups', 'roles', 'cognito:groups')
const junk = fc.constantFrom<unknown>(42, null, true, { admin: true }, ['admin'])

const rule: fc.Arbitrary<Omit<ClaimRule, 'id'>> = fc.oneof(
  fc.record(
    {
      claim: claimName,
      map: fc.dictionary(value, fc.oneof(role, fc.array(role, { minLength: 1, maxLength: 2 })), {
        minKeys: 1,
        maxKeys: 3,
      }),
      caseInsensitive: fc.boolean(),
      split: fc.constant('space' as const),
    },
    { requiredKeys: ['claim', 'map'] },
  ),
  fc.record({
    claim: claimName,
    scopes: fc.record({
      prefix: fc.constant('team:'),
      roles: fc.array(role, { minLength: 1, maxLength: 2 }),
    }),
  }),
)

/** Rules whose folded keys collide are refused at creation; keep only those the mapper accepts. */
function acceptable(rules: readonly Omit<ClaimRule, 'id'>[]): ClaimRule[] | undefined {
  const withIds = rules.map((r, i) => ({ ...r, id: `r${i}` }) as ClaimRule)
  try {
    mapperOf(withIds)
    return withIds
  } catch {
    return undefined
  }
}

const mapperOf = (rules: readonly ClaimRule[], defaultRoles?: readonly string[]) =>
  createClaimMapper({
    connections: {
      idp: {
        protocol: 'oidc',
        issuer: ISS,
        rules,
        ...(defaultRoles === undefined ? {} : { defaultRoles }),
      },
    },
  })

const claimValue = fc.oneof(value, fc.array(fc.oneof(value, junk), { maxLength: 8 }), junk)
const claims = fc.record(
  { groups: claimValue, roles: claimValue, 'cognito:groups': claimValue },
  { requiredKeys: [] },
)

function shuffled(claims: Record<string, unknown>, seed: number): Record<string, unknown> {
  const entries = Object.entries(claims).map(([k, v]) => {
    if (!Array.isArray(v)) return [k, v] as const
    const copy: unknown[] = [...(v as unknown[])]
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = (seed * (i + 7)) % (i + 1)
      ;[copy[i], copy[j]] = [copy[j], copy[i]]
    }
    return [k, copy] as const
  })
  return Object.fromEntries(entries.reverse())
}

describe('createClaimMapper: properties', () => {
  test('is deterministic: the same claims in any order of values and keys map the same', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rule, { maxLength: 4 }),
        claims,
        fc.nat(1000),
        async (generated, input, seed) => {
          const rules = acceptable(generated)
          fc.pre(rules !== undefined)
          const mapper = mapperOf(rules)
          const once = await mapper.map({
            connection: 'idp',
            kind: 'id_token',
            claims: { iss: ISS, ...input },
          })
          const again = await mapper.map({
            connection: 'idp',
            kind: 'id_token',
            claims: { iss: ISS, ...shuffled(input, seed) },
          })
          const fresh = await mapperOf(rules).map({
            connection: 'idp',
            kind: 'id_token',
            claims: { iss: ISS, ...input },
          })
          expect(again).toEqual(once)
          expect(fresh).toEqual(once)
        },
      ),
      { numRuns: 300 },
    )
  })

  test('is monotone in its rules: adding rules never removes a role or a scoped role', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rule, { maxLength: 3 }),
        fc.array(rule, { minLength: 1, maxLength: 3 }),
        claims,
        fc.boolean(),
        async (base, more, input, withDefault) => {
          const small = acceptable(base)
          const large = acceptable([...base, ...more])
          fc.pre(small !== undefined && large !== undefined)
          const defaults = withDefault ? ['analyst'] : undefined
          const request = {
            connection: 'idp',
            kind: 'id_token' as const,
            claims: { iss: ISS, ...input },
          }
          const a = await mapperOf(small, defaults).map(request)
          const b = await mapperOf(large, defaults).map(request)
          expect(b.roles).toEqual(expect.arrayContaining([...a.roles]))
          for (const [scope, roles] of Object.entries(a.scoped)) {
            expect(b.scoped[scope]).toEqual(expect.arrayContaining([...roles]))
          }
          expect(b.trace).toEqual(expect.arrayContaining([...a.trace]))
        },
      ),
      { numRuns: 300 },
    )
  })

  test('every role in the result is one the rules or defaults name, and has a trace entry', async () => {
    let hits = 0
    await fc.assert(
      fc.asyncProperty(fc.array(rule, { maxLength: 4 }), claims, async (generated, input) => {
        const rules = acceptable(generated)
        fc.pre(rules !== undefined)
        const result = await mapperOf(rules).map({
          connection: 'idp',
          kind: 'id_token',
          claims: { iss: ISS, ...input },
        })
        hits += result.roles.length > 0 || Object.keys(result.scoped).length > 0 ? 1 : 0
        const traced = new Set(result.trace.filter((t) => t.scope === undefined).map((t) => t.role))
        expect([...traced].sort()).toEqual([...result.roles])
        expect([...result.roles]).toEqual([...result.roles].sort())
        for (const entry of result.trace) {
          // Only strings of the claims ever match; junk never does.
          expect(typeof entry.value).toBe('string')
        }
      }),
      { numRuns: 200 },
    )
    // The generators are only useful if they often produce claims that some rule maps.
    expect(hits).toBeGreaterThan(40)
  })
})
