import type { PolicyInput, Rolegate, RolesReport, Subject } from '@rolegate/core'

/**
 * Whether one action on one resource is allowed, as core decides it: `always` without any
 * condition (no resource instance), `whenConditions` when every condition the policy names holds.
 */
export interface Right {
  readonly always: boolean
  readonly whenConditions: boolean
}

/** What a subject may do, resource by resource, asked of core. */
export interface SubjectRights {
  /** Roles held, in force, dropped, and any conflict, as core reports them. */
  readonly roles: RolesReport
  /** The right on `resource:action`; unknown resources and actions are denied, as core does. */
  right(resource: string, action: string): Right
  /** The conditions named by conditional grants in force on `resource`, sorted. */
  conditionsAt(resource: string): string[]
}

/** The instance passed to conditions: any object, since the CLI's stand-ins ignore it. */
const INSTANCE = Object.freeze({})

/**
 * The rights of `subject` in `scope`, answered by core's `can`. `rg` must come from
 * `policyRolegate` with conditions that hold, so that a check with an instance weighs conditional
 * grants and a check without one leaves them out.
 */
export function subjectRights(rg: Rolegate, subject: Subject, scope?: string): SubjectRights {
  const context = rg.context(subject)
  const base = scope === undefined ? {} : { scope }
  const withInstance = { ...base, resource: INSTANCE }
  const { policy } = rg
  const roles = context.roles(scope)
  return {
    roles,
    right(resource, action) {
      const permission = `${resource}:${action}` as const
      return {
        always: context.can(permission, base),
        whenConditions: context.can(permission, withInstance),
      }
    },
    conditionsAt(resource) {
      const r = policy.resourceIndex.get(resource)
      if (r === undefined) return []
      const names = new Set<string>()
      for (const name of roles.inForce) {
        const role = policy.roles[policy.roleIndex.get(name) ?? -1]
        for (const grant of role?.conditional.get(r) ?? []) {
          if (grant.when !== undefined) names.add(grant.when)
        }
      }
      return [...names].sort()
    },
  }
}

/**
 * The subject type a column or a diff uses for a role: the one asked for, else the first type the
 * role may be given to (a subject with no type can hold only roles without `subjectTypes`).
 */
export function subjectTypeFor(
  policy: PolicyInput,
  role: string,
  type: string | undefined,
): string | undefined {
  if (type !== undefined) return type
  return Object.hasOwn(policy.roles, role) ? policy.roles[role]?.subjectTypes?.[0] : undefined
}
