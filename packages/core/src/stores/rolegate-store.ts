import type { Rolegate } from '../create-rolegate.js'
import type { PolicyInput } from '../policy/types.js'
import type { ContextResolver } from './context-resolver.js'
import type { PolicyStore } from './policy-store.js'
import type { AssignmentStore } from './types.js'

/**
 * Everything rolegate keeps, wired together: what `memoryStore` and `@rolegate/redis`'s
 * `redisStore` give, so that moving to Redis changes the line that makes the store and nothing else.
 */
export interface RolegateStore<
  P extends PolicyInput = PolicyInput,
  A extends AssignmentStore = AssignmentStore,
  S extends PolicyStore<P> = PolicyStore<P>,
  R extends ContextResolver<P> = ContextResolver<P>,
> {
  /** Role assignments, checked against the policy including custom roles. */
  readonly assignments: A
  /** Custom roles; a role is not deleted while someone holds it. */
  readonly policies: S
  /** The context resolver to hand to `@rolegate/express` or `@rolegate/koa`. */
  readonly resolve: R
  /** The rolegate in force: the code policy plus the custom roles last loaded. */
  current(): Rolegate<P>
  /** Resolves once the store can serve (connected, custom roles loaded); await before serving. */
  ready(): Promise<void>
  /** Stops what the store started (listening for changes); does not close a client you gave it. */
  close(): Promise<void>
}
