import { invalidArgument } from '../errors.js'
import { isRecord } from '../is-record.js'
import type { Assignments } from './types.js'

function isNameList(value: unknown): value is readonly string[] {
  if (!Array.isArray(value)) return false
  for (const name of value as unknown[]) if (typeof name !== 'string') return false
  return true
}

/**
 * What is wrong with `value` as `Assignments`, or `undefined` when it has their shape. A store's
 * answer is runtime data (a Redis hash, a database row), so a store reading it back and the context
 * resolver receiving it check it here: a wrong shape is refused, never read as no roles. Which
 * roles and scopes exist is not checked here; the policy does that.
 *
 * @example
 * ```ts
 * assignmentsProblem({ roles: 'admin', scoped: {} }) // '"roles" is not a list of role names'
 * ```
 */
export function assignmentsProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'not an object'
  const { type, roles, scoped, grants } = value
  if (type !== undefined && typeof type !== 'string') return '"type" is not a string'
  if (!isNameList(roles)) return '"roles" is not a list of role names'
  if (!isRecord(scoped)) return '"scoped" is not an object'
  for (const scope of Object.keys(scoped)) {
    if (!isNameList(scoped[scope])) return `"scoped.${scope}" is not a list of role names`
  }
  if (grants !== undefined && !isRecord(grants)) return '"grants" is not an object'
  return undefined
}

/**
 * A copy of what a store's `set` was given, once it has the shape of assignments: it comes from an
 * admin screen or an import, and a string of roles would otherwise be read as one role per
 * character. Every store calls it, so all refuse alike.
 *
 * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`) naming the field that is wrong.
 * @example
 * ```ts
 * const next = givenAssignments('u1', { roles: ['clerk'], scoped: {} })
 * ```
 */
export function givenAssignments(subjectId: string, assignments: unknown): Assignments {
  const problem = assignmentsProblem(assignments)
  if (problem !== undefined)
    throw invalidArgument(
      `the assignments given for subject "${subjectId}" are malformed: ${problem}`,
    )
  try {
    return structuredClone(assignments as Assignments)
  } catch (cause) {
    throw invalidArgument(
      `the assignments given for subject "${subjectId}" are not plain data: ${(cause as Error).message}`,
    )
  }
}
