import type { Peer } from '../peers/peer.js'
import { drawChecks, type Outcome } from '../policies/draw.js'
import { largePolicy, largeUsers } from '../policies/large.js'
import type { NeutralPolicy, User } from '../policies/neutral.js'
import { duration } from '../report.js'
import { judge } from '../targets.js'
import { compare, type Case, type Timings } from './compare.js'
import { judgeSameCost, rolegateTiming } from './same-cost.js'

const CHECKS = 4096

/** The policy and users of scenario B, shared with C, context creation and allocation. */
export function largeFixture(): { policy: NeutralPolicy; users: User[] } {
  const policy = largePolicy()
  return { policy, users: largeUsers(policy) }
}

/**
 * B. 200 roles × 500 resources (40,000 grants), 512 users with 1 to 5 roles, random checks drawn
 * beforehand: mixed, allowed only, denied only, and one three-role user alone (same shape as A's
 * three-role rows, 20 times the policy: does the check grow with policy size?).
 */
export async function largeScenario(peers: readonly Peer[], a: Timings): Promise<Timings> {
  const { policy, users } = largeFixture()
  const draw = (outcome: Outcome, seed: number): Case => ({
    label: `${outcome}, 512 users`,
    checks: drawChecks(policy, users, { count: CHECKS, outcome, seed }),
    targetNs: 300,
  })
  const single = users.find((u) => u.roles.length === 3) as User
  const cases: Case[] = [
    draw('mixed', 11),
    draw('allowed', 12),
    draw('denied', 13),
    {
      label: 'mixed, one three-role user',
      checks: drawChecks(policy, [single], { count: 1024, outcome: 'mixed', seed: 14 }),
    },
  ]
  const timings = await compare('B. 200 roles × 500 resources', policy, users, cases, peers)

  judgeSameCost(
    'B. large, 512 users',
    rolegateTiming(timings, 'allowed, 512 users'),
    rolegateTiming(timings, 'denied, 512 users'),
  )
  const mixed = rolegateTiming(timings, 'mixed, 512 users')
  const casl = timings.get('mixed, 512 users')?.get('@casl/ability')
  if (casl !== undefined) {
    judge({
      scenario: 'B. large, mixed, 512 users',
      target: '≥ 3x faster than CASL',
      measured: `${(casl.ns / mixed.ns).toFixed(1)}x (CASL ${duration(casl.ns)})`,
      pass: casl.ns / mixed.ns >= 3,
    })
  }
  // Same user shape as A's three-role rows, 20x the resources and 30x the roles.
  const small =
    (rolegateTiming(a, 'three roles, allowed').ns + rolegateTiming(a, 'three roles, denied').ns) / 2
  const large = rolegateTiming(timings, 'mixed, one three-role user').ns
  judge({
    scenario: 'A → B, one three-role user',
    target: 'does not grow with policy size (≤ 1.5x)',
    measured: `${duration(small)} → ${duration(large)} (${(large / small).toFixed(2)}x)`,
    pass: large / small <= 1.5,
  })
  return timings
}
