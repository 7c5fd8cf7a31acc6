import type { CompiledPolicy } from '../policy/compile-policy.js'
import { checkAssignments } from './check-assignments.js'
import type { AssignmentChange, Assignments, AssignmentStore, ScopeOption } from './types.js'

/** Options of {@link memoryAssignmentStore}. */
export interface MemoryAssignmentStoreOptions {
  /** The rolegate whose policy the store enforces; read on every change, so a new policy applies at once. */
  readonly rolegate: { readonly policy: CompiledPolicy }
  /** Called after every change, e.g. to emit audit events. Errors it throws are ignored. */
  readonly onChange?: (change: AssignmentChange) => void
}

const EMPTY: Assignments = { roles: [], scoped: {} }

/** The roles held in one scope. `hasOwn`: a scope named `__proto__` or `toString` is plain data. */
function rolesIn(scoped: Assignments['scoped'], scope: string): readonly string[] {
  return Object.hasOwn(scoped, scope) ? (scoped[scope] ?? []) : []
}

function withRole(list: readonly string[], role: string): readonly string[] {
  return list.includes(role) ? list : [...list, role]
}

/**
 * An in-memory {@link AssignmentStore}: the default for a single instance and for tests. Every
 * change is checked and applied in one synchronous step, so concurrent calls cannot interleave.
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
}: MemoryAssignmentStoreOptions): AssignmentStore {
  const subjects = new Map<string, Assignments>()
  const notify = (change: AssignmentChange): void => {
    try {
      onChange?.(change)
    } catch {
      // A listener must not turn a stored change into a failed call.
    }
  }
  const commit = (subjectId: string, next: Assignments, change: AssignmentChange): void => {
    checkAssignments(rolegate.policy, subjectId, next)
    subjects.set(subjectId, next)
    notify(change)
  }
  const scopeOf = (options: ScopeOption | undefined): string | undefined => options?.scope
  return {
    get: (subjectId) => Promise.resolve(subjects.get(subjectId)),
    assign(subjectId, role, options) {
      return Promise.resolve().then(() => {
        const current = subjects.get(subjectId) ?? EMPTY
        const scope = scopeOf(options)
        const type = options?.type ?? current.type
        const next: Assignments =
          scope === undefined
            ? { ...current, type, roles: withRole(current.roles, role) }
            : {
                ...current,
                type,
                scoped: {
                  ...current.scoped,
                  [scope]: withRole(rolesIn(current.scoped, scope), role),
                },
              }
        commit(subjectId, next, {
          kind: 'assign',
          subjectId,
          role,
          ...(scope === undefined ? {} : { scope }),
        })
      })
    },
    revoke(subjectId, role, options) {
      return Promise.resolve().then(() => {
        const current = subjects.get(subjectId)
        if (current === undefined) return
        const scope = scopeOf(options)
        let next: Assignments
        if (scope === undefined)
          next = { ...current, roles: current.roles.filter((r) => r !== role) }
        else {
          const scoped = {
            ...current.scoped,
            [scope]: rolesIn(current.scoped, scope).filter((r) => r !== role),
          }
          if (scoped[scope]?.length === 0) delete scoped[scope]
          next = { ...current, scoped }
        }
        commit(subjectId, next, {
          kind: 'revoke',
          subjectId,
          role,
          ...(scope === undefined ? {} : { scope }),
        })
      })
    },
    set(subjectId, assignments) {
      return Promise.resolve().then(() =>
        commit(subjectId, structuredClone(assignments), { kind: 'set', subjectId }),
      )
    },
    delete(subjectId) {
      return Promise.resolve().then(() => {
        if (subjects.delete(subjectId)) notify({ kind: 'delete', subjectId })
      })
    },
    list({ role, scope }) {
      const ids: string[] = []
      for (const [id, assignments] of subjects) {
        const held = scope === undefined ? assignments.roles : rolesIn(assignments.scoped, scope)
        if (held.includes(role)) ids.push(id)
      }
      return Promise.resolve(ids.sort())
    },
  }
}
