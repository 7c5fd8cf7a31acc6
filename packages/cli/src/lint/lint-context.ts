import type { PolicyInput, RoleContext, Rolegate } from '@rolegate/core'
import { policyRolegate } from '../policy-file.js'

/** What every lint rule gets: the policy, and core to ask. */
export interface LintContext {
  readonly policy: PolicyInput
  /** Role names in policy order. */
  readonly roles: readonly string[]
  /** The subject types worth trying: none, and each type a role names (any other behaves as none). */
  readonly types: readonly (string | undefined)[]
  /** A context holding `roles`, with the policy's default roles (as every real subject has). */
  context(type: string | undefined, roles: readonly string[]): RoleContext
  /** A context holding exactly `roles` and what they inherit: the policy without its defaults. */
  ownContext(type: string | undefined, roles: readonly string[]): RoleContext
  /** The subject types for which core lets a subject hold `role`. */
  heldTypes(role: string): (string | undefined)[]
  /** `role` and every role it inherits, directly or not, as written in the policy. */
  closure(role: string): string[]
  /** Each role that default roles bring (the defaults and what they inherit) → the default bringing it. */
  readonly fromDefaults: ReadonlyMap<string, string>
  /** The index of a role in `policy.defaults`, or of the default that brings it. */
  defaultIndex(role: string): number
  /** The subject types a role may be given to, for messages: `any type` or `"a", "b"`. */
  describeTypes(role: string): string
}

/** Builds the lint context of a valid policy. */
export function lintContext(policy: PolicyInput): LintContext {
  const rg = policyRolegate(policy)
  const own = policyRolegate(policy, { withDefaults: false })
  const roles = Object.keys(policy.roles)
  const typeNames = new Set(roles.flatMap((role) => policy.roles[role]?.subjectTypes ?? []))
  const types = [undefined, ...typeNames]
  const contextOf =
    (gate: Rolegate) =>
    (type: string | undefined, held: readonly string[]): RoleContext =>
      gate.context({ id: 'lint', type, roles: held })
  const ownContext = contextOf(own)
  const closure = (role: string): string[] => {
    const seen = new Set<string>()
    const queue = [role]
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (seen.has(next)) continue
      seen.add(next)
      queue.push(...(policy.roles[next]?.inherits ?? []))
    }
    return [...seen]
  }
  const defaults = policy.defaults ?? []
  const fromDefaults = new Map<string, string>()
  for (const name of defaults) {
    for (const role of closure(name)) if (!fromDefaults.has(role)) fromDefaults.set(role, name)
  }
  return {
    policy,
    roles,
    types,
    context: contextOf(rg),
    ownContext,
    heldTypes: (role) =>
      types.filter((type) => ownContext(type, [role]).roles().held.includes(role)),
    closure,
    fromDefaults,
    defaultIndex: (role) => defaults.indexOf(fromDefaults.get(role) ?? role),
    describeTypes: (role) => {
      const list = policy.roles[role]?.subjectTypes
      return list === undefined ? 'any type' : list.map((type) => `"${type}"`).join(', ')
    },
  }
}
