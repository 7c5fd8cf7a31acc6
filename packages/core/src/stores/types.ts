import type { GrantInput } from '../policy/types.js'

/** What a store holds for one subject. */
export interface Assignments {
  /** The subject's type, checked against roles' `subjectTypes`. */
  readonly type?: string | undefined
  /** Roles held everywhere. */
  readonly roles: readonly string[]
  /** Roles held per scope: `{ 'team:42': ['admin'] }`. */
  readonly scoped: Readonly<Record<string, readonly string[]>>
  /** Direct grants beside roles. */
  readonly grants?: Readonly<Record<string, GrantInput>> | undefined
}

/** Where an assignment applies: a scope, or everywhere when absent. */
export interface ScopeOption {
  readonly scope?: string | undefined
}

/** A change a store made, as published to listeners and audit hooks. */
export interface AssignmentChange {
  readonly kind: 'assign' | 'revoke' | 'set' | 'delete'
  readonly subjectId: string
  readonly role?: string
  readonly scope?: string
}

/**
 * Where role assignments live. Implementations enforce the policy's `exclusive`, `conflicts` and
 * `subjectTypes` rules, and refuse direct grants a role could not hold, when a role is assigned or
 * assignments are set, and throw {@link AssignmentError} when one is broken.
 */
export interface AssignmentStore {
  /** The subject's assignments, or `undefined` when the store has none. */
  get(subjectId: string): Promise<Assignments | undefined>
  /** Adds a role, globally or in a scope. `type` sets the subject's type if given. */
  assign(
    subjectId: string,
    role: string,
    options?: ScopeOption & { readonly type?: string },
  ): Promise<void>
  /**
   * Removes a role, globally or in a scope. Removing a role not held is not an error. Never refused
   * for the roles left, which may have broken a rule since they were given: a revoke only narrows.
   */
  revoke(subjectId: string, role: string, options?: ScopeOption): Promise<void>
  /**
   * Replaces everything the store holds for the subject.
   * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`) for assignments of the wrong shape, naming
   * the field; {@link AssignmentError} for a broken rule or an invalid direct grant.
   */
  set(subjectId: string, assignments: Assignments): Promise<void>
  /** Forgets the subject. */
  delete(subjectId: string): Promise<void>
  /** Ids of the subjects holding `role` (in `scope`, or globally when absent), sorted. */
  list(query: { readonly role: string } & ScopeOption): Promise<string[]>
}
