import { createRolegate, type PolicyInput, type RoleContext, type RoleInput } from '@rolegate/core'
import { internalize, type NeutralPolicy } from '../policies/neutral.js'
import { perUser, type Peer } from './peer.js'

/** The neutral policy as written: rolegate has the tree, `none`, exclusivity and write ⇒ read. */
export function rolegatePolicy(policy: NeutralPolicy): PolicyInput {
  const roles: Record<string, RoleInput> = {}
  for (const [name, role] of Object.entries(policy.roles)) {
    roles[name] = {
      grants: { ...role.grants },
      ...(role.exclusive === true ? { exclusive: true } : {}),
    }
  }
  return { resources: [...policy.resources], roles }
}

export const rolegate: Peer = {
  name: 'rolegate',
  api: 'sync',
  notes: [
    'the policy as written: resource tree (most specific wins), none, exclusive roles, write ⇒ read',
    'rg.context({ id, roles }) made once per user outside the loop, then ctx.can("resource:action")',
  ],
  load(policy) {
    const rg = createRolegate({ policy: rolegatePolicy(policy) })
    const contexts = new Map<string, RoleContext>()
    return {
      setup(user) {
        contexts.set(user.id, rg.context({ id: user.id, roles: user.roles }))
      },
      check: (user, resource, action) => perUser(contexts, user).can(`${resource}:${action}`),
      prepare(checks) {
        const ctxs = checks.map((c) => perUser(contexts, c.user))
        const permissions = checks.map((c) => internalize(`${c.resource}:${c.action}`))
        return {
          run(from, to) {
            let allowed = 0
            for (let i = from; i < to; i++)
              if ((ctxs[i] as RoleContext).can(permissions[i] as string)) allowed++
            return allowed
          },
          answer: (i) => (ctxs[i] as RoleContext).can(permissions[i] as string),
        }
      },
    }
  },
  compiler(policy) {
    const input = rolegatePolicy(policy)
    const grants = Object.values(input.roles).reduce(
      (n, r) => n + Object.keys(r.grants ?? {}).length,
      0,
    )
    return { build: () => createRolegate({ policy: input }), size: `${grants} grants, 1 policy` }
  },
}
