import type { PolicyInput, Rolegate } from '@rolegate/core'
import { policyRolegate } from '../policy-file.js'
import { resourceTree } from '../resource-tree.js'
import { subjectRights, subjectTypeFor, type Right, type SubjectRights } from '../rights.js'

/** A permission whose decision changed for one role: `+` more allowed, `-` less, `~` both or other conditions. */
export interface PermissionChange {
  readonly permission: string
  readonly sign: '+' | '-' | '~'
  /** `allowed`, `denied`, `when "c"` (only when the condition holds) or `unless "c"`. */
  readonly before: string
  readonly after: string
}

/** One role's changes; a role only in one policy is `added` or `removed`. */
export interface RoleChange {
  readonly role: string
  readonly status: 'added' | 'removed' | 'changed'
  readonly permissions: readonly PermissionChange[]
}

/** A change to who may hold what: defaults, conflicts, and roles' exclusive, superuser and subjectTypes. */
export interface PolicyChange {
  readonly path: string
  readonly before: unknown
  readonly after: unknown
}

/** What a policy change does, for review before deploying. */
export interface PolicyDiff {
  readonly policy: readonly PolicyChange[]
  readonly roles: readonly RoleChange[]
}

/** Options of {@link diffPolicies}. */
export interface DiffOptions {
  /** The subject type for every role; by default each role's first `subjectTypes` entry. */
  readonly type?: string | undefined
}

const DENIED: Right = { always: false, whenConditions: false }

/**
 * Compares two valid policies: for every role in either, every permission (resource × action, in
 * either) whose decision for a subject holding only that role differs, as core decides it in each
 * policy. Default roles are compared as roles of their own, and changes to `defaults` are listed.
 */
export function diffPolicies(
  before: PolicyInput,
  after: PolicyInput,
  { type }: DiffOptions = {},
): PolicyDiff {
  const rgBefore = policyRolegate(before, { withDefaults: false })
  const rgAfter = policyRolegate(after, { withDefaults: false })
  const resources = union(
    resourceTree(after.resources).map((row) => row.path),
    resourceTree(before.resources).map((row) => row.path),
  )
  const actions = union(rgAfter.policy.actions, rgBefore.policy.actions)
  const roles = union(Object.keys(after.roles), Object.keys(before.roles))
  const roleChanges: RoleChange[] = []
  for (const role of roles) {
    const old = rightsOf(rgBefore, before, role, type)
    const now = rightsOf(rgAfter, after, role, type)
    const permissions: PermissionChange[] = []
    for (const resource of resources) {
      for (const action of actions) {
        const change = compare(old, now, resource, action)
        if (change !== undefined) permissions.push(change)
      }
    }
    const status = old === undefined ? 'added' : now === undefined ? 'removed' : 'changed'
    if (status !== 'changed' || permissions.length > 0)
      roleChanges.push({ role, status, permissions })
  }
  return { policy: policyChanges(before, after), roles: roleChanges }
}

function union(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second])]
}

function rightsOf(
  rg: Rolegate,
  policy: PolicyInput,
  role: string,
  type: string | undefined,
): SubjectRights | undefined {
  if (!Object.hasOwn(policy.roles, role)) return undefined
  return subjectRights(rg, { id: 'diff', type: subjectTypeFor(policy, role, type), roles: [role] })
}

function describe(right: Right, rights: SubjectRights | undefined, resource: string): string {
  if (right.always === right.whenConditions) return right.always ? 'allowed' : 'denied'
  const names = (rights?.conditionsAt(resource) ?? []).map((c) => `"${c}"`).join(' and ')
  return `${right.always ? 'unless' : 'when'} ${names}`
}

function compare(
  old: SubjectRights | undefined,
  now: SubjectRights | undefined,
  resource: string,
  action: string,
): PermissionChange | undefined {
  const a = old?.right(resource, action) ?? DENIED
  const b = now?.right(resource, action) ?? DENIED
  const before = describe(a, old, resource)
  const after = describe(b, now, resource)
  if (before === after) return undefined
  const gained = (!a.always && b.always) || (!a.whenConditions && b.whenConditions)
  const lost = (a.always && !b.always) || (a.whenConditions && !b.whenConditions)
  const sign = gained && !lost ? '+' : lost && !gained ? '-' : '~'
  return { permission: `${resource}:${action}`, sign, before, after }
}

function policyChanges(before: PolicyInput, after: PolicyInput): PolicyChange[] {
  const changes: PolicyChange[] = []
  const note = (path: string, old: unknown, now: unknown): void => {
    if (JSON.stringify(old) !== JSON.stringify(now)) changes.push({ path, before: old, after: now })
  }
  note('defaults', [...(before.defaults ?? [])].sort(), [...(after.defaults ?? [])].sort())
  const pairs = (policy: PolicyInput): string[][] =>
    (policy.conflicts ?? [])
      .map((pair) => [...pair].sort())
      .sort((x, y) => x.join().localeCompare(y.join()))
  note('conflicts', pairs(before), pairs(after))
  for (const role of Object.keys(after.roles)) {
    if (!Object.hasOwn(before.roles, role)) continue
    const old = before.roles[role]
    const now = after.roles[role]
    const at = `roles.${role}`
    note(`${at}.superuser`, old?.superuser === true, now?.superuser === true)
    note(`${at}.exclusive`, old?.exclusive === true, now?.exclusive === true)
    const types = (list: readonly string[] | undefined): string[] | null =>
      list === undefined ? null : [...list].sort()
    note(`${at}.subjectTypes`, types(old?.subjectTypes), types(now?.subjectTypes))
  }
  return changes
}
