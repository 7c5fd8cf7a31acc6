/**
 * The neutral policy every library is given: roles → resource → level, read/write only. Its meaning
 * is rolegate's (DESIGN.md "A decision"): inside one role the most specific dotted path wins
 * (`none` restricts), across roles the most permissive applies, and `write` implies `read`.
 * Peers without a resource tree get {@link flatten}'s per-role tables, which say the same thing.
 */

/** A grant as the billwerk page writes it: `rw`, `r` or `-`. */
export type Level = 'write' | 'read' | 'none'

/** The two actions of every bench policy. */
export type Action = 'read' | 'write'

export const ACTIONS: readonly Action[] = ['read', 'write']

export interface NeutralRole {
  /** May not be held with another role (billwerk's Admin, ReadOnlyOperations). */
  readonly exclusive?: boolean
  /** Dotted resource path → level. A path need not be in `resources` if it is a prefix of one. */
  readonly grants: Readonly<Record<string, Level>>
}

export interface NeutralPolicy {
  readonly name: string
  /** The resources checks are drawn from, dotted paths. */
  readonly resources: readonly string[]
  readonly roles: Readonly<Record<string, NeutralRole>>
}

export interface User {
  readonly id: string
  readonly roles: readonly string[]
}

export interface Check {
  readonly user: User
  readonly resource: string
  readonly action: Action
}

/** Per role: resource → effective level, `none` left out. Every resource of the policy is covered. */
export type FlatPolicy = ReadonlyMap<string, ReadonlyMap<string, 'read' | 'write'>>

const flat = new WeakMap<NeutralPolicy, FlatPolicy>()

/** Each role's most specific grant on each resource: what peers without a tree are given. */
export function flatten(policy: NeutralPolicy): FlatPolicy {
  const cached = flat.get(policy)
  if (cached !== undefined) return cached
  const roles = new Map<string, Map<string, 'read' | 'write'>>()
  for (const [name, role] of Object.entries(policy.roles)) {
    const table = new Map<string, 'read' | 'write'>()
    for (const resource of policy.resources) {
      const level = mostSpecific(role.grants, resource)
      if (level === 'read' || level === 'write') table.set(resource, level)
    }
    roles.set(name, table)
  }
  flat.set(policy, roles)
  return roles
}

function mostSpecific(grants: Readonly<Record<string, Level>>, resource: string): Level {
  for (let path = resource; ; path = path.slice(0, path.lastIndexOf('.'))) {
    if (Object.hasOwn(grants, path)) return grants[path] as Level
    if (!path.includes('.')) return 'none'
  }
}

/** The reference answer, straight from the flattened tables. */
export function allows(
  policy: NeutralPolicy,
  user: User,
  resource: string,
  action: Action,
): boolean {
  const roles = flatten(policy)
  return user.roles.some((role) => {
    const level = roles.get(role)?.get(resource)
    return level === 'write' || (level === 'read' && action === 'read')
  })
}

/**
 * The same string as an internalized one, as a literal in source code is. Strings built by
 * concatenation are ropes until first flattened; giving every library the same internalized
 * strings keeps that cost out of every timed loop alike.
 */
export function internalize(value: string): string {
  return Object.keys({ [value]: 0 })[0] as string
}
