import type { Rolegate } from '../create-rolegate.js'
import type { PolicyInput } from '../policy/types.js'
import { contextResolver, type ContextResolver } from './context-resolver.js'
import { memoryAssignmentStore, type MemoryAssignmentStore } from './memory-assignment-store.js'
import { memoryPolicyStore } from './memory-policy-store.js'
import type { CustomRolesOptions, PolicyChange, PolicyStore } from './policy-store.js'
import type { AssignmentChange } from './types.js'

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions<P extends PolicyInput> extends CustomRolesOptions<P> {
  /** Called after every assignment change (audit). What it throws goes to `console.error`. */
  readonly onChange?: ((change: AssignmentChange) => void) | undefined
  /** Called after every custom-role change (audit). What it throws goes to `console.error`. */
  readonly onPolicyChange?: ((change: PolicyChange) => void) | undefined
}

/**
 * Everything rolegate keeps, in memory and wired together: the same members as `@rolegate/redis`'s
 * `redisStore`, so that moving to Redis changes the line that makes the store and nothing else.
 */
export interface MemoryStore<P extends PolicyInput = PolicyInput> {
  /** Role assignments, checked against the policy including custom roles. */
  readonly assignments: MemoryAssignmentStore
  /** Custom roles; a role is not deleted while someone holds it. */
  readonly policies: PolicyStore<P>
  /** The context resolver to hand to `@rolegate/express` or `@rolegate/koa`. */
  readonly resolve: ContextResolver<P>
  /** The rolegate in force: the code policy plus the custom roles. */
  current(): Rolegate<P>
  /** Resolves at once: there is nothing to connect to. */
  ready(): Promise<void>
  /** Resolves at once: there is nothing to close. */
  close(): Promise<void>
}

/**
 * Assignments and custom roles in memory for one process (a single instance, tests, a demo), each
 * store asking the other: assignments are checked against the custom roles, and a custom role is
 * deleted only once no one holds it.
 *
 * @example
 * ```ts
 * const store = memoryStore({ policy })
 * app.use(rolegate(store.policies, { resolve: store.resolve }))
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
