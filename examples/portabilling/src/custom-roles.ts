import {
  createRolegate,
  PolicyError,
  type Condition,
  type PolicyInput,
  type Rolegate,
  type RoleInput,
} from '@rolegate/core'

/**
 * Where custom roles live. `@rolegate/redis`'s policy store has this shape; {@link memoryCustomRoles}
 * is its in-memory twin for a single instance.
 */
export interface CustomRoles<P extends PolicyInput> {
  /** The policy in code plus the custom roles, compiled. */
  current(): Rolegate<P>
  /** The custom roles alone. */
  customRoles(): Readonly<Record<string, RoleInput>>
  /** Adds a role; throws a `PolicyError` when the merged policy would not be valid. */
  createRole(name: string, role: RoleInput): Promise<number>
  /** Picks up changes made elsewhere (a no-op in memory). */
  refresh(): Promise<Rolegate<P>>
}

/** Options of {@link memoryCustomRoles}. */
export interface MemoryCustomRolesOptions<P extends PolicyInput> {
  readonly policy: P
  readonly conditions?: Readonly<Record<string, Condition>>
}

/**
 * Custom roles in memory: each new role is validated with the policy in code, exactly as a policy
 * file is, and the merged policy is compiled once; decisions then cost what they cost before.
 */
export function memoryCustomRoles<const P extends PolicyInput>({
  policy,
  conditions = {},
}: MemoryCustomRolesOptions<P>): CustomRoles<P> {
  let roles: Readonly<Record<string, RoleInput>> = {}
  let revision = 0
  const compile = (custom: Readonly<Record<string, RoleInput>>): Rolegate<P> => {
    const merged: PolicyInput = { ...policy, roles: { ...policy.roles, ...custom } }
    // The merged policy has more role names than P; names from code keep their types.
    return createRolegate({ policy: merged, conditions }) as unknown as Rolegate<P>
  }
  let current = compile(roles)
  return {
    current: () => current,
    customRoles: () => roles,
    createRole(name, role) {
      return Promise.resolve().then(() => {
        if (Object.hasOwn(policy.roles, name) || Object.hasOwn(roles, name)) {
          const message = `role "${name}" already exists`
          throw new PolicyError([{ path: `policy.roles.${name}`, message }])
        }
        const next = { ...roles, [name]: role }
        current = compile(next)
        roles = next
        return ++revision
      })
    },
    refresh: () => Promise.resolve(current),
  }
}

/**
 * A rolegate that always answers with the one in force: hand it to `@rolegate/express` so that
 * contexts, impersonation and assignment checks see custom roles created after start-up.
 */
export function liveRolegate<P extends PolicyInput>(current: () => Rolegate<P>): Rolegate<P> {
  return {
    get policy() {
      return current().policy
    },
    get version() {
      return current().version
    },
    context: (subject) => current().context(subject),
    impersonate: (actor, target, options) => current().impersonate(actor, target, options),
    who: (permission, options) => current().who(permission, options),
    permission: (permission) => current().permission(permission),
    role: (role) => current().role(role),
  }
}
