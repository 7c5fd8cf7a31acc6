/**
 * What every HTTP variant shares: the policy (billwerk), the users the header names, the route's
 * permission, and the decision of each hand-written guard. The Express and Koa apps wrap these in
 * their own middleware, identically for every variant.
 */
import { createMongoAbility, type MongoAbility } from '@casl/ability'
import { createRolegate, type Rolegate } from '@rolegate/core'
import { enforcerFor, policyLines } from '../peers/casbin.js'
import { caslResolveAction, caslRulesFor } from '../peers/casl.js'
import { rolegatePolicy } from '../peers/rolegate.js'
import { billwerk } from '../policies/billwerk.js'
import { allows, type User } from '../policies/neutral.js'
import { namesFromSetting } from '../settings.js'

/** The guarded route: `GET /customers` needs `customers:read`. */
export const ROUTE = '/customers'
export const RESOURCE = 'customers'
export const ACTION = 'read'
export const PERMISSION = `${RESOURCE}:${ACTION}`

/** The header the subject middleware reads. */
export const USER_HEADER = 'x-user'

/** The users the header may name, as a session store would hold them. */
const USERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['alice', ['finance', 'reports']], // customers: read (finance r, reports r)
  ['bob', ['products', 'templates']], // customers: none
])
/** The user every timed request comes from, and one every guard must refuse. */
export const ALLOWED_USER = 'alice'
export const DENIED_USER = 'bob'

/**
 * `control` is `none` again, in a server of its own: an A/A comparison, whose distance from 100%
 * is what the measurement itself moves by in that run. `extra-use` is `none` with one more no-op
 * app-level middleware: what the framework charges for the layer that `app.use(authz)` adds;
 * `extra-route` is `none` with a no-op middleware before the handler: what the framework charges
 * for any route guard, before it does anything; `extra-both` has both no-ops, the shape of the
 * documented form: what the framework charges for `app.use(authz)` and a route guard together.
 * `core` is rolegate's decision, `rg.context(user).can(permission)`, in the hand-written guard
 * `Set.has` runs in: what the adapter's guard costs beyond core's decision. `allow-all` is that
 * hand-written guard with a decision that allows everyone: what any route guard costs before it
 * decides anything. These run only when named.
 */
export const VARIANTS = [
  'none',
  'control',
  'extra-use',
  'extra-route',
  'extra-both',
  'set',
  'rolegate',
  'rolegate-unmounted',
  'core',
  'allow-all',
  'casl',
  'casl-cached',
  'casbin',
] as const
export type Variant = (typeof VARIANTS)[number]
export type HandWritten = Exclude<
  Variant,
  'none' | 'control' | `extra-${string}` | 'rolegate' | 'rolegate-unmounted'
>

/** The variants every run needs: no guard, its A/A control, and rolegate. */
const ALWAYS: readonly Variant[] = ['none', 'control', 'rolegate']

/**
 * The variants a comma-separated setting names (e.g. `BENCH_HTTP_VARIANTS=set`), with `none`,
 * `control` and `rolegate` always among them, in VARIANTS' order; `whenUnset` when it is unset or
 * empty. An unknown name throws, naming the setting.
 */
export function chooseVariants(
  setting: string,
  list: string | undefined,
  whenUnset: readonly Variant[],
): readonly Variant[] {
  const named = namesFromSetting(setting, list, VARIANTS, 'variant')
  if (named === undefined) return whenUnset
  const names = new Set<string>([...ALWAYS, ...named])
  return VARIANTS.filter((variant) => names.has(variant))
}

/** Whether the variant's route has no guard: it answers 200 to anyone. */
export const unguarded = (variant: Variant): boolean =>
  variant === 'none' || variant === 'control' || variant.startsWith('extra-')

export const LABELS: Readonly<Record<Variant, string>> = {
  none: 'no guard',
  control: 'no guard again (A/A control)',
  'extra-use': 'no guard, one more app.use (no-op)',
  'extra-route': 'no guard, one more route middleware (no-op)',
  'extra-both': 'no guard, one more app.use and route middleware',
  set: 'Set.has (hand-written)',
  rolegate: 'rolegate requirePermission',
  'rolegate-unmounted': 'rolegate, guard without app.use',
  core: "rolegate's core in a hand-written guard",
  'allow-all': 'hand-written guard, allows all',
  casl: 'CASL, Ability per request',
  'casl-cached': 'CASL, Ability cached per user',
  casbin: 'casbin enforceSync',
}

/**
 * The subject for a header value: a fresh `{ id, roles }` per request, as deserializing a session
 * or a token gives it. The same tiny middleware runs in front of every variant, guard or not.
 */
export function userFromHeader(id: string | undefined): User | undefined {
  const roles = id === undefined ? undefined : USERS.get(id)
  return roles === undefined || id === undefined ? undefined : { id, roles: [...roles] }
}

/** The rolegate the `rolegate` variant's middleware is made from. */
export function httpRolegate(): Rolegate {
  return createRolegate({ policy: rolegatePolicy(billwerk) })
}

/** A hand-written guard's decision for the route's permission. */
export type Decide = (user: User) => boolean

/**
 * The hand-written guards' decisions. `set`: per role a precomputed `Set` of allowed
 * "resource:action" strings. `casl`: the user's Ability built per request from per-role rules
 * prepared at start-up, as CASL's docs build it in a middleware. `casl-cached`: one Ability per
 * user, built on the user's first request and kept. `casbin`: `enforceSync(user, obj, act)` on an
 * enforcer holding billwerk's `p` lines and a `g` line per user and role.
 */
export async function handWrittenGuards(): Promise<Readonly<Record<HandWritten, Decide>>> {
  const sets = new Map<string, Set<string>>()
  for (const role of Object.keys(billwerk.roles)) {
    const set = new Set<string>()
    for (const resource of billwerk.resources)
      for (const action of ['read', 'write'] as const)
        if (allows(billwerk, { id: role, roles: [role] }, resource, action))
          set.add(`${resource}:${action}`)
    sets.set(role, set)
  }
  const rulesFor = caslRulesFor(billwerk)
  const abilityFor = (user: User): MongoAbility =>
    createMongoAbility(rulesFor(user.roles), { resolveAction: caslResolveAction })
  const abilities = new Map<string, MongoAbility>()
  const enforcer = await enforcerFor(policyLines(billwerk))
  for (const [id, roles] of USERS)
    for (const role of roles) await enforcer.addGroupingPolicy(id, role)
  const rg = httpRolegate()
  return {
    set: (user) => user.roles.some((role) => sets.get(role)?.has(PERMISSION) === true),
    casl: (user) => abilityFor(user).can(ACTION, RESOURCE),
    'casl-cached': (user) => {
      let ability = abilities.get(user.id)
      if (ability === undefined) abilities.set(user.id, (ability = abilityFor(user)))
      return ability.can(ACTION, RESOURCE)
    },
    casbin: (user) => enforcer.enforceSync(user.id, RESOURCE, ACTION),
    core: (user) => rg.context(user).can(PERMISSION),
    'allow-all': () => true,
  }
}

/** What the handler answers, the same for every variant. */
export const BODY = { customers: [] }

/** What a hand-written guard answers when it refuses. */
export const FORBIDDEN = { error: 'forbidden' }
