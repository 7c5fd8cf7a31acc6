import type { CompiledPolicy, CompiledRole } from './policy/compile-policy.js'

/** A role a subject holds that does not count, and why. */
export interface DroppedRole {
  readonly role: string
  readonly reason: 'unknown-role' | 'subject-type'
}

/** Why every decision for this role set denies: an exclusive role held with another, or a conflicting pair. */
export interface RoleConflict {
  readonly kind: 'exclusive' | 'conflict'
  readonly roles: readonly [string, string]
}

/** A source of grants in force: a policy role, or the subject's direct grants. */
export type GrantSource = Pick<CompiledRole, 'base' | 'baseGrant' | 'conditional' | 'grants'> & {
  /** The role's name; undefined for direct grants. */
  readonly name: string | undefined
}

/**
 * The roles in force for one combination of held roles and subject type, with a merged table for the
 * fast path. Shared by every context with the same combination.
 */
export interface RoleSet {
  /** Held roles after dropping unknown and wrong-type ones, in policy order. */
  readonly held: readonly string[]
  /** Roles in force: held, inherited and default roles, in policy order. */
  readonly inForce: readonly string[]
  /** Held, inherited and default roles that do not count, each once, held ones first. */
  readonly dropped: readonly DroppedRole[]
  readonly conflict: RoleConflict | undefined
  /** The first superuser role in force, if any. */
  readonly superuser: string | undefined
  /** Grant sources in force, in policy order, direct grants last. */
  readonly sources: readonly GrantSource[]
  /** Per resource: actions some source gives without any condition involved. */
  readonly allow: Int32Array
  /** Per resource: 1 where some source has conditional grants to weigh. Absent when none does. */
  readonly conditionalAt: Uint8Array | undefined
}

/**
 * Resolves held role names into the roles in force (DESIGN.md steps 1 and 2): unknown names and roles
 * whose subject types exclude the subject are dropped, inheritance is followed, exclusivity and
 * conflicts are checked over the held roles and what they inherit, then default roles are added.
 */
export function buildRoleSet(
  policy: CompiledPolicy,
  heldNames: readonly string[],
  subjectType: string | undefined,
  direct: GrantSource | undefined,
): RoleSet {
  const dropped: DroppedRole[] = []
  // Each once: a role two held roles inherit, or one inherited and a default, is one report. The
  // set is made on the first drop: most role sets drop nothing.
  let reported: Set<string> | undefined
  const drop = (role: string, reason: DroppedRole['reason']): void => {
    reported ??= new Set()
    if (!reported.has(role)) dropped.push({ role, reason })
    reported.add(role)
  }
  const allowedFor = (role: CompiledRole): boolean =>
    role.subjectTypes === undefined ||
    (subjectType !== undefined && role.subjectTypes.has(subjectType))
  const held = new Set<number>()
  for (const name of heldNames) {
    const index = policy.roleIndex.get(name)
    const role = index === undefined ? undefined : policy.roles[index]
    if (role === undefined) drop(name, 'unknown-role')
    else if (!allowedFor(role)) drop(name, 'subject-type')
    else held.add(role.index)
  }
  const expand = (start: Iterable<number>, into: Set<number>): void => {
    const queue = [...start]
    for (let index = queue.pop(); index !== undefined; index = queue.pop()) {
      const role = policy.roles[index] as CompiledRole
      if (into.has(index)) continue
      if (!allowedFor(role)) {
        drop(role.name, 'subject-type')
        continue
      }
      into.add(index)
      queue.push(...role.inherits)
    }
  }
  const withInherited = new Set<number>()
  expand(held, withInherited)
  const conflict = findConflict(policy, held, withInherited)
  const inForceIndexes = new Set(withInherited)
  expand(policy.defaults, inForceIndexes)
  const inForce = [...inForceIndexes]
    .sort((a, b) => a - b)
    .map((i) => policy.roles[i] as CompiledRole)
  const sources: GrantSource[] = [...inForce]
  if (direct !== undefined) sources.push(direct)
  return {
    held: [...held].sort((a, b) => a - b).map((i) => (policy.roles[i] as CompiledRole).name),
    inForce: inForce.map((role) => role.name),
    dropped,
    conflict,
    superuser: inForce.find((role) => role.superuser)?.name,
    sources,
    ...mergeTables(policy.resources.length, sources),
  }
}

function findConflict(
  policy: CompiledPolicy,
  held: ReadonlySet<number>,
  withInherited: ReadonlySet<number>,
): RoleConflict | undefined {
  const name = (index: number): string => (policy.roles[index] as CompiledRole).name
  if (held.size > 1) {
    for (const index of withInherited) {
      if (!(policy.roles[index] as CompiledRole).exclusive) continue
      // The partner named is a held role that does not bring the exclusive one itself: with `ops`
      // inheriting exclusive `ro`, ops+other conflicts over `other`, not over `ops`. Only when
      // every other held role brings it (or is it) is one of those named.
      const other =
        [...held].find((h) => h !== index && !inherits(policy, h, index)) ??
        [...held].find((h) => h !== index)
      return { kind: 'exclusive', roles: [name(index), name(other as number)] }
    }
  }
  for (const [a, b] of policy.conflicts) {
    if (withInherited.has(a) && withInherited.has(b))
      return { kind: 'conflict', roles: [name(a), name(b)] }
  }
  return undefined
}

/** Whether role `from` inherits role `target`, directly or through other roles. */
function inherits(policy: CompiledPolicy, from: number, target: number): boolean {
  const seen = new Set<number>()
  const queue = [...(policy.roles[from] as CompiledRole).inherits]
  for (let index = queue.pop(); index !== undefined; index = queue.pop()) {
    if (index === target) return true
    if (seen.has(index)) continue
    seen.add(index)
    queue.push(...(policy.roles[index] as CompiledRole).inherits)
  }
  return false
}

function mergeTables(
  size: number,
  sources: readonly GrantSource[],
): Pick<RoleSet, 'allow' | 'conditionalAt'> {
  const allow = new Int32Array(size)
  let conditionalAt: Uint8Array | undefined
  for (const source of sources) {
    const { base, conditional } = source
    if (conditional.size === 0) {
      for (let r = 0; r < size; r++) allow[r] = (allow[r] as number) | (base[r] as number)
      continue
    }
    conditionalAt ??= new Uint8Array(size)
    for (let r = 0; r < size; r++) {
      // Where a conditional grant is more specific than the base, the base is not certain to apply.
      if (conditional.has(r)) conditionalAt[r] = 1
      else allow[r] = (allow[r] as number) | (base[r] as number)
    }
  }
  return { allow, conditionalAt }
}
