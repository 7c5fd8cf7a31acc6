import type { Decision } from './decision.js'
import { invalidArgument } from './errors.js'
import { runGuard, validate, type GuardSpec, type NameChecker } from './guard-run.js'
import type { PolicyInput } from './policy/types.js'
import type { Problem } from './problem.js'
import type { RoleContext } from './role-context.js'
import type { RequestRolegate } from './request-rolegate.js'
import { rolegateOf, type RolegateSource } from './stores/live-rolegate.js'

/**
 * The per-request {@link GuardInput} of a guard whose scope and loader are functions of the
 * adapter's request `R`: one shared object when the scope is fixed and there is no loader (nothing
 * is allocated per request), else functions bound to the request.
 *
 * @example
 * ```ts
 * const check = guard(rg, { kind: 'role', roles: ['admin'] })
 * const inputOf = guardInputOf((req: Request) => `team:${req.params.team}`, undefined)
 * const outcome = await check(req.rolegate, inputOf(req))
 * ```
 */
export function guardInputOf<R>(
  scope: string | ((request: R) => string | undefined | Promise<string | undefined>) | undefined,
  resource: ((request: R) => unknown) | undefined,
): (request: R) => GuardInput {
  if (scope !== undefined && typeof scope !== 'string' && typeof scope !== 'function')
    throw invalidArgument('scope must be a string or a function of the request')
  if (resource !== undefined && typeof resource !== 'function')
    throw invalidArgument('resource must be a function of the request')
  if (typeof scope !== 'function' && resource === undefined) {
    const fixed: GuardInput = { scope }
    return () => fixed
  }
  return (request) => ({
    scope: typeof scope === 'function' ? () => scope(request) : scope,
    resource: resource === undefined ? undefined : () => resource(request),
  })
}

/** What a guard requires: all or any of some permissions, or any of some roles. */
export type Requirement =
  | {
      readonly kind: 'permission'
      readonly permissions: readonly string[]
      readonly mode: 'all' | 'any'
    }
  | { readonly kind: 'role'; readonly roles: readonly string[] }

/** A refused request: what to answer. `decision` is the permission decision that denied, if any. */
export interface Denial {
  readonly allowed: false
  readonly status: 401 | 403 | 503
  readonly headers: Readonly<Record<string, string>>
  readonly problem: Problem
  readonly decision?: Decision
}

/** What a guard decided for one request: go on with the context, or answer with the denial. */
export type Outcome<P extends PolicyInput = PolicyInput> = Allowed<P> | Denial

/** An allowed request: its context, and the scope and instance the decision was made with. */
export interface Allowed<P extends PolicyInput = PolicyInput> {
  readonly allowed: true
  readonly context: RoleContext<P>
  readonly scope: string | undefined
  /** What the `resource` loader gave, if there was one. */
  readonly resource: unknown
}

/** Where a guard decides, per request: the scope and the resource instance, each read lazily. */
export interface GuardInput {
  /** The scope to decide in, or a function of the request giving it. */
  readonly scope?: string | (() => string | undefined | Promise<string | undefined>) | undefined
  /** Loads the resource instance that conditional grants are weighed against. */
  readonly resource?: (() => unknown) | undefined
}

/**
 * A guard made by {@link guard}: never throws or rejects, every failure is a {@link Denial}. It
 * answers synchronously when everything it waits for did (the subject reader, the resolver, the
 * scope and the resource loader), and with a promise otherwise: `await` it either way.
 */
export type Guard<P extends PolicyInput = PolicyInput> = (
  request: RequestRolegate<P> | undefined,
  input?: GuardInput,
) => Outcome<P> | Promise<Outcome<P>>

/**
 * The framework-neutral door of the adapters: checks the names of `requirement` against the policy
 * now, and returns the per-request check. The check maps no subject to 401, an unavailable backend
 * to 503, a denial to 403 naming what was missing, and anything thrown to 403 (fail closed); it
 * sends every decision to the audit hook.
 *
 * @param source The policy to check names against now: a rolegate, a policy store or a whole store
 * (the rolegate in force). Without it, names are checked against the request's rolegate on first
 * use, and an unknown one denies.
 * @throws {@link UnknownPermissionError} or {@link UnknownRoleError} naming what the policy lacks.
 * @example
 * ```ts
 * const check = guard(rg, { kind: 'permission', permissions: ['invoices:read'], mode: 'all' })
 * const outcome = await check(req.rolegate, { scope: () => `team:${req.params.team}` })
 * if (!outcome.allowed) send(res, outcome)
 * ```
 */
export function guard<P extends PolicyInput = PolicyInput>(
  source: RolegateSource<P> | undefined,
  requirement: Requirement,
): Guard<P> {
  const rolegate = source === undefined ? undefined : rolegateOf(source)
  const names = requirement.kind === 'permission' ? requirement.permissions : requirement.roles
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string'))
    throw invalidArgument(`a guard needs at least one ${requirement.kind} name`)
  if (requirement.kind === 'permission' && !['all', 'any'].includes(requirement.mode))
    throw invalidArgument('mode must be "all" or "any"')
  const checked = new WeakSet<NameChecker>()
  if (rolegate !== undefined) {
    validate(rolegate, requirement)
    checked.add(rolegate)
  }
  const spec: GuardSpec = {
    rolegate,
    requirement,
    names: requirement.kind === 'permission' ? { permissions: names } : { roles: names },
    checked,
    compiled:
      rolegate === undefined || requirement.kind === 'role'
        ? undefined
        : {
            policy: rolegate.policy,
            permissions: requirement.permissions.map((p) => rolegate.permission(p)),
          },
  }
  return (request, input = NO_INPUT) => runGuard<P>(spec, request, input)
}

const NO_INPUT: GuardInput = {}
