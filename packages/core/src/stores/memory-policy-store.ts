import type { PolicyInput, RoleInput } from '../policy/types.js'
import { notifyListeners } from '../report.js'
import { deepFreeze } from './deep-freeze.js'
import {
  customRoleEdits,
  withCustomRoles,
  type CustomRolesOptions,
  type PolicyChange,
  type PolicyStore,
  type RoleHolding,
} from './policy-store.js'

/** Options of {@link memoryPolicyStore}. */
export interface MemoryPolicyStoreOptions<P extends PolicyInput> extends CustomRolesOptions<P> {
  /**
   * Who holds a role, asked before it is deleted or its name reused: the memory assignment store
   * can say (`memoryAssignmentStore` gives `holdings`). Without it, roles are deleted unasked.
   */
  readonly assignments?:
    { holdings(role: string): Promise<readonly RoleHolding[]> | readonly RoleHolding[] } | undefined
  /** Called after every change. What it throws goes to `console.error`; the change stands. */
  readonly onChange?: ((change: PolicyChange) => void) | undefined
}

/**
 * A {@link PolicyStore} in memory: custom roles for one process (a single instance, tests, a
 * demo). Each change is validated as a policy file is and compiled before it is kept, so
 * `current()` is never a policy that did not validate. Changes run one at a time.
 *
 * `memoryStore` makes this store and a memory assignment store wired together, as below.
 *
 * @example
 * ```ts
 * // Each asks the other: assignments are checked against the custom roles, and a held role stays.
 * const policies = memoryPolicyStore({ policy, assignments: { holdings: (role) => assignments.holdings(role) } })
 * const assignments = memoryAssignmentStore({ rolegate: policies })
 * await policies.createRole('billing_clerk', { grants: { invoices: 'read' } })
 * await assignments.assign('u1', 'billing_clerk')
 * ```
 */
export function memoryPolicyStore<const P extends PolicyInput>(
  options: MemoryPolicyStoreOptions<P>,
): PolicyStore<P> {
  const { policy, assignments, onChange } = options
  const watchers = new Set<(change: PolicyChange) => void>()
  let roles: Readonly<Record<string, RoleInput>> = {}
  let revision = 0
  let rolegate = withCustomRoles(options, roles)
  // Each change waits for the one before, so that two cannot both pass a check the other breaks.
  let queue: Promise<unknown> = Promise.resolve()

  const edits = customRoleEdits(policy, async (role) => (await assignments?.holdings(role)) ?? [])
  const change = (
    kind: PolicyChange['kind'],
    name: string,
    apply: (current: Readonly<Record<string, RoleInput>>) => Promise<Record<string, RoleInput>>,
  ): Promise<number> => {
    const run = queue.then(async () => {
      const next = await apply(roles)
      const compiled = withCustomRoles(options, next)
      // Frozen, as the memory assignment store's records are: what customRoles() gives cannot be
      // changed past the checks and the events.
      roles = deepFreeze(next)
      rolegate = compiled
      revision++
      notifyListeners([...watchers, onChange], [{ kind, role: name, revision }])
      return revision
    })
    queue = run.catch(() => undefined)
    return run
  }

  return {
    current: () => rolegate,
    get policy() {
      return rolegate.policy
    },
    get revision() {
      return revision
    },
    customRoles: () => roles,
    // Nothing is shared: what this store holds is always the latest.
    refresh: () => Promise.resolve(rolegate),
    watch(listener) {
      watchers.add(listener)
      return () => watchers.delete(listener)
    },
    createRole: (name, role) => change('create', name, (now) => edits.create(now, name, role)),
    updateRole: (name, role) => change('update', name, (now) => edits.update(now, name, role)),
    deleteRole: (name) => change('delete', name, (now) => edits.delete(now, name)),
  }
}
