import {
  ForbiddenError,
  UnknownPermissionError,
  UnknownRoleError,
  invalidArgument,
} from './errors.js'
import {
  compileGrantTables,
  compilePolicy,
  grantMask,
  type CompiledPermission,
  type CompiledPolicy,
} from './policy/compile-policy.js'
import type {
  Condition,
  GrantInput,
  PermissionOf,
  PolicyInput,
  RoleOf,
  Subject,
} from './policy/types.js'
import { impersonationRefused } from './impersonation-refused.js'
import { missingPermissionProblem } from './problem.js'
import { Context, type CheckOptions, type RoleContext } from './role-context.js'
import { buildRoleSet, type GrantSource, type RoleSet } from './role-set.js'
import { RoleSetCache } from './role-set-cache.js'
import { isRecord } from './is-record.js'
import { readSubject } from './subject.js'

/** Options of {@link createRolegate}. */
export interface RolegateOptions<P extends PolicyInput> {
  /** The policy, typed by {@link definePolicy} or loaded by {@link loadPolicy}. */
  readonly policy: P
  /** Functions for the conditions that grants name in `when`. */
  readonly conditions?: Readonly<Record<string, Condition>>
  /**
   * How many distinct role combinations to keep compiled.
   * @defaultValue 10000
   */
  readonly roleSetCacheSize?: number
}

/** How an impersonation picks the roles it acts with. */
export interface ImpersonateOptions<P extends PolicyInput = PolicyInput> {
  /** The permission the real actor must hold, e.g. `'customers:impersonate'`. */
  readonly permission: PermissionOf<P>
  /** Where the actor's permission is checked. */
  readonly scope?: string
  /**
   * Act with this role instead of the target's own roles, scoped roles and direct grants
   * (PortaBilling's default role). The target's id, type and attributes stay, for conditions.
   */
  readonly role?: RoleOf<P>
}

/** A compiled policy bound to its conditions: makes role contexts and answers who-can questions. */
export interface Rolegate<P extends PolicyInput = PolicyInput> {
  readonly policy: CompiledPolicy
  /** The policy's version: a hash of its canonical form. */
  readonly version: string
  /**
   * The role context of a subject.
   *
   * @throws TypeError (`ERR_ROLEGATE_INVALID_SUBJECT`) when the subject is malformed.
   */
  context(subject: Subject): RoleContext<P>
  /**
   * A context in which `actor` acts as `target`: decisions use the target (with its own roles, or
   * the named role), and `actor` stays the real actor. Refused for an actor without the permission,
   * for an actor already impersonating, and for a target that would hold a superuser role the
   * actor does not.
   *
   * @throws {@link ForbiddenError} when refused: with the actor's own decision when it lacks the
   * permission, else with reason `impersonation-refused`.
   */
  impersonate(
    actor: RoleContext<P>,
    target: Subject,
    options: ImpersonateOptions<P>,
  ): RoleContext<P>
  /** Which of `among` may do `permission` (notification recipients, admin screens). */
  who<S extends Subject>(
    permission: PermissionOf<P>,
    options: CheckOptions & { readonly among: Iterable<S> },
  ): S[]
  /**
   * Parses a permission, for guards created at start-up.
   *
   * @throws {@link UnknownPermissionError} naming what the policy does not declare.
   */
  permission(permission: string): CompiledPermission
  /**
   * Checks a role name, for guards created at start-up.
   *
   * @throws {@link UnknownRoleError}.
   */
  role(role: string): RoleOf<P>
}

/**
 * Validates and compiles a policy and binds its conditions.
 *
 * @throws {@link PolicyError} listing every problem when the policy is invalid, including a `when`
 * that names no condition function.
 * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`) for options that are no object, `conditions`
 * that are no map of functions, or a `roleSetCacheSize` that is no whole number from 1.
 *
 * @example
 * ```ts
 * const rg = createRolegate({ policy, conditions: { self: (subject, profile) => subject.id === (profile as { id: string }).id } })
 * rg.context({ id: 'u1', roles: ['finance'] }).can('invoices:write') // true
 * ```
 */
export function createRolegate<const P extends PolicyInput>(
  options: RolegateOptions<P>,
): Rolegate<P> {
  // JavaScript callers and configuration files get a named error, not a TypeError from inside.
  if (!isRecord(options)) throw invalidArgument('createRolegate takes { policy, conditions? }')
  const conditions = options.conditions ?? {}
  if (!isRecord(conditions)) throw invalidArgument('conditions must map names to functions')
  for (const [name, fn] of Object.entries(conditions)) {
    if (typeof fn !== 'function') throw invalidArgument(`conditions.${name} must be a function`)
  }
  const { roleSetCacheSize = 10_000 } = options
  if (!Number.isSafeInteger(roleSetCacheSize) || roleSetCacheSize < 1)
    throw invalidArgument('roleSetCacheSize must be a whole number of role combinations, 1 or more')
  const policy = compilePolicy(options.policy, { conditions: new Set(Object.keys(conditions)) })
  const cache = new RoleSetCache(roleSetCacheSize, (held, type) =>
    buildRoleSet(policy, held, type, undefined),
  )

  const roleSetFor = (subject: Subject, scope: string | undefined): RoleSet => {
    const held = heldRoles(subject, scope)
    const direct = directGrants(policy, conditions, subject)
    if (direct !== undefined) return buildRoleSet(policy, held, subject.type, direct)
    return cache.get(subject.type, held)
  }
  const deps = { policy, conditions, roleSetFor }

  const rg: Omit<Rolegate<P>, 'version'> = {
    policy,
    context: (subject) => new Context<P>(deps, readSubject(subject)),
    impersonate(actor, target, { permission, scope, role }) {
      const refuse = (detail: string): never => {
        const decision = actor.explain(permission, scope === undefined ? {} : { scope })
        if (decision.allowed) throw impersonationRefused(permission, detail, scope)
        const problem = { ...missingPermissionProblem([permission], 'all', scope), detail }
        throw new ForbiddenError(problem, decision)
      }
      if (actor.impersonating) refuse('An impersonating actor cannot impersonate again.')
      if (!actor.can(permission, scope === undefined ? {} : { scope }))
        refuse(`Permission "${permission}" required to act on behalf of another subject.`)
      // The actor's own context knows the policy in force (it may hold roles created at run time).
      const base = actor instanceof Context ? (actor as Context<P>) : undefined
      const deciding = base?.policy ?? policy
      if (role !== undefined && !deciding.roleIndex.has(role)) throw new UnknownRoleError(role)
      const checked = readSubject(target)
      // A named role replaces what the target holds (roles, scoped roles, direct grants), not who
      // it is: conditions still read its id, type and attributes ("own account" and the like).
      const effective: Subject =
        role === undefined
          ? checked
          : { id: checked.id, type: checked.type, roles: [role], attributes: checked.attributes }
      const context =
        base?.derive(effective, actor.subject) ?? new Context<P>(deps, effective, actor.subject)
      // Everywhere the target holds roles, not only where the permission was checked: a superuser
      // role held in any one scope is power the actor must hold there too.
      const isSuperuser = (name: string): boolean =>
        deciding.roles[deciding.roleIndex.get(name) as number]?.superuser === true
      for (const where of [undefined, ...Object.keys(effective.scoped ?? {})]) {
        const superuser = context.roles(where).inForce.find(isSuperuser)
        if (
          superuser !== undefined &&
          !actor.hasRole(superuser, where === undefined ? {} : { scope: where })
        ) {
          const held = where === undefined ? '' : ` in scope "${where}"`
          refuse(`Cannot act on behalf of a subject holding superuser role "${superuser}"${held}.`)
        }
      }
      return context
    },
    who(permission, { among, ...check }) {
      return [...among].filter((subject) => rg.context(subject).can(permission, check))
    },
    permission(permission) {
      const compiled = policy.permissions.get(permission)
      if (compiled !== undefined) return compiled
      const colon = permission.lastIndexOf(':')
      if (colon === -1)
        throw new UnknownPermissionError(permission, 'a permission is written "resource:action"')
      const resource = permission.slice(0, colon)
      if (!policy.resourceIndex.has(resource))
        throw new UnknownPermissionError(
          permission,
          `the policy declares no resource "${resource}"`,
        )
      throw new UnknownPermissionError(
        permission,
        `the policy declares no action "${permission.slice(colon + 1)}"`,
      )
    },
    role(role) {
      if (!policy.roleIndex.has(role)) throw new UnknownRoleError(role)
      return role
    },
  }
  // The version is hashed on first read. Written as a getter in the literal above, it would put the
  // object in dictionary mode, and `rg.context()`, on every request's path, would be a slow load.
  return Object.defineProperty(rg, 'version', {
    get: () => policy.version,
    enumerable: true,
  }) as Rolegate<P>
}

function heldRoles(subject: Subject, scope: string | undefined): readonly string[] {
  const global = subject.roles ?? []
  // Only a string names a scope: a list or a number from a request would be made one by hasOwn.
  if (
    typeof scope !== 'string' ||
    subject.scoped === undefined ||
    !Object.hasOwn(subject.scoped, scope)
  )
    return global
  const scoped = subject.scoped[scope] ?? []
  return global.length === 0 ? scoped : [...global, ...scoped]
}

/**
 * Compiles a subject's direct grants. A conditional one counts when its condition holds for the
 * instance, as in a role: the engine weighs both alike. They are runtime data, so an entry on an
 * undeclared resource, with an unknown action, or naming a condition this rolegate has no function
 * for is dropped (it grants nothing) rather than thrown.
 */
function directGrants(
  policy: CompiledPolicy,
  conditions: Readonly<Record<string, Condition>>,
  subject: Subject,
): GrantSource | undefined {
  if (subject.grants === undefined) return undefined
  const valid: Record<string, GrantInput> = {}
  for (const [resource, grant] of Object.entries(subject.grants)) {
    if (policy.resourceIndex.has(resource) && isKnownGrant(policy, conditions, grant))
      valid[resource] = grant
  }
  const maskOf = (grant: GrantInput): number => grantMask(grant, policy.actionIndex, policy.implied)
  return { name: undefined, ...compileGrantTables(valid, { ...policy, maskOf }) }
}

function isKnownGrant(
  policy: CompiledPolicy,
  conditions: Readonly<Record<string, Condition>>,
  grant: unknown,
): boolean {
  if (grant === 'none') return true
  if (!isRecord(grant)) return isKnownActions(policy, grant)
  const { actions, when } = grant
  // "none" cannot be conditional, as in a role: a restriction that holds only sometimes is no restriction.
  return (
    typeof when === 'string' &&
    Object.hasOwn(conditions, when) &&
    actions !== 'none' &&
    isKnownActions(policy, actions)
  )
}

/** An action or a non-empty list of actions, all declared; by index, so a hole is not skipped. */
function isKnownActions(policy: CompiledPolicy, value: unknown): boolean {
  if (typeof value === 'string') return policy.actionIndex.has(value)
  if (!Array.isArray(value) || value.length === 0) return false
  for (let i = 0; i < value.length; i++) {
    const action: unknown = value[i]
    if (typeof action !== 'string' || !policy.actionIndex.has(action)) return false
  }
  return true
}
