import { AssignmentError } from '../errors.js'
import type { CompiledPolicy } from '../policy/compile-policy.js'
import { checkGrants } from '../policy/validate-policy.js'
import { buildRoleSet } from '../role-set.js'
import type { Assignments } from './types.js'

/**
 * Refuses assignments that the policy forbids: unknown roles, held roles whose subject types exclude
 * the subject, an exclusive role combined with another, a conflicting pair, and direct grants that
 * would not pass in a role (an undeclared resource, an unknown action, a condition without a
 * function). Each scope is checked together with the global roles, as decisions see them. Stores
 * call it inside their atomic step, with assignments of the right shape (`assignmentsProblem`).
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
  if (assignments.grants !== undefined) checkDirectGrants(policy, subjectId, assignments.grants)
}

/**
 * Refuses direct grants the policy would refuse in a role. Decisions drop such entries anyway (they
 * grant nothing), so storing them would only hide a typo until someone wonders why.
 */
function checkDirectGrants(policy: CompiledPolicy, subjectId: string, grants: unknown): void {
  const problems: string[] = []
  const context = {
    resources: policy.resourceIndex,
    actions: policy.actionIndex,
    conditions: policy.conditionNames,
  }
  checkGrants(grants, 'grants', context, (path, message) => problems.push(`${path}: ${message}`))
  if (problems.length > 0)
    throw new AssignmentError(subjectId, `invalid direct grants: ${problems.join('; ')}`)
}
