import {
  createAliasResolver,
  createMongoAbility,
  type MongoAbility,
  type RawRuleOf,
} from '@casl/ability'
import { flatten, internalize, type NeutralPolicy } from '../policies/neutral.js'
import { perUser, type Peer } from './peer.js'

type Rule = RawRuleOf<MongoAbility>

/** write ⇒ read, the CASL way: a rule for `write` also answers `read`. */
const resolveAction = createAliasResolver({ write: 'read' })

/** One rule per role and resource with its effective level: CASL subjects have no tree. */
function rulesByRole(policy: NeutralPolicy): Map<string, Rule[]> {
  const byRole = new Map<string, Rule[]>()
  for (const [role, table] of flatten(policy)) {
    byRole.set(
      role,
      [...table].map(([resource, level]) => ({ action: level, subject: resource })),
    )
  }
  return byRole
}

export const casl: Peer = {
  name: '@casl/ability',
  api: 'sync',
  notes: [
    'subject types have no tree: each role gets one rule per resource at its most specific level',
    'write ⇒ read via createAliasResolver({ write: "read" }); none = no rule',
    "per user: one createMongoAbility(union of the roles' rules), built outside the loop",
    'exclusive roles are an assignment rule CASL has no notion of (no drawn user breaks it)',
  ],
  load(policy) {
    const byRole = rulesByRole(policy)
    const abilities = new Map<string, MongoAbility>()
    return {
      setup(user) {
        const rules = user.roles.flatMap((role) => byRole.get(role) ?? [])
        abilities.set(user.id, createMongoAbility(rules, { resolveAction }))
      },
      check: (user, resource, action) => perUser(abilities, user).can(action, resource),
      prepare(checks) {
        const ability = checks.map((c) => perUser(abilities, c.user))
        const actions = checks.map((c) => internalize(c.action))
        const subjects = checks.map((c) => internalize(c.resource))
        return {
          run(from, to) {
            let allowed = 0
            for (let i = from; i < to; i++)
              if ((ability[i] as MongoAbility).can(actions[i] as string, subjects[i] as string))
                allowed++
            return allowed
          },
          answer: (i) =>
            (ability[i] as MongoAbility).can(actions[i] as string, subjects[i] as string),
        }
      },
    }
  },
  compiler(policy) {
    const perRole = [...rulesByRole(policy).values()]
    const rules = perRole.reduce((n, r) => n + r.length, 0)
    return {
      build: () => perRole.map((r) => createMongoAbility(r, { resolveAction })),
      size: `${rules} rules, ${perRole.length} Abilities (one per role)`,
    }
  },
}

/** The rules a CASL app would build a per-request Ability from, for the context-creation row. */
export function caslRulesFor(policy: NeutralPolicy): (roles: readonly string[]) => Rule[] {
  const byRole = rulesByRole(policy)
  return (roles) => roles.flatMap((role) => byRole.get(role) ?? [])
}

export { resolveAction as caslResolveAction }
