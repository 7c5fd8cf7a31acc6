/**
 * The exact problem bodies (RFC 9457) the example apps answer with: rolegate's own for 401, 403 and
 * 503, and the examples' for bad requests. Tests compare whole bodies with `toEqual`.
 */

/** 401: no authenticated subject. */
export const UNAUTHENTICATED = {
  type: 'urn:rolegate:problem:unauthenticated',
  title: 'Authentication required',
  status: 401,
  detail: 'This request needs an authenticated subject.',
} as const

/** 503 from `@rolegate/redis`'s resolver, when Redis does not answer. */
export const REDIS_UNAVAILABLE = {
  type: 'urn:rolegate:problem:backend-unavailable',
  title: 'Authorization backend unavailable',
  status: 503,
  detail: 'The authorization backend did not answer.',
} as const

/** 403 from `requirePermission`: the permission that was missing and why. */
export function missingPermission(permission: string, reason = 'no-grant') {
  return {
    type: 'urn:rolegate:problem:forbidden',
    title: 'Forbidden',
    status: 403,
    detail: `Permission "${permission}" required.`,
    permission,
    reason,
  }
}

/** 403 from `requireRole`. */
export function missingRole(role: string) {
  return {
    type: 'urn:rolegate:problem:forbidden',
    title: 'Forbidden',
    status: 403,
    detail: `Role "${role}" required.`,
    role,
  }
}

/** 400 from an example: the body is not what the route takes. */
export function invalidRequest(detail: string) {
  return {
    type: 'urn:rolegate-example:problem:invalid-request',
    title: 'Invalid request',
    status: 400,
    detail,
  }
}

/** 404 from an example. */
export function notFound(detail: string) {
  return { type: 'urn:rolegate-example:problem:not-found', title: 'Not found', status: 404, detail }
}

/** 422 from an example's role administration: the store refused the assignment. */
export function assignmentRefused(detail: string) {
  return {
    type: 'urn:rolegate-example:problem:assignment-refused',
    title: 'Assignment refused',
    status: 422,
    detail,
  }
}
