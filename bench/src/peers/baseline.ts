import { allows, internalize, type Check, type User } from '../policies/neutral.js'
import { perUser, type Peer } from './peer.js'

/**
 * The floor: per user, a hand-written Set of the "resource:action" strings that user may do,
 * precomputed from the reference answers. One `Set.has` per check; no policy engine at all.
 */
export const baseline: Peer = {
  name: 'Set.has (hand-written)',
  api: 'sync',
  notes: ['not a library: a precomputed Set of allowed "resource:action" strings per user'],
  load(policy) {
    const sets = new Map<string, Set<string>>()
    return {
      setup(user: User) {
        const set = new Set<string>()
        for (const resource of policy.resources)
          for (const action of ['read', 'write'] as const)
            if (allows(policy, user, resource, action)) set.add(`${resource}:${action}`)
        sets.set(user.id, set)
      },
      check: (user, resource, action) => perUser(sets, user).has(`${resource}:${action}`),
      prepare(checks: readonly Check[]) {
        const held = checks.map((c) => perUser(sets, c.user))
        const permissions = checks.map((c) => internalize(`${c.resource}:${c.action}`))
        return {
          run(from, to) {
            let allowed = 0
            for (let i = from; i < to; i++)
              if ((held[i] as Set<string>).has(permissions[i] as string)) allowed++
            return allowed
          },
          answer: (i) => (held[i] as Set<string>).has(permissions[i] as string),
        }
      },
    }
  },
}
