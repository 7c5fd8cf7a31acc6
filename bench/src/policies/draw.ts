import { pick, seededRandom } from './large.js'
import { ACTIONS, allows, type Check, type NeutralPolicy, type User } from './neutral.js'

/** Which checks a list holds. */
export type Outcome = 'allowed' | 'denied' | 'mixed'

/**
 * Draws `count` checks (user, resource, action) uniformly, before any timing. `allowed` and
 * `denied` lists keep only checks whose reference answer is that, so both sides of a decision
 * are timed on their own.
 */
export function drawChecks(
  policy: NeutralPolicy,
  users: readonly User[],
  options: { readonly count: number; readonly outcome: Outcome; readonly seed: number },
): Check[] {
  const random = seededRandom(options.seed)
  const checks: Check[] = []
  for (let tries = 0; checks.length < options.count; tries++) {
    if (tries > options.count * 1000) throw new Error(`cannot draw ${options.outcome} checks`)
    const user = users[pick(random, users.length)] as User
    const resource = policy.resources[pick(random, policy.resources.length)] as string
    const action = ACTIONS[pick(random, ACTIONS.length)] as Check['action']
    const allowed = allows(policy, user, resource, action)
    if (options.outcome === 'mixed' || allowed === (options.outcome === 'allowed'))
      checks.push({ user, resource, action })
  }
  return checks
}
