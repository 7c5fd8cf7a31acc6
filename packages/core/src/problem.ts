import type { Decision, DecisionReason } from './decision.js'
import { ForbiddenError } from './errors.js'

/** An RFC 9457 problem body. It names what was missing, never the policy itself. */
export interface Problem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  /** The permission(s) that were required and not allowed. */
  readonly permission?: string | readonly string[]
  /** The role(s) of which one was required. */
  readonly role?: string | readonly string[]
  /** The decision's reason code, when there was a decision. */
  readonly reason?: DecisionReason
  /** The scope the decision was made in. */
  readonly scope?: string
}

/** The media type of problem bodies. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

const TYPE = 'urn:rolegate:problem:'

/** The 401 body: no authenticated subject. */
export function unauthorizedProblem(): Problem & { status: 401 } {
  return {
    type: `${TYPE}unauthenticated`,
    title: 'Authentication required',
    status: 401,
    detail: 'This request needs an authenticated subject.',
  }
}

function scopeSuffix(scope: string | undefined): string {
  return scope === undefined ? '' : ` in scope "${scope}"`
}

/** The 403 body for missing permissions; `permissions` lists those required, `mode` how they combine. */
export function missingPermissionProblem(
  permissions: readonly string[],
  mode: 'all' | 'any',
  scope: string | undefined,
  reason?: DecisionReason,
): Problem & { status: 403 } {
  const list = permissions.map((p) => `"${p}"`).join(mode === 'all' ? ' and ' : ' or ')
  const one = permissions.length === 1
  return {
    type: `${TYPE}forbidden`,
    title: 'Forbidden',
    status: 403,
    detail: `${one ? 'Permission' : mode === 'all' ? 'Permissions' : 'One of the permissions'} ${list} ${one || mode === 'all' ? 'required' : 'is required'}${scopeSuffix(scope)}.`,
    permission: one ? (permissions[0] as string) : permissions,
    ...(reason === undefined ? {} : { reason }),
    ...(scope === undefined ? {} : { scope }),
  }
}

/** The 403 body for a missing role: one of `roles` was required. */
export function missingRoleProblem(
  roles: readonly string[],
  scope: string | undefined,
): Problem & { status: 403 } {
  const one = roles.length === 1
  const list = roles.map((r) => `"${r}"`).join(' or ')
  return {
    type: `${TYPE}forbidden`,
    title: 'Forbidden',
    status: 403,
    detail: `${one ? 'Role' : 'One of the roles'} ${list} ${one ? 'required' : 'is required'}${scopeSuffix(scope)}.`,
    role: one ? (roles[0] as string) : roles,
    ...(scope === undefined ? {} : { scope }),
  }
}

/** The 403 body when the decision could not be made because something failed: fail closed. */
export function failedCheckProblem(): Problem & { status: 403 } {
  return {
    type: `${TYPE}forbidden`,
    title: 'Forbidden',
    status: 403,
    detail: 'Access could not be verified, so it is refused.',
  }
}

/** The error `assert` throws for a denied decision. */
export function forbiddenError(decision: Decision): ForbiddenError {
  return new ForbiddenError(
    missingPermissionProblem([decision.permission], 'all', decision.scope, decision.reason),
    decision,
  )
}
