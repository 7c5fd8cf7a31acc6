import type { Peer } from '../peers/peer.js'
import { billwerk, oneRoleUsers, threeRoleUsers } from '../policies/billwerk.js'
import { drawChecks, type Outcome } from '../policies/draw.js'
import { compare, type Case, type Timings } from './compare.js'
import { judgeSameCost, rolegateTiming } from './same-cost.js'

const CHECKS = 1024

/**
 * A. The billwerk matrix (7 roles, 27 areas, rw / r / -): users with one role and users with three,
 * allowed and denied checks timed apart.
 */
export async function billwerkScenario(peers: readonly Peer[]): Promise<Timings> {
  const one = (outcome: Outcome, seed: number): Case => ({
    label: `one role, ${outcome}`,
    checks: drawChecks(billwerk, oneRoleUsers, { count: CHECKS, outcome, seed }),
    targetNs: 60,
  })
  const three = (outcome: Outcome, seed: number): Case => ({
    label: `three roles, ${outcome}`,
    checks: drawChecks(billwerk, threeRoleUsers, { count: CHECKS, outcome, seed }),
    targetNs: 100,
  })
  const cases = [one('allowed', 1), one('denied', 2), three('allowed', 3), three('denied', 4)]
  const timings = await compare(
    'A. billwerk',
    billwerk,
    [...oneRoleUsers, ...threeRoleUsers],
    cases,
    peers,
  )
  for (const roles of ['one role', 'three roles']) {
    judgeSameCost(
      `A. billwerk, ${roles}`,
      rolegateTiming(timings, `${roles}, allowed`),
      rolegateTiming(timings, `${roles}, denied`),
    )
  }
  return timings
}
