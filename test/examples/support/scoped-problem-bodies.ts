/**
 * rolegate's 403 problem bodies for guards that decide in a scope (an account, a team): the
 * detail and the `scope` member name it. Tests compare whole bodies with `toEqual`.
 */

/** 403 from `requirePermission` with a `scope`. */
export function missingPermissionIn(permission: string, scope: string, reason = 'no-grant') {
  return {
    type: 'urn:rolegate:problem:forbidden',
    title: 'Forbidden',
    status: 403,
    detail: `Permission "${permission}" required in scope "${scope}".`,
    permission,
    reason,
    scope,
  }
}

/** 403 from `requireRole` with a `scope`. */
export function missingRoleIn(role: string, scope: string) {
  return {
    type: 'urn:rolegate:problem:forbidden',
    title: 'Forbidden',
    status: 403,
    detail: `Role "${role}" required in scope "${scope}".`,
    role,
    scope,
  }
}
