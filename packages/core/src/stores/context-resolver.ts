import type { Rolegate } from '../create-rolegate.js'
import { withDeadline } from '../deadline.js'
import { BackendUnavailableError, RolegateError, invalidArgument } from '../errors.js'
import type { PolicyInput, Subject } from '../policy/types.js'
import type { RoleContext } from '../role-context.js'
import { isRecord } from '../is-record.js'
import { readSubject } from '../subject.js'
import { assignmentsProblem } from './assignments-problem.js'
import { isPolicyStore, type PolicyStore } from './policy-store.js'
import type { Assignments, AssignmentStore } from './types.js'

/**
 * Turns an authenticated subject into its role context. Adapters call one of these per request;
 * stores and caches plug in here. It may answer synchronously (the default one does without a
 * store), and the guards then decide without a promise; callers `await` the result either way.
 *
 * @throws {@link BackendUnavailableError} when a store cannot answer: callers answer 503, never allow.
 */
export type ContextResolver<P extends PolicyInput = PolicyInput> = (
  subject: Subject,
) => RoleContext<P> | Promise<RoleContext<P>>

/** Options of {@link contextResolver}. */
export interface ContextResolverOptions<P extends PolicyInput> {
  /** The policy: a fixed `Rolegate`, or a {@link PolicyStore} whose custom roles may change. */
  readonly rolegate: Rolegate<P> | PolicyStore<P>
  /** Where local assignments live; they are added to what the subject already carries (e.g. from claims). */
  readonly store?: AssignmentStore | undefined
  /**
   * How long to wait for the store: past it the request is refused with 503, as when the store
   * fails. Set it for a store of your own that could hang (one over a network without a deadline
   * of its own); the memory store answers at once, and `@rolegate/redis`'s stores keep their own
   * deadline. Off by default: the timer costs about 1 µs a request (measured on Node 20).
   * @defaultValue none
   */
  readonly timeoutMs?: number | undefined
}

const NO_SCOPES: Readonly<Record<string, readonly string[]>> = Object.freeze(
  Object.create(null) as Record<string, readonly string[]>,
)

/**
 * Whether the subject has the shape `rg.context` accepts, checked before merging: a string of roles
 * would be spread into characters, and a stored type or grants would hide a `type` or `grants` of
 * `null` that the subject alone is refused for. Without allocating, as it runs on every request.
 */
function isWellFormed(subject: unknown): subject is Subject {
  if (!isRecord(subject)) return false
  const { id, type, roles, scoped, grants, attributes } = subject
  if (typeof id !== 'string' || id === '') return false
  if (type !== undefined && typeof type !== 'string') return false
  if (attributes !== undefined && !isRecord(attributes)) return false
  if (roles !== undefined && !Array.isArray(roles)) return false
  if (grants !== undefined && !isRecord(grants)) return false
  if (scoped === undefined) return true
  if (!isRecord(scoped)) return false
  for (const scope of Object.keys(scoped)) if (!Array.isArray(scoped[scope])) return false
  return true
}

/**
 * The subject with the store's assignments added to its own. Runs on every request that reads a
 * store, so it copies only what changes, and builds the result field by field: a spread with
 * overriding keys runs on a slow path in V8 (about 5 µs against 60 ns). Scopes go into a
 * prototype-less object, so a scope named `__proto__` stays a scope.
 *
 * @throws TypeError (`ERR_ROLEGATE_INVALID_SUBJECT`) when the subject is malformed: the error
 * `rg.context` gives for it, whether or not there are stored assignments.
 */
export function withAssignments(subject: Subject, stored: Assignments | undefined): Subject {
  if (stored === undefined) return subject
  // readSubject throws for what isWellFormed refuses, with the message the subject alone gets.
  const own = isWellFormed(subject) ? subject : readSubject(subject)
  return mergeAssignments(own, stored)
}

function mergeAssignments(subject: Subject, stored: Assignments): Subject {
  let scoped = subject.scoped ?? NO_SCOPES
  const storedScopes = Object.keys(stored.scoped)
  if (storedScopes.length > 0) {
    const merged = Object.create(null) as Record<string, readonly string[]>
    for (const scope of Object.keys(scoped)) merged[scope] = scoped[scope] ?? []
    for (const scope of storedScopes) {
      const own = merged[scope]
      const more = stored.scoped[scope] ?? []
      merged[scope] = own === undefined ? more : [...own, ...more]
    }
    scoped = merged
  }
  return {
    id: subject.id,
    type: subject.type ?? stored.type,
    roles: subject.roles === undefined ? stored.roles : [...subject.roles, ...stored.roles],
    scoped,
    grants: stored.grants === undefined ? subject.grants : { ...stored.grants, ...subject.grants },
    attributes: subject.attributes,
  }
}

/** Answers already checked: the memory store gives the same frozen object until a change. */
const checked = new WeakSet<object>()

/**
 * What is wrong with a store's answer as {@link Assignments} (see {@link assignmentsProblem}), or
 * `undefined`; an answer checked once is not checked again when it is deeply frozen, as the memory
 * store's are, since no one can have changed it into a bad one since.
 */
function answerProblem(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null && checked.has(value)) return undefined
  const problem = assignmentsProblem(value)
  if (problem === undefined && isDeeplyFrozen(value as Assignments)) checked.add(value as object)
  return problem
}

function isDeeplyFrozen(assignments: Assignments): boolean {
  const { roles, scoped } = assignments
  if (!Object.isFrozen(assignments) || !Object.isFrozen(roles) || !Object.isFrozen(scoped))
    return false
  for (const scope of Object.keys(scoped)) if (!Object.isFrozen(scoped[scope])) return false
  return true
}

/**
 * The policy store's rolegate once it has loaded what another instance changed. A store that does
 * not answer, or whose stored roles no longer compile with this code, cannot decide: 503.
 */
async function inForce<P extends PolicyInput>(policies: PolicyStore<P>): Promise<Rolegate<P>> {
  try {
    return await policies.refresh()
  } catch (cause) {
    if (cause instanceof RolegateError && cause.code === 'ERR_ROLEGATE_BACKEND_UNAVAILABLE')
      throw cause
    throw new BackendUnavailableError('The policy store could not give the custom roles.', {
      cause,
    })
  }
}

/**
 * A resolver that reads the subject's assignments from `store` (if any) and builds the context.
 * A store that fails, does not answer within `timeoutMs`, or answers with something that is not
 * assignments makes it throw {@link BackendUnavailableError}: the request is refused with 503.
 *
 * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`) for a `timeoutMs` that is not a positive number.
 * @example
 * ```ts
 * const resolve = contextResolver({ rolegate: rg, store: memoryAssignmentStore({ rolegate: rg }) })
 * const ctx = await resolve({ id: 'u1' })
 * ```
 */
export function contextResolver<P extends PolicyInput>({
  rolegate,
  store,
  timeoutMs,
}: ContextResolverOptions<P>): ContextResolver<P> {
  if (timeoutMs !== undefined && !(timeoutMs > 0 && timeoutMs < Infinity))
    throw invalidArgument('timeoutMs must be a positive number of milliseconds')
  // A policy store's custom roles may change, here or (a shared store) on another instance: each
  // request is decided under those in force, refreshed first, as a strict Redis resolver does.
  const contextOf = isPolicyStore(rolegate)
    ? (subject: Subject) => inForce(rolegate).then((rg) => rg.context(subject))
    : (subject: Subject) => rolegate.context(subject)
  if (store === undefined) return contextOf
  return async (subject) => {
    // Checked before the store is asked: a malformed subject is the caller's error, the same one
    // with or without a stored record, not a 503 from a store asked for an id it was never given.
    // Without a copy: readSubject, which copies, runs only to throw its error.
    const checked = isWellFormed(subject) ? subject : readSubject(subject)
    let stored: unknown
    try {
      const answer = Promise.resolve(store.get(checked.id))
      stored = await (timeoutMs === undefined
        ? answer
        : withDeadline(answer, timeoutMs, 'The assignment store'))
    } catch (cause) {
      if (cause instanceof RolegateError && cause.code === 'ERR_ROLEGATE_BACKEND_UNAVAILABLE')
        throw cause
      throw new BackendUnavailableError('The assignment store did not answer.', { cause })
    }
    if (stored === undefined) return contextOf(subject)
    const problem = answerProblem(stored)
    if (problem !== undefined)
      throw new BackendUnavailableError(
        `The assignment store gave unreadable assignments for subject "${checked.id}": ${problem}.`,
      )
    return contextOf(mergeAssignments(checked, stored as Assignments))
  }
}
