import type { CompiledGrant, CompiledPermission, CompiledPolicy } from './policy/compile-policy.js'
import type { Condition, GrantInput, Subject } from './policy/types.js'
import type { GrantSource, RoleConflict, RoleSet } from './role-set.js'

/** Why a decision came out as it did. */
export type DecisionReason =
  | 'superuser'
  | 'granted'
  | 'no-grant'
  | 'restricted'
  | 'unknown-resource'
  | 'unknown-action'
  | 'exclusive-conflict'
  | 'condition-failed'
  | 'condition-needs-resource'
  /** Never from `can` or `explain`: what a refused impersonation's 403 carries (see `impersonate`). */
  | 'impersonation-refused'

/** The grant that decided: where it was written and what it says. */
export interface DecidingGrant {
  /** The resource path the grant is written on (may be an ancestor of the one checked). */
  readonly resource: string
  /** The grant as written in the policy or the subject's direct grants. */
  readonly value: GrantInput
  /** `true` for the subject's direct grants (ACLs beside roles). */
  readonly direct: boolean
}

/** An explained decision. `role` and `grant` name what allowed, restricted or conflicted. */
export interface Decision {
  readonly allowed: boolean
  readonly reason: DecisionReason
  readonly permission: string
  readonly scope?: string
  /** The role that allowed (or restricted); for `exclusive-conflict`, the first of the two. */
  readonly role?: string
  readonly grant?: DecidingGrant
  /** For `exclusive-conflict`: the two roles that may not be held together. */
  readonly conflict?: RoleConflict
}

/** What a check needs besides the role set: the subject, the conditions, and perhaps an instance. */
export interface CheckInput {
  readonly subject: Subject
  readonly conditions: Readonly<Record<string, Condition>>
  /** The resource instance, for conditional grants; `undefined` when none was given. */
  readonly resource: unknown
}

function holds(grant: CompiledGrant, input: CheckInput): boolean {
  if (input.resource === undefined || grant.when === undefined) return false
  const condition = Object.hasOwn(input.conditions, grant.when)
    ? input.conditions[grant.when]
    : undefined
  try {
    // Only a literal `true` counts: a truthy promise or object must never allow.
    return condition?.(input.subject, input.resource) === true
  } catch {
    return false
  }
}

/** The mask a source gives on resource `r`: its first holding conditional grant, else its base. */
function sourceMask(source: GrantSource, r: number, input: CheckInput): number {
  const chain = source.conditional.get(r)
  if (chain !== undefined) for (const grant of chain) if (holds(grant, input)) return grant.mask
  return source.base[r] as number
}

/** The fast path: is `permission` allowed by `set`? Allocates nothing unless conditions are weighed. */
export function allows(set: RoleSet, permission: CompiledPermission, input: CheckInput): boolean {
  return allowsWithoutInput(set, permission) ?? allowsByCondition(set, permission, input)
}

/**
 * Whether `set` allows `permission`, when that can be told without a resource instance; `undefined`
 * when conditional grants must be weighed ({@link allowsByCondition}). Lets a caller build the
 * check's input only when a condition needs it.
 */
export function allowsWithoutInput(
  set: RoleSet,
  permission: CompiledPermission,
): boolean | undefined {
  if (set.conflict !== undefined) return false
  if (set.superuser !== undefined) return true
  const r = permission.resource
  if (((set.allow[r] as number) & permission.bit) !== 0) return true
  if (set.conditionalAt?.[r] !== 1) return false
  return undefined
}

/** Whether one of the conditional grants on the permission's resource holds and allows it. */
export function allowsByCondition(
  set: RoleSet,
  permission: CompiledPermission,
  input: CheckInput,
): boolean {
  const r = permission.resource
  for (const source of set.sources) {
    if (source.conditional.has(r) && (sourceMask(source, r, input) & permission.bit) !== 0)
      return true
  }
  return false
}

/**
 * Why `permission` is not a permission of `policy`: `unknown-resource` or `unknown-action`. Anything
 * but a string (an `undefined` from a route's metadata) names no resource at all.
 */
export function unknownPermissionReason(
  policy: CompiledPolicy,
  permission: unknown,
): 'unknown-resource' | 'unknown-action' {
  if (typeof permission !== 'string') return 'unknown-resource'
  const colon = permission.lastIndexOf(':')
  const resource = colon === -1 ? permission : permission.slice(0, colon)
  return policy.resourceIndex.has(resource) ? 'unknown-action' : 'unknown-resource'
}

/**
 * A permission as a decision names it: itself when a string; anything else (which JavaScript
 * callers can pass) as its type, without calling its `toString`, which may throw or lie.
 */
export function permissionName(permission: unknown): string {
  if (typeof permission === 'string') return permission
  const isObject =
    (typeof permission === 'object' && permission !== null) || typeof permission === 'function'
  return isObject ? `[${typeof permission}]` : String(permission)
}

/**
 * The explained decision (DESIGN.md steps 2 to 5). Its `allowed` always equals {@link allows}; when
 * denied, the reason is the most telling one: a condition that needed an instance, a condition that
 * failed, an explicit restriction, or no grant at all.
 */
export function explainDecision(
  set: RoleSet,
  permission: CompiledPermission,
  input: CheckInput,
  scope: string | undefined,
): Decision {
  const base = { permission: permission.permission, ...(scope === undefined ? {} : { scope }) }
  if (set.conflict !== undefined) {
    return {
      ...base,
      allowed: false,
      reason: 'exclusive-conflict',
      role: set.conflict.roles[0],
      conflict: set.conflict,
    }
  }
  if (set.superuser !== undefined)
    return { ...base, allowed: true, reason: 'superuser', role: set.superuser }
  const r = permission.resource
  const { bit } = permission
  let needsResource: { role: string | undefined; grant: CompiledGrant } | undefined
  let failed: { role: string | undefined; grant: CompiledGrant } | undefined
  let restricted: { role: string | undefined; grant: CompiledGrant } | undefined
  for (const source of set.sources) {
    let winner: CompiledGrant | undefined
    for (const grant of source.conditional.get(r) ?? []) {
      if (holds(grant, input)) {
        winner = grant
        break
      }
      if ((grant.mask & bit) === 0) continue
      if (input.resource === undefined) needsResource ??= { role: source.name, grant }
      else failed ??= { role: source.name, grant }
    }
    winner ??= source.grants[source.baseGrant[r] as number]
    if (winner === undefined) continue
    if ((winner.mask & bit) !== 0) {
      return { ...base, allowed: true, reason: 'granted', ...describe(source.name, winner) }
    }
    if (winner.value === 'none') restricted ??= { role: source.name, grant: winner }
  }
  if (needsResource !== undefined) {
    return {
      ...base,
      allowed: false,
      reason: 'condition-needs-resource',
      ...describe(needsResource.role, needsResource.grant),
    }
  }
  if (failed !== undefined)
    return {
      ...base,
      allowed: false,
      reason: 'condition-failed',
      ...describe(failed.role, failed.grant),
    }
  if (restricted !== undefined) {
    return {
      ...base,
      allowed: false,
      reason: 'restricted',
      ...describe(restricted.role, restricted.grant),
    }
  }
  return { ...base, allowed: false, reason: 'no-grant' }
}

function describe(
  role: string | undefined,
  grant: CompiledGrant,
): { role?: string; grant: DecidingGrant } {
  const deciding = { resource: grant.resource, value: grant.value, direct: role === undefined }
  return role === undefined ? { grant: deciding } : { role, grant: deciding }
}
