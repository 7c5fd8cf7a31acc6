import type { Decision } from './decision.js'
import { ForbiddenError } from './errors.js'
import { missingPermissionProblem } from './problem.js'

/**
 * The 403 of an impersonation refused although the actor holds its permission: the target holds
 * a superuser role the actor lacks, there is no such target, the role asked for may not be
 * picked, or the actor is impersonating already. Its decision says `impersonation-refused`, not
 * the actor's own decision on the permission, which allowed.
 */
export function impersonationRefused(
  permission: string,
  detail: string,
  scope?: string,
): ForbiddenError {
  const reason = 'impersonation-refused'
  const problem = { ...missingPermissionProblem([permission], 'all', scope, reason), detail }
  const decision: Decision = {
    allowed: false,
    reason,
    permission,
    ...(scope === undefined ? {} : { scope }),
  }
  return new ForbiddenError(problem, decision)
}
