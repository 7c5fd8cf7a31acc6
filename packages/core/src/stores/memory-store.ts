import type { Rolegate } from '../create-rolegate.js'
import type { PolicyInput } from '../policy/types.js'
import { contextResolver, type ContextResolver } from './context-resolver.js'
import { memoryAssignmentStore, type MemoryAssignmentStore } from './memory-assignment-store.js'
import { memoryPolicyStore } from './memory-policy-store.js'
import type { CustomRolesOptions, PolicyChange, PolicyStore } from './policy-store.js'
import type { AssignmentChange, AssignmentStore } from './types.js'

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions<P extends PolicyInput> extends CustomRolesOptions<P> {
  /** Called after every assignment change (audit). What it throws goes to `console.error`. */
  readonly onChange?: ((change: AssignmentChange) => void) | undefined
  /** Called after every custom-role change (audit). What it throws goes to `console.error`. */
  readonly onPolicyChange?: ((change: PolicyChange) => void) | undefined
}

/**
 * Everything rolegate keeps, wired together: what {@link memoryStore} and `@rolegate/redis`'s
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

/** The store {@link memoryStore} makes; `ready()` and `close()` resolve at once. */
export type MemoryStore<P extends PolicyInput = PolicyInput> = RolegateStore<
  P,
  MemoryAssignmentStore
>

/**
 * Assignments and custom roles in memory for one process (a single instance, tests, a demo), each
 * store asking the other: assignments are checked against the custom roles, and a custom role is
 * deleted only once no one holds it.
 *
 * @example
 * ```ts
 * const store = memoryStore({ policy })
 * app.use(rolegate(store))
 * await store.policies.createRole('billing_clerk', { grants: { invoices: 'read' } })
 * await store.assignments.assign('u1', 'billing_clerk')
 * ```
 */
export function memoryStore<const P extends PolicyInput>({
  onChange,
  onPolicyChange,
  ...options
}: MemoryStoreOptions<P>): MemoryStore<P> {
  const policies = memoryPolicyStore<P>({
    ...options,
    // Asked only when a role is deleted or created, long after `assignments` below exists.
    assignments: { holdings: (role) => assignments.holdings(role) },
    onChange: onPolicyChange,
  })
  const assignments = memoryAssignmentStore({ rolegate: policies, onChange })
  return {
    assignments,
    policies,
    resolve: contextResolver({ rolegate: policies, store: assignments }),
    current: () => policies.current(),
    ready: () => Promise.resolve(),
    close: () => Promise.resolve(),
  }
}
