import { isRecord } from './is-record.js'
import type { Subject } from './policy/types.js'

function invalidSubject(message: string): TypeError & { code: 'ERR_ROLEGATE_INVALID_SUBJECT' } {
  return Object.assign(new TypeError(`Invalid subject: ${message}`), {
    code: 'ERR_ROLEGATE_INVALID_SUBJECT' as const,
  })
}

function stringsOf(value: unknown, where: string): readonly string[] {
  if (!Array.isArray(value)) throw invalidSubject(`${where} must be a list of role names`)
  // Subjects come from sessions, tokens and databases: entries that are not strings grant nothing.
  // A loop rather than every() over a closure made afresh: this runs for every request.
  for (const entry of value as unknown[])
    if (typeof entry !== 'string') return value.filter((v): v is string => typeof v === 'string')
  return value as string[]
}

/**
 * Checks a subject's shape and returns it with only string role names. A subject is runtime data
 * from sessions and identity providers, so this never trusts its types.
 *
 * @throws TypeError with code `ERR_ROLEGATE_INVALID_SUBJECT` when the id is missing or a field has the wrong shape.
 */
export function readSubject(subject: unknown): Subject {
  if (!isRecord(subject)) throw invalidSubject('expected an object with an "id"')
  const { id, type, roles, scoped, grants, attributes } = subject
  if (typeof id !== 'string' || id === '') throw invalidSubject('"id" must be a non-empty string')
  if (type !== undefined && typeof type !== 'string')
    throw invalidSubject('"type" must be a string')
  if (grants !== undefined && !isRecord(grants))
    throw invalidSubject('"grants" must map resources to grants')
  if (attributes !== undefined && !isRecord(attributes))
    throw invalidSubject('"attributes" must be an object')
  let scopedRoles: Record<string, readonly string[]> | undefined
  if (scoped !== undefined) {
    if (!isRecord(scoped)) throw invalidSubject('"scoped" must map scopes to lists of role names')
    scopedRoles = Object.create(null) as Record<string, readonly string[]>
    for (const scope of Object.keys(scoped))
      scopedRoles[scope] = stringsOf(scoped[scope], `scoped[${JSON.stringify(scope)}]`)
  }
  return {
    id,
    type,
    roles: roles === undefined ? undefined : stringsOf(roles, '"roles"'),
    scoped: scopedRoles,
    grants: grants as Subject['grants'],
    attributes: attributes,
  }
}
