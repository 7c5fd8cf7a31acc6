import type { Rolegate } from '../create-rolegate.js'
import type { PolicyInput } from '../policy/types.js'
import type { RolegateStore } from './rolegate-store.js'
import { isPolicyStore, type PolicyStore } from './policy-store.js'

/** One view per store, so that a guard and the middleware given the same store agree on identity. */
const views = new WeakMap<object, unknown>()

/**
 * A rolegate that always answers with the one in force in `store`: the policy in code plus the
 * custom roles last loaded. The adapters use it when given a policy store instead of a rolegate,
 * so that contexts, impersonation and `who` follow custom roles created after start-up. The same
 * store always gives the same view.
 *
 * @example
 * ```ts
 * const policies = memoryPolicyStore({ policy })
 * const rg = liveRolegate(policies)
 * await policies.createRole('clerk', { grants: { invoices: 'read' } })
 * rg.context({ id: 'u1', roles: ['clerk'] }).can('invoices:read') // true
 * ```
 */
export function liveRolegate<P extends PolicyInput>(store: PolicyStore<P>): Rolegate<P> {
  const known = views.get(store) as Rolegate<P> | undefined
  if (known !== undefined) return known
  const view: Rolegate<P> = {
    get policy() {
      return store.current().policy
    },
    get version() {
      return store.current().version
    },
    context: (subject) => store.current().context(subject),
    impersonate: (actor, target, options) => store.current().impersonate(actor, target, options),
    who: (permission, options) => store.current().who(permission, options),
    permission: (permission) => store.current().permission(permission),
    role: (role) => store.current().role(role),
  }
  views.set(store, view)
  return view
}

/**
 * What the adapters decide with: a fixed rolegate, a policy store (custom roles may change), or a
 * whole store (`memoryStore`, `@rolegate/redis`'s `redisStore`), whose policies and resolver are
 * then used.
 */
export type RolegateSource<P extends PolicyInput = PolicyInput> =
  Rolegate<P> | PolicyStore<P> | RolegateStore<P>

/** Whether `source` is a whole store rather than a rolegate or a policy store. */
export function isRolegateStore<P extends PolicyInput>(
  source: RolegateSource<P>,
): source is RolegateStore<P> {
  const { policies, resolve } = source as Partial<RolegateStore<P>>
  return typeof resolve === 'function' && typeof policies?.current === 'function'
}

/** The rolegate of a source: itself, or the live view of its policy store. */
export function rolegateOf<P extends PolicyInput>(source: RolegateSource<P>): Rolegate<P> {
  if (isRolegateStore(source)) return liveRolegate(source.policies)
  return isPolicyStore(source) ? liveRolegate(source) : source
}
