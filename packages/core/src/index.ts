/**
 * Role-based access control for Node: typed policies, a compiled decision engine, role contexts,
 * explained decisions, field redaction, and the store interfaces the Express, Koa and Redis
 * packages build on.
 *
 * @module
 */
export { emitAudit, type AuditEvent, type AuditHook } from './audit.js'
export { withDeadline } from './deadline.js'
export {
  createRolegate,
  type ImpersonateOptions,
  type Rolegate,
  type RolegateOptions,
} from './create-rolegate.js'
export type { Decision, DecisionReason, DecidingGrant } from './decision.js'
export {
  AssignmentError,
  BackendUnavailableError,
  ForbiddenError,
  HttpRolegateError,
  PolicyError,
  ResponseStartedError,
  RolegateError,
  UnauthorizedError,
  UnknownPermissionError,
  UnknownRoleError,
  invalidArgument,
  type AnyRolegateError,
  type PolicyProblem,
  type RolegateErrorCode,
} from './errors.js'
export {
  asHttpFailure,
  problemResponse,
  type HttpFailure,
  type ProblemResponse,
} from './http-failure.js'
export { compilePolicy, isCompiledPolicy, type CompiledPolicy } from './policy/compile-policy.js'
export { definePolicy } from './policy/define-policy.js'
export { pathStep } from './policy/names.js'
export { loadPolicy, parsePolicy, type LoadPolicyOptions } from './policy/load-policy.js'
export type {
  ActionOf,
  BuiltInAction,
  Condition,
  GrantInput,
  PermissionOf,
  PolicyInput,
  ResourceOf,
  RoleInput,
  RoleOf,
  Subject,
} from './policy/types.js'
export {
  findPolicyProblems,
  validatePolicy,
  type ValidateOptions,
} from './policy/validate-policy.js'
export { notifyListeners, reportError, reportSafely } from './report.js'
export {
  PROBLEM_CONTENT_TYPE,
  failedCheckProblem,
  missingPermissionProblem,
  missingRoleProblem,
  unauthorizedProblem,
  type Problem,
} from './problem.js'
export type { CheckOptions, RoleContext, RolesReport } from './role-context.js'
export type { DroppedRole, RoleConflict } from './role-set.js'
export { assigned, normalizeAssignments, revoked, rolesInScope } from './stores/assignment-edits.js'
export { assignmentsProblem, givenAssignments } from './stores/assignments-problem.js'
export { checkAssignments } from './stores/check-assignments.js'
export { liveRolegate, type RolegateSource } from './stores/live-rolegate.js'
export { memoryPolicyStore, type MemoryPolicyStoreOptions } from './stores/memory-policy-store.js'
export { memoryStore, type MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js'
export type { RolegateStore } from './stores/rolegate-store.js'
export {
  customRoleEdits,
  isPolicyStore,
  withCustomRoles,
  type CustomRoleEdits,
  type CustomRolesOptions,
  type PolicyChange,
  type PolicyStore,
  type RoleHolding,
} from './stores/policy-store.js'
export {
  memoryAssignmentStore,
  type MemoryAssignmentStore,
  type MemoryAssignmentStoreOptions,
} from './stores/memory-assignment-store.js'
export type { AssignmentChange, Assignments, AssignmentStore, ScopeOption } from './stores/types.js'
export {
  contextResolver,
  withAssignments,
  type ContextResolver,
  type ContextResolverOptions,
} from './stores/context-resolver.js'
export {
  guard,
  guardInputOf,
  type Allowed,
  type Denial,
  type Guard,
  type GuardInput,
  type Outcome,
  type Requirement,
} from './guard.js'
export {
  adapterDataOf,
  requestRolegate,
  type RequestRolegate,
  type RequestRolegateOptions,
} from './request-rolegate.js'
export type { RequestImpersonation } from './request-impersonation.js'
