import { createRolegate, type Rolegate } from '../create-rolegate.js'
import { PolicyError, UnknownRoleError, describeValue, invalidArgument } from '../errors.js'
import { pathStep } from '../policy/names.js'
import type { CompiledPolicy } from '../policy/compile-policy.js'
import type { Condition, PolicyInput, RoleInput } from '../policy/types.js'

/** A change of the custom roles, as reported to `onChange` and `watch` listeners. */
export interface PolicyChange {
  readonly kind: 'create' | 'update' | 'delete'
  readonly role: string
  /** The revision the change produced. */
  readonly revision: number
}

/**
 * Custom roles created, changed and deleted at run time (PortaBilling's, an Enterprise's own
 * roles), on top of the policy in code. `memoryPolicyStore` keeps them in one process;
 * `@rolegate/redis`'s `redisPolicyStore` shares them between instances. Either can be handed to an
 * assignment store or a context resolver as its `rolegate`, so that both know the custom roles.
 */
export interface PolicyStore<P extends PolicyInput = PolicyInput> {
  /** The rolegate for the code policy plus the custom roles last loaded (the code policy alone before any). */
  current(): Rolegate<P>
  /** `current().policy`, so the store can be handed to an assignment store as its `rolegate`. */
  readonly policy: CompiledPolicy
  /** How many changes the custom roles have seen (0 for none); the revision of what was last loaded. */
  readonly revision: number
  /** The custom roles last loaded. */
  customRoles(): Readonly<Record<string, RoleInput>>
  /**
   * Loads the custom roles if another instance changed them, and recompiles.
   *
   * @throws {@link BackendUnavailableError} when a shared store does not answer in time.
   * @throws {@link PolicyError} when the stored roles do not compile with this instance's code policy
   * (e.g. during a rolling deploy that removed a resource they grant); `current()` then stays as it was.
   */
  refresh(): Promise<Rolegate<P>>
  /**
   * Adds a custom role. Refused when the name is taken (by code or by a custom role), when the
   * merged policy would not validate, and when subjects still hold a role of that name (left over
   * from a deletion that raced with an assignment).
   *
   * @returns the new revision.
   * @throws {@link PolicyError} listing the problems.
   */
  createRole(name: string, role: RoleInput): Promise<number>
  /**
   * Replaces a custom role. Holders keep it; if the new definition makes their combination
   * invalid (now exclusive, a subject type they lack), decisions fail closed as core decides.
   *
   * @throws {@link UnknownRoleError} when there is no such custom role.
   * @throws {@link PolicyError} listing the problems.
   */
  updateRole(name: string, role: RoleInput): Promise<number>
  /**
   * Deletes a custom role. Refused while any subject holds it, and while another custom role inherits it.
   * A custom role that a later release added to the code policy (which no instance of that release
   * can compile beside it) is deleted even while held: its holders then hold the role in code.
   *
   * @throws {@link UnknownRoleError} when there is no such custom role.
   * @throws {@link PolicyError} naming the holders or the inheriting roles.
   */
  deleteRole(name: string): Promise<number>
  /**
   * Calls `listener` after every change committed through this store object, before the call that
   * made it resolves. Returns a function that removes the listener.
   */
  watch(listener: (change: PolicyChange) => void): () => void
}

/** Whether `value` is a {@link PolicyStore} rather than a fixed rolegate. */
export function isPolicyStore<P extends PolicyInput>(
  value: Rolegate<P> | PolicyStore<P>,
): value is PolicyStore<P> {
  return typeof (value as Partial<PolicyStore<P>>).current === 'function'
}

/** What a rolegate for custom roles is compiled with, besides the roles. */
export interface CustomRolesOptions<P extends PolicyInput> {
  /** The policy in code. Custom roles are added to it; they can never replace one of its roles. */
  readonly policy: P
  /** The conditions the policy's (and custom roles') `when` names. */
  readonly conditions?: Readonly<Record<string, Condition>> | undefined
  /** Passed to `createRolegate`. */
  readonly roleSetCacheSize?: number | undefined
}

/**
 * The rolegate of the code policy with `roles` added, validated exactly as a policy file is.
 *
 * @throws {@link PolicyError} listing every problem, including a custom role named like one in code.
 */
export function withCustomRoles<P extends PolicyInput>(
  { policy, conditions, roleSetCacheSize }: CustomRolesOptions<P>,
  roles: Readonly<Record<string, RoleInput>>,
): Rolegate<P> {
  const shadowing = Object.keys(roles).filter((name) => Object.hasOwn(policy.roles, name))
  if (shadowing.length > 0) {
    throw new PolicyError(
      shadowing.map((name) => ({
        path: `policy.roles.${name}`,
        message: `role "${name}" is defined in code; a custom role cannot replace it (delete the custom role "${name}")`,
      })),
    )
  }
  const merged: PolicyInput = { ...policy, roles: { ...policy.roles, ...roles } }
  // The merged policy's role names are wider than P's; Rolegate<P> types the names from code.
  const rolegate: Rolegate<PolicyInput> = createRolegate({
    policy: merged,
    ...(conditions === undefined ? {} : { conditions }),
    ...(roleSetCacheSize === undefined ? {} : { roleSetCacheSize }),
  })
  return rolegate as unknown as Rolegate<P>
}

/**
 * A role as plain JSON data: what is kept is exactly what was validated.
 *
 * @throws {@link PolicyError} naming the role when JSON cannot write it (a BigInt, a cycle).
 */
function plainRole(name: string, role: RoleInput): RoleInput {
  const value: unknown = role
  // Not an object: kept as given, and the validator reports it ("a role must be an object").
  if (typeof value !== 'object' || value === null) return role
  try {
    return JSON.parse(JSON.stringify(value)) as RoleInput
  } catch (cause) {
    const why = cause instanceof Error ? cause.message.split('\n')[0] : describeValue(cause)
    throw new PolicyError(
      [{ path: `policy.roles${pathStep(name)}`, message: `is not plain JSON data: ${why}` }],
      { cause },
    )
  }
}

/** One role held by a subject, globally (`scope` undefined) or in a scope. */
export interface RoleHolding {
  readonly subjectId: string
  readonly scope?: string | undefined
}

const HOLDERS_SHOWN = 5

/** The refusal of a change to a role that subjects still hold, naming the first few. */
function heldRoleError(name: string, why: string, held: readonly RoleHolding[]): PolicyError {
  const shown = held
    .slice(0, HOLDERS_SHOWN)
    .map((h) => `"${h.subjectId}"${h.scope === undefined ? '' : ` in "${h.scope}"`}`)
  const more = held.length > HOLDERS_SHOWN ? ` and ${held.length - HOLDERS_SHOWN} more` : ''
  return new PolicyError([
    { path: `policy.roles.${name}`, message: `${why}: held by ${shown.join(', ')}${more}` },
  ])
}

/** Throws unless `name` is one of the custom `roles`: a role from code cannot change at run time. */
function assertCustom(
  policy: PolicyInput,
  name: string,
  roles: Readonly<Record<string, RoleInput>>,
): void {
  if (Object.hasOwn(policy.roles, name))
    throw new PolicyError([
      {
        path: `policy.roles.${name}`,
        message: `role "${name}" is defined in code and cannot be changed at run time`,
      },
    ])
  if (!Object.hasOwn(roles, name)) throw new UnknownRoleError(name, 'the custom roles')
}

/** The custom roles once `role` is added as `name`. @throws {@link PolicyError} when the name is taken. */
function rolesWithCreated(
  policy: PolicyInput,
  roles: Readonly<Record<string, RoleInput>>,
  name: string,
  role: RoleInput,
): Record<string, RoleInput> {
  if (typeof name !== 'string') throw invalidArgument('a role name must be a string')
  if (Object.hasOwn(policy.roles, name) || Object.hasOwn(roles, name))
    throw new PolicyError([
      { path: `policy.roles.${name}`, message: `role "${name}" already exists` },
    ])
  return { ...roles, [name]: plainRole(name, role) }
}

/** The custom roles once `name` is replaced by `role`. @throws unless `name` is a custom role. */
function rolesWithUpdated(
  policy: PolicyInput,
  roles: Readonly<Record<string, RoleInput>>,
  name: string,
  role: RoleInput,
): Record<string, RoleInput> {
  assertCustom(policy, name, roles)
  return { ...roles, [name]: plainRole(name, role) }
}

/** The custom roles without `name`. @throws unless `name` is a custom role. */
function rolesWithDeleted(
  policy: PolicyInput,
  roles: Readonly<Record<string, RoleInput>>,
  name: string,
): Record<string, RoleInput> {
  if (!shadowedByCode(policy, roles, name)) assertCustom(policy, name, roles)
  return Object.fromEntries(Object.entries(roles).filter(([other]) => other !== name))
}

/**
 * Whether `name` is a stored custom role that a release has since added to the code policy: no
 * instance of that release can compile the custom roles until it is deleted, which is the one
 * change it allows.
 */
function shadowedByCode(
  policy: PolicyInput,
  roles: Readonly<Record<string, RoleInput>>,
  name: string,
): boolean {
  return Object.hasOwn(policy.roles, name) && Object.hasOwn(roles, name)
}

/** The edits of the custom roles: each gives the roles after it, or throws why it is refused. */
export interface CustomRoleEdits {
  create(
    roles: Readonly<Record<string, RoleInput>>,
    name: string,
    role: RoleInput,
  ): Promise<Record<string, RoleInput>>
  update(
    roles: Readonly<Record<string, RoleInput>>,
    name: string,
    role: RoleInput,
  ): Promise<Record<string, RoleInput>>
  delete(
    roles: Readonly<Record<string, RoleInput>>,
    name: string,
  ): Promise<Record<string, RoleInput>>
}

/**
 * The edits every {@link PolicyStore} makes, with the same refusals: a name taken by code or by a
 * custom role, a role from code, an unknown custom role, and a role that `holdings` says subjects
 * still hold (asked before a create, for a name left assigned by a racing deletion, and before a
 * delete). What the roles then compile to is for the store to check, with {@link withCustomRoles}.
 */
export function customRoleEdits(
  policy: PolicyInput,
  holdings: (role: string) => Promise<readonly RoleHolding[]> | readonly RoleHolding[],
): CustomRoleEdits {
  const refuseIfHeld = async (name: string, why: string): Promise<void> => {
    const held = await holdings(name)
    if (held.length > 0) throw heldRoleError(name, why, held)
  }
  return {
    async create(roles, name, role) {
      const next = rolesWithCreated(policy, roles, name, role)
      await refuseIfHeld(name, `a role named "${name}" was deleted but is still assigned`)
      return next
    },
    update: (roles, name, role) => Promise.resolve(rolesWithUpdated(policy, roles, name, role)),
    async delete(roles, name) {
      const next = rolesWithDeleted(policy, roles, name)
      // Its holders now hold the role in code of that name, which the release meant them to.
      if (!shadowedByCode(policy, roles, name))
        await refuseIfHeld(name, `role "${name}" is still assigned; revoke it first`)
      return next
    },
  }
}
