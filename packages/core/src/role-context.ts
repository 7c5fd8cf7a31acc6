import {
  allows,
  allowsByCondition,
  allowsWithoutInput,
  explainDecision,
  permissionName,
  unknownPermissionReason,
  type CheckInput,
  type Decision,
} from './decision.js'
import { forbiddenError } from './problem.js'
import { permittedFieldsAt, redactAt } from './fields.js'
import type { CompiledPermission, CompiledPolicy } from './policy/compile-policy.js'
import type {
  ActionOf,
  Condition,
  PermissionOf,
  PolicyInput,
  ResourceOf,
  RoleOf,
  Subject,
} from './policy/types.js'
import type { DroppedRole, RoleConflict, RoleSet } from './role-set.js'

/** Options of a single check. */
export interface CheckOptions {
  /** The scope to decide in, e.g. `'team:42'`. Global roles apply in every scope. */
  readonly scope?: string | undefined
  /** The resource instance that conditional grants are evaluated against. */
  readonly resource?: unknown
}

/** The roles of a context in one scope, and what did not count. */
export interface RolesReport<P extends PolicyInput = PolicyInput> {
  /** Held roles that count (global and the scope's), in policy order. */
  readonly held: readonly RoleOf<P>[]
  /** Roles in force: held, inherited and default roles, in policy order. */
  readonly inForce: readonly RoleOf<P>[]
  /**
   * Roles that do not count, each once: held names the policy does not know, and held, inherited
   * or default roles whose subject types exclude the subject.
   */
  readonly dropped: readonly DroppedRole[]
  /** Set when every decision denies with `exclusive-conflict`. */
  readonly conflict: RoleConflict | undefined
}

/**
 * A subject's authority, ready to decide. Made by `rg.context(subject)`; the same answers in an HTTP
 * guard, a background job, the CLI and through a cache.
 */
export interface RoleContext<P extends PolicyInput = PolicyInput> {
  /** The effective subject: whose roles decide. */
  readonly subject: Subject
  /** The real actor: the subject itself, or the administrator impersonating it. */
  readonly actor: Subject
  /** Whether the actor acts on behalf of another subject. */
  readonly impersonating: boolean
  /** Whether the permission is allowed. Never throws; unknown permissions are denied. */
  can(permission: PermissionOf<P>, options?: CheckOptions): boolean
  /** The decision with its reason and the role and grant that decided it. */
  explain(permission: PermissionOf<P>, options?: CheckOptions): Decision
  /**
   * Throws unless the permission is allowed.
   *
   * @throws {@link ForbiddenError} carrying the decision.
   */
  assert(permission: PermissionOf<P>, options?: CheckOptions): void
  /** Whether the role is in force (held, inherited or default) in the scope, with no conflict. */
  hasRole(role: RoleOf<P>, options?: Pick<CheckOptions, 'scope'>): boolean
  /** The roles in force in the scope, with what was dropped and any conflict. */
  roles(scope?: string): RolesReport<P>
  /** Names of the direct children of `resource` on which `action` (default `read`) is allowed. */
  permittedFields(resource: ResourceOf<P>, action?: ActionOf<P>, options?: CheckOptions): string[]
  /**
   * `value` without the fields the context may not read. A copy where something can be taken out;
   * `value` itself, not a copy, where the resource is readable and declares no fields, since there
   * is nothing to take out and copying would only cost time. The fields kept are those
   * {@link RoleContext.permittedFields} lists (recursively): of a resource that is not readable,
   * only its readable declared fields stay, without its own other keys; with none, `{}`.
   * @throws TypeError for what JSON cannot write where fields are taken out (a cycle, a `BigInt`).
   */
  redact<T>(resource: ResourceOf<P>, value: T, options?: CheckOptions): Partial<T>
}

/** What a context needs from the rolegate that made it. */
export interface ContextDeps {
  readonly policy: CompiledPolicy
  readonly conditions: Readonly<Record<string, Condition>>
  /** The role set for the subject's held roles in a scope; cached by the caller. */
  readonly roleSetFor: (subject: Subject, scope: string | undefined) => RoleSet
}

const READ = 0

/**
 * The role context implementation. Role sets are resolved lazily, once per scope.
 *
 * A request keeps its context for its whole life, so it has as few fields as it can (72 bytes):
 * `impersonating` is worked out, not stored, and its helpers are TypeScript-private methods rather
 * than `#` ones, whose brand would be one more field of every instance.
 */
export class Context<P extends PolicyInput = PolicyInput> implements RoleContext<P> {
  readonly subject: Subject
  readonly actor: Subject
  readonly #deps: ContextDeps
  /** The input of checks without an instance, made on first need: most checks need none. */
  #noInstance: CheckInput | undefined = undefined
  #global: RoleSet | undefined
  #scoped: Map<string, RoleSet> | undefined

  constructor(deps: ContextDeps, subject: Subject, actor?: Subject) {
    this.#deps = deps
    this.subject = subject
    this.actor = actor ?? subject
  }

  /**
   * Whether the actor acts for another subject: then the two are different objects, since the
   * subject acted for is always a checked copy (`rg.impersonate` reads it through `readSubject`).
   */
  get impersonating(): boolean {
    return this.actor !== this.subject
  }

  /** The compiled policy this context decides with. */
  get policy(): CompiledPolicy {
    return this.#deps.policy
  }

  /** A context for another subject under the same policy and conditions, acting for `actor`. */
  derive(subject: Subject, actor: Subject): Context<P> {
    return new Context<P>(this.#deps, subject, actor)
  }

  private roleSetIn(scope: string | undefined): RoleSet {
    if (scope === undefined)
      return (this.#global ??= this.#deps.roleSetFor(this.subject, undefined))
    this.#scoped ??= new Map()
    let set = this.#scoped.get(scope)
    if (set === undefined) {
      set = this.#deps.roleSetFor(this.subject, scope)
      this.#scoped.set(scope, set)
    }
    return set
  }

  private inputOf(options: CheckOptions | undefined): CheckInput {
    const resource = options?.resource
    const { subject } = this
    const { conditions } = this.#deps
    if (resource !== undefined) return { subject, conditions, resource }
    return (this.#noInstance ??= { subject, conditions, resource: undefined })
  }

  can(permission: PermissionOf<P>, options?: CheckOptions): boolean {
    const compiled = this.#deps.policy.permissions.get(permission)
    return compiled !== undefined && this.allows(compiled, options)
  }

  /**
   * `can()` for a permission compiled by this context's policy ({@link Context.policy}): guards
   * compile theirs when they are made, and skip the name lookup on every request.
   */
  allows(compiled: CompiledPermission, options?: CheckOptions): boolean {
    const set = this.roleSetIn(options?.scope)
    // The input is an object: made only when a conditional grant must be weighed.
    return (
      allowsWithoutInput(set, compiled) ?? allowsByCondition(set, compiled, this.inputOf(options))
    )
  }

  explain(permission: PermissionOf<P>, options?: CheckOptions): Decision {
    const scope = options?.scope
    const compiled = this.#deps.policy.permissions.get(permission)
    if (compiled === undefined) {
      const reason = unknownPermissionReason(this.#deps.policy, permission)
      const named = permissionName(permission)
      return {
        allowed: false,
        reason,
        permission: named,
        ...(scope === undefined ? {} : { scope }),
      }
    }
    return explainDecision(this.roleSetIn(scope), compiled, this.inputOf(options), scope)
  }

  assert(permission: PermissionOf<P>, options?: CheckOptions): void {
    const decision = this.explain(permission, options)
    if (!decision.allowed) throw forbiddenError(decision)
  }

  hasRole(role: RoleOf<P>, options?: Pick<CheckOptions, 'scope'>): boolean {
    const set = this.roleSetIn(options?.scope)
    return set.conflict === undefined && set.inForce.includes(role)
  }

  roles(scope?: string): RolesReport<P> {
    const { held, inForce, dropped, conflict } = this.roleSetIn(scope)
    return { held, inForce, dropped, conflict }
  }

  private canAt(options: CheckOptions | undefined): (resource: number, action: number) => boolean {
    const set = this.roleSetIn(options?.scope)
    const input = this.inputOf(options)
    const { permissions, resources, actions } = this.#deps.policy
    return (resource, action) => {
      const permission = permissions.get(
        `${resources[resource] as string}:${actions[action] as string}`,
      )
      return allows(set, permission as CompiledPermission, input)
    }
  }

  permittedFields(resource: ResourceOf<P>, action?: ActionOf<P>, options?: CheckOptions): string[] {
    const { resourceIndex, actionIndex } = this.#deps.policy
    const r = resourceIndex.get(resource)
    const a = actionIndex.get(action ?? 'read')
    if (r === undefined || a === undefined) return []
    return permittedFieldsAt(this.#deps.policy, r, a, this.canAt(options))
  }

  redact<T>(resource: ResourceOf<P>, value: T, options?: CheckOptions): Partial<T> {
    const r = this.#deps.policy.resourceIndex.get(resource)
    if (r === undefined) return {}
    const redacted = redactAt(this.#deps.policy, r, value, READ, this.canAt(options))
    return redacted ?? {}
  }
}
