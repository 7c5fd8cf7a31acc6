/**
 * Impersonation as an adapter configures it, and its start-up checks: what `requestRolegate`
 * takes in its `impersonation` option.
 */
import type { Rolegate } from './create-rolegate.js'
import { invalidArgument } from './errors.js'
import type { PermissionOf, PolicyInput, RoleOf, Subject } from './policy/types.js'

/** Impersonation as {@link requestRolegate} sees it, with the adapter's request type `R`. */
export interface RequestImpersonation<P extends PolicyInput, R> {
  /** The permission the real actor needs, e.g. `'customers:impersonate'`. */
  readonly permission: PermissionOf<P>
  /** The id of the subject to act as, or `undefined`, `null` or `""` for no impersonation. */
  readonly target: (request: R) => string | null | undefined | Promise<string | null | undefined>
  /** Loads the subject to act as; `undefined` refuses with 403. */
  readonly loadSubject: (
    id: string,
    request: R,
  ) => Subject | undefined | Promise<Subject | undefined>
  /**
   * A named role to act with instead of the target's own roles: one role, or a function of the
   * request that picks one of {@link roles} (`undefined` or `""` for the target's own).
   */
  readonly role?: RoleOf<P> | ((request: R) => string | undefined) | undefined
  /**
   * The roles a `role` function may pick, checked against the policy at start-up; required with
   * one, since what it returns often comes from a header. Another answer is refused with 403.
   */
  readonly roles?: readonly RoleOf<P>[] | undefined
}

/**
 * Checks impersonation's names against the policy at start-up, and gives the roles a `role`
 * function may pick (`undefined` for a fixed role or none).
 */
export function impersonationRoles<P extends PolicyInput, R>(
  rolegate: Rolegate<P>,
  { permission, role, roles }: RequestImpersonation<P, R>,
): ReadonlySet<string> | undefined {
  rolegate.permission(permission)
  if (typeof role === 'string') rolegate.role(role)
  const list: unknown = roles
  if (list !== undefined && !Array.isArray(list))
    throw invalidArgument('impersonation.roles must be a list of role names')
  for (const name of roles ?? []) rolegate.role(name)
  if (typeof role !== 'function') return undefined
  if (roles === undefined || roles.length === 0)
    throw invalidArgument(
      'impersonation.roles: list the roles the impersonation.role function may pick; without the ' +
        'list, whatever it returns (often a header) could name any role of the policy',
    )
  return new Set(roles)
}
