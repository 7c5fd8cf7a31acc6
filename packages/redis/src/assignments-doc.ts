import { assignmentsProblem, normalizeAssignments, type Assignments } from '@rolegate/core'

/** One role held by a subject: globally (`scope` undefined) or in a scope. */
export interface Holding {
  readonly role: string
  readonly scope: string | undefined
}

/**
 * The stored form of a subject's assignments: JSON of core's canonical form (keys in a fixed order,
 * no empty scopes), so that two equal assignments encode to the same string and "nothing changed"
 * is a string comparison.
 */
export function encodeAssignments(assignments: Assignments): string {
  return JSON.stringify(normalizeAssignments(assignments))
}

/**
 * Reads a stored document back. Stored data is still runtime data: a field of the wrong shape
 * throws, and the caller turns that into a refusal (503), never into an allow.
 *
 * @throws Error when the document is not what {@link encodeAssignments} writes.
 */
export function decodeAssignments(text: string): Assignments {
  const doc: unknown = JSON.parse(text)
  const problem = assignmentsProblem(doc)
  if (problem !== undefined) throw new Error(`stored assignments: ${problem}`)
  // Only the fields of Assignments: what an operator added by hand goes no further.
  const { type, roles, scoped, grants } = doc as Assignments
  return { type, roles, scoped, ...(grants === undefined ? {} : { grants }) }
}

/** Every role the assignments hold, globally and per scope. */
export function holdingsOf(assignments: Assignments | undefined): Holding[] {
  if (assignments === undefined) return []
  const held: Holding[] = assignments.roles.map((role) => ({ role, scope: undefined }))
  for (const [scope, roles] of Object.entries(assignments.scoped)) {
    for (const role of roles) held.push({ role, scope })
  }
  return held
}

/** Whether the assignments hold `role` globally (`scope` undefined) or in `scope`. */
export function holds(assignments: Assignments | undefined, { role, scope }: Holding): boolean {
  if (assignments === undefined) return false
  const held =
    scope === undefined
      ? assignments.roles
      : Object.hasOwn(assignments.scoped, scope)
        ? assignments.scoped[scope]
        : undefined
  return held?.includes(role) ?? false
}
