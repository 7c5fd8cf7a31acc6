import { createRequire } from 'node:module'
import { flatten, internalize, type NeutralPolicy } from '../policies/neutral.js'
import { perUser, type Peer } from './peer.js'

/** @rbac/rbac ships CommonJS without types: this is the part of its API the bench uses. */
interface RbacRole {
  can: string[]
  inherits?: string[]
}
type RbacCan = (role: string, operation: string) => Promise<boolean>
type RbacFactory = (config: {
  enableLogger: boolean
}) => (roles: Record<string, RbacRole>) => { can: RbacCan }

const RBAC = createRequire(import.meta.url)('@rbac/rbac') as RbacFactory

/** Operations "resource:action" per role; a write level lists both operations. */
function rolesOf(policy: NeutralPolicy): Record<string, RbacRole> {
  const roles: Record<string, RbacRole> = {}
  for (const [role, table] of flatten(policy)) {
    roles[role] = {
      can: [...table].flatMap(([resource, level]) =>
        level === 'write' ? [`${resource}:read`, `${resource}:write`] : [`${resource}:read`],
      ),
    }
  }
  return roles
}

const userRole = (id: string): string => `user:${id}`

export const rbac: Peer = {
  name: '@rbac/rbac',
  api: 'async',
  notes: [
    'can() returns a Promise and there is no sync API: every check is awaited',
    'operations are "resource:action" strings per role, flattened (no tree); write lists both operations',
    "per user: a role that inherits the user's roles (its hierarchy feature), made before the loop",
  ],
  load(policy) {
    const roles = rolesOf(policy)
    let can: RbacCan | undefined
    const users = new Map<string, string>()
    // Roles are fixed once rbac is built, so it is built lazily after every user is set up.
    const check = (role: string, operation: string): Promise<boolean> =>
      (can ??= RBAC({ enableLogger: false })(roles).can)(role, operation)
    return {
      setup(user) {
        if (can !== undefined)
          throw new Error('@rbac/rbac: set up every user before the first check')
        roles[userRole(user.id)] = { can: [], inherits: [...user.roles] }
        users.set(user.id, userRole(user.id))
      },
      check: (user, resource, action) => check(perUser(users, user), `${resource}:${action}`),
      prepare(checks) {
        const role = checks.map((c) => internalize(perUser(users, c.user)))
        const operation = checks.map((c) => internalize(`${c.resource}:${c.action}`))
        return {
          async run(from, to) {
            let allowed = 0
            for (let i = from; i < to; i++)
              if (await check(role[i] as string, operation[i] as string)) allowed++
            return allowed
          },
          answer: (i) => check(role[i] as string, operation[i] as string),
        }
      },
    }
  },
  compiler(policy) {
    const roles = rolesOf(policy)
    const operations = Object.values(roles).reduce((n, r) => n + r.can.length, 0)
    return { build: () => RBAC({ enableLogger: false })(roles), size: `${operations} operations` }
  },
}
