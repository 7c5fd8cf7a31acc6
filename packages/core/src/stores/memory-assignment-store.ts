import type { CompiledPolicy } from '../policy/compile-policy.js'
import { invalidArgument } from '../errors.js'
import { notifyListeners } from '../report.js'
import { assigned, normalizeAssignments, revoked, rolesInScope } from './assignment-edits.js'
import { givenAssignments } from './assignments-problem.js'
import { checkAssignments } from './check-assignments.js'
import { deepFreeze } from './deep-freeze.js'
import type { RoleHolding } from './policy-store.js'
import type { AssignmentChange, Assignments, AssignmentStore } from './types.js'

/** Options of {@link memoryAssignmentStore}. */
export interface MemoryAssignmentStoreOptions {
  /** The rolegate whose policy the store enforces; read on every change, so a new policy applies at once. */
  readonly rolegate: { readonly policy: CompiledPolicy }
  /**
   * Called after every change, e.g. to emit audit events. What it throws goes to `console.error`;
   * the change stands.
   */
  readonly onChange?: ((change: AssignmentChange) => void) | undefined
}

/** The memory store: an {@link AssignmentStore} that can also say who holds a role, anywhere. */
export interface MemoryAssignmentStore extends AssignmentStore {
  /** Every holding of `role`, globally and in any scope: what a policy store asks before deleting it. */
  holdings(role: string): Promise<RoleHolding[]>
}

/**
 * An in-memory {@link AssignmentStore}: the default for a single instance and for tests. Every
 * change is applied in one synchronous step (an assign or a set checked against the policy's rules
 * first; a revoke only takes away), so concurrent calls cannot interleave.
 *
 * @example
 * ```ts
 * const store = memoryAssignmentStore({ rolegate: rg })
 * await store.assign('u1', 'admin', { scope: 'team:42' })
 * ```
 */
export function memoryAssignmentStore({
  rolegate,
  onChange,
}: MemoryAssignmentStoreOptions): MemoryAssignmentStore {
  const subjects = new Map<string, Assignments>()
  const notify = (change: AssignmentChange): void => notifyListeners([onChange], [change])
  /**
   * Checks and keeps `next`, in its canonical form and frozen, then tells `onChange`; a change that
   * changes nothing is neither kept nor told, as in `@rolegate/redis`. A revoke is not checked: it
   * only takes away, and the roles left may have broken a rule since they were given (an
   * `updateRole` that added subject types), which must not keep a role the admin takes away.
   */
  const commit = (
    subjectId: string,
    next: Assignments,
    change: AssignmentChange,
    check: boolean,
  ): void => {
    const current = subjects.get(subjectId)
    const normal = normalizeAssignments(next)
    if (current !== undefined && JSON.stringify(normal) === JSON.stringify(current)) return
    if (check) checkAssignments(rolegate.policy, subjectId, normal)
    subjects.set(subjectId, deepFreeze(normal))
    notify(change)
  }
  /** Runs `step` on a later tick, after checking the subject id, as a store over a network would. */
  const later = (subjectId: string, step: () => void): Promise<void> =>
    Promise.resolve().then(() => {
      if (typeof subjectId !== 'string' || subjectId === '')
        throw invalidArgument('subjectId must be a non-empty string')
      step()
    })
  const described = (
    kind: 'assign' | 'revoke',
    subjectId: string,
    role: string,
    scope: string | undefined,
  ): AssignmentChange => ({ kind, subjectId, role, ...(scope === undefined ? {} : { scope }) })
  return {
    get: (subjectId) => Promise.resolve(subjects.get(subjectId)),
    assign(subjectId, role, options) {
      return later(subjectId, () => {
        const next = assigned(subjects.get(subjectId), role, options)
        commit(subjectId, next, described('assign', subjectId, role, options?.scope), true)
      })
    },
    revoke(subjectId, role, options) {
      return later(subjectId, () => {
        const current = subjects.get(subjectId)
        if (current === undefined) return
        const next = revoked(current, role, options)
        commit(subjectId, next, described('revoke', subjectId, role, options?.scope), false)
      })
    },
    set(subjectId, assignments) {
      return later(subjectId, () =>
        commit(
          subjectId,
          givenAssignments(subjectId, assignments),
          { kind: 'set', subjectId },
          true,
        ),
      )
    },
    delete(subjectId) {
      return later(subjectId, () => {
        if (subjects.delete(subjectId)) notify({ kind: 'delete', subjectId })
      })
    },
    list({ role, scope }) {
      const ids: string[] = []
      for (const [id, assignments] of subjects) {
        const held = scope === undefined ? assignments.roles : rolesInScope(assignments, scope)
        if (held.includes(role)) ids.push(id)
      }
      return Promise.resolve(ids.sort())
    },
    holdings(role) {
      const held: RoleHolding[] = []
      for (const [subjectId, assignments] of subjects) {
        if (assignments.roles.includes(role)) held.push({ subjectId })
        for (const scope of Object.keys(assignments.scoped))
          if (rolesInScope(assignments, scope).includes(role)) held.push({ subjectId, scope })
      }
      return Promise.resolve(held)
    },
  }
}
