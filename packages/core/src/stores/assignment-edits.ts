import type { Assignments, ScopeOption } from './types.js'

// The edits every AssignmentStore makes, written once so that the stores agree: the memory store
// and @rolegate/redis's use them, and so can a store of your own.

const EMPTY: Assignments = { roles: [], scoped: {} }

/** The roles held in `scope`; own keys only, so a scope named `__proto__` is plain data. */
export function rolesInScope(assignments: Assignments, scope: string): readonly string[] {
  return Object.hasOwn(assignments.scoped, scope) ? (assignments.scoped[scope] ?? []) : []
}

function withRole(list: readonly string[], role: string): readonly string[] {
  return list.includes(role) ? list : [...list, role]
}

/**
 * The assignments once `role` is given, globally or in `options.scope`; `options.type`, when
 * given, replaces the subject's type. Checks nothing: the store checks the result.
 *
 * @example
 * ```ts
 * assigned(undefined, 'admin', { scope: 'team:42' }) // { roles: [], scoped: { 'team:42': ['admin'] } }
 * ```
 */
export function assigned(
  current: Assignments | undefined,
  role: string,
  options?: ScopeOption & { readonly type?: string | undefined },
): Assignments {
  const from = current ?? EMPTY
  const scope = options?.scope
  const type = options?.type ?? from.type
  if (scope === undefined) return { ...from, type, roles: withRole(from.roles, role) }
  const roles = withRole(rolesInScope(from, scope), role)
  return { ...from, type, scoped: { ...from.scoped, [scope]: roles } }
}

/** The assignments once `role` is taken away, globally or in `options.scope`. */
export function revoked(current: Assignments, role: string, options?: ScopeOption): Assignments {
  const scope = options?.scope
  if (scope === undefined) return { ...current, roles: current.roles.filter((r) => r !== role) }
  const roles = rolesInScope(current, scope).filter((r) => r !== role)
  return { ...current, scoped: { ...current.scoped, [scope]: roles } }
}

/**
 * The same assignments in their one canonical form: each role listed once, scopes sorted and none
 * empty, the keys in a fixed order. Two assignments that grant the same are equal in this form,
 * and so are their `JSON.stringify`s, which is how a store tells that a change changes nothing.
 */
export function normalizeAssignments(assignments: Assignments): Assignments {
  // Prototype-less, so that a scope named "__proto__" is a key like any other.
  const scoped = Object.create(null) as Record<string, readonly string[]>
  for (const scope of Object.keys(assignments.scoped).sort()) {
    const roles = assignments.scoped[scope] ?? []
    if (roles.length > 0) scoped[scope] = [...new Set(roles)]
  }
  return {
    type: assignments.type,
    roles: [...new Set(assignments.roles)],
    scoped,
    grants: assignments.grants,
  }
}
