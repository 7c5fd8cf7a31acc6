import type { PolicyInput } from '../policy/types.js'
import { contextResolver } from './context-resolver.js'
import { memoryAssignmentStore, type MemoryAssignmentStore } from './memory-assignment-store.js'
import { memoryPolicyStore } from './memory-policy-store.js'
import type { CustomRolesOptions, PolicyChange } from './policy-store.js'
import type { RolegateStore } from './rolegate-store.js'
import type { AssignmentChange } from './types.js'

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions<P extends PolicyInput> extends CustomRolesOptions<P> {
  /** Called after every assignment change (audit). What it throws goes to `console.error`. */
  readonly onChange?: ((change: AssignmentChange) => void) | undefined
  /** Called after every custom-role change (audit). What it throws goes to `console.error`. */
  readonly onPolicyChange?: ((change: PolicyChange) => void) | undefined
}

/** The store {@link memoryStore} makes; `ready()` and `close()` resolve at once. */
export type MemoryStore<P extends PolicyInput = PolicyInput> = RolegateStore<
  P,
  MemoryAssignmentStore
>

/**
 * Assignments and custom roles in memory for one process (a single instance, tests, a demo), each
 * store asking the other: assignments are checked against the custom roles, and a custom role is
 * deleted only once no one holds it (an assignment racing the deletion may still land; its name is
 * then refused to a new role until it is revoked, as the `PolicyStore` contract says).
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
