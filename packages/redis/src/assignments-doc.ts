import { normalizeAssignments, type Assignments, type GrantInput } from '@rolegate/core'

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
  if (!isRecord(doc)) throw new Error('stored assignments are not an object')
  const { type, roles, scoped, grants } = doc
  if (type !== undefined && typeof type !== 'string')
    throw new Error('stored "type" is not a string')
  if (!isStringList(roles)) throw new Error('stored "roles" is not a list of role names')
  if (!isRecord(scoped)) throw new Error('stored "scoped" is not an object')
  const scopedRoles: Record<string, readonly string[]> = Object.create(null) as Record<
    string,
    readonly string[]
  >
  for (const scope of Object.keys(scoped)) {
    const list = scoped[scope]
    if (!isStringList(list)) throw new Error(`stored "scoped.${scope}" is not a list of role names`)
    scopedRoles[scope] = list
  }
  if (grants !== undefined && !isRecord(grants)) throw new Error('stored "grants" is not an object')
  return {
    type,
    roles,
    scoped: scopedRoles,
    ...(grants === undefined ? {} : { grants: grants as Readonly<Record<string, GrantInput>> }),
  }
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

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isStringList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string')
}
