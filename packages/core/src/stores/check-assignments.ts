import { AssignmentError } from '../errors.js'
import type { CompiledPolicy } from '../policy/compile-policy.js'
import { buildRoleSet } from '../role-set.js'
import type { Assignments } from './types.js'

/**
 * Refuses assignments that the policy forbids: unknown roles, held roles whose subject types exclude
 * the subject, an exclusive role combined with another, a conflicting pair. Each scope is checked
 * together with the global roles, as decisions see them. Stores call it inside their atomic step.
 *
 * Only the roles assigned are held to their subject types. A default or inherited role that the
 * type excludes is dropped from decisions (and reported by `ctx.roles()`), as for any subject of
 * that type; refusing for it would leave such a subject with nothing that could be assigned.
 *
 * @throws {@link AssignmentError} naming the rule that was broken.
 */
export function checkAssignments(
  policy: CompiledPolicy,
  subjectId: string,
  assignments: Assignments,
): void {
  const views: [string, readonly string[]][] = [['globally', assignments.roles]]
  for (const scope of Object.keys(assignments.scoped)) {
    views.push([
      `in scope "${scope}"`,
      [...assignments.roles, ...(assignments.scoped[scope] ?? [])],
    ])
  }
  for (const [where, held] of views) {
    const set = buildRoleSet(policy, held, assignments.type, undefined)
    const dropped = set.dropped.find((d) => held.includes(d.role))
    if (dropped?.reason === 'unknown-role') {
      throw new AssignmentError(subjectId, `unknown role "${dropped.role}" ${where}`)
    }
    if (dropped?.reason === 'subject-type') {
      const type =
        assignments.type === undefined
          ? 'a subject without a type'
          : `subject type "${assignments.type}"`
      throw new AssignmentError(
        subjectId,
        `role "${dropped.role}" cannot be given to ${type} (${where})`,
      )
    }
    if (set.conflict?.kind === 'exclusive') {
      const [exclusive, other] = set.conflict.roles
      throw new AssignmentError(
        subjectId,
        `role "${exclusive}" is exclusive and cannot be combined with "${other}" ${where}`,
      )
    }
    if (set.conflict?.kind === 'conflict') {
      const [a, b] = set.conflict.roles
      throw new AssignmentError(
        subjectId,
        `roles "${a}" and "${b}" conflict and cannot be held together ${where}`,
      )
    }
  }
}
