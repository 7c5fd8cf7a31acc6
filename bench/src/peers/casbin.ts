import { newEnforcer, newModelFromString, StringAdapter, type Enforcer } from 'casbin'
import { flatten, internalize, type NeutralPolicy } from '../policies/neutral.js'
import type { Peer } from './peer.js'

/**
 * Casbin's RBAC model. `p` lines carry each role's effective level per resource; write ⇒ read is
 * in the matcher. The matcher tests the cheap string equalities before `g()`, as a tuned
 * deployment would: casbin evaluates the matcher once per `p` line.
 */
const MODEL = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.obj == p.obj && (r.act == p.act || p.act == "write") && g(r.sub, p.sub)
`

/** One `p` line per role and resource, at its effective level. */
export function policyLines(policy: NeutralPolicy): string[] {
  const lines: string[] = []
  for (const [role, table] of flatten(policy))
    for (const [resource, level] of table) lines.push(`p, ${role}, ${resource}, ${level}`)
  return lines
}

/** An enforcer over the bench's model and `lines` (used by the HTTP guard too). */
export async function enforcerFor(lines: readonly string[]): Promise<Enforcer> {
  return newEnforcer(newModelFromString(MODEL), new StringAdapter(lines.join('\n')))
}

export const casbin: Peer = {
  name: 'casbin',
  api: 'sync',
  notes: [
    'one p line per role and resource at its most specific level (no tree with overrides in the RBAC model)',
    'write ⇒ read in the matcher; users get g lines user → role; enforceSync(user, obj, act)',
    'enforce() is async; enforceSync() is the sync API and is what is timed',
    'every check evaluates the matcher on each p line until one allows: cost grows with the policy',
  ],
  async load(policy) {
    const enforcer = await enforcerFor(policyLines(policy))
    return {
      async setup(user) {
        for (const role of user.roles) await enforcer.addGroupingPolicy(user.id, role)
      },
      check: (user, resource, action) => enforcer.enforceSync(user.id, resource, action),
      prepare(checks) {
        const subs = checks.map((c) => internalize(c.user.id))
        const objs = checks.map((c) => internalize(c.resource))
        const acts = checks.map((c) => internalize(c.action))
        return {
          run(from, to) {
            let allowed = 0
            for (let i = from; i < to; i++)
              if (enforcer.enforceSync(subs[i], objs[i], acts[i])) allowed++
            return allowed
          },
          answer: (i) => enforcer.enforceSync(subs[i], objs[i], acts[i]),
        }
      },
    }
  },
  compiler(policy) {
    const lines = policyLines(policy)
    return { build: () => enforcerFor(lines), size: `${lines.length} p lines` }
  },
}
