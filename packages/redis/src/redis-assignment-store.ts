import { setTimeout as sleep } from 'node:timers/promises'
import {
  AssignmentError,
  assigned,
  checkAssignments,
  givenAssignments,
  notifyListeners,
  reportSafely,
  revoked,
  type AssignmentChange,
  type Assignments,
  type AssignmentStore,
  type CompiledPolicy,
  type ScopeOption,
  invalidArgument,
} from '@rolegate/core'
import { decodeAssignments, encodeAssignments } from './assignments-doc.js'
import {
  checkRedisClient,
  hasIoredisKeyPrefix,
  IOREDIS_KEY_PREFIX_PROBLEM,
  type RedisClient,
} from './client-options.js'
import { compareAndSet, newToken } from './compare-and-set.js'
import { withDeadline } from './deadline.js'
import { unavailable } from './errors.js'
import { subjectMessage } from './invalidation.js'
import { DEFAULT_KEY_PREFIX, redisKeys, type RedisKeys } from './keys.js'
import { rebuildIndex, roleIndex } from './role-index.js'
import { checkScopes, illFormedIdArgument, isWellFormedId } from './well-formed.js'
import { checkStoreLimits } from './store-limits.js'

/**
 * Where the store finds the policy it enforces: a `Rolegate`, or a {@link RedisPolicyStore}, whose
 * `refresh()` is awaited before each change so that custom roles created on another instance are
 * known.
 */
export interface PolicySource {
  readonly policy: CompiledPolicy
  refresh?(): Promise<unknown>
}

/** Options of {@link redisAssignmentStore}. */
export interface RedisAssignmentStoreOptions {
  /** Your ioredis client (`Redis`, `Redis` through Sentinel, or `Cluster`); rolegate never closes it. */
  readonly client: RedisClient
  /**
   * Prepended to every key and to the channel; may not contain `{` or `}`.
   * @defaultValue `'rolegate:'`
   */
  readonly keyPrefix?: string | undefined
  /**
   * The policy whose rules (`exclusive`, `conflicts`, `subjectTypes`, valid direct grants) the
   * record an assign or a set leaves must pass.
   */
  readonly rolegate: PolicySource
  /**
   * How long one Redis call may take before the operation fails with BackendUnavailableError.
   * @defaultValue 500
   */
  readonly timeoutMs?: number | undefined
  /**
   * How many times a change is retried when another writer changed the subject in between.
   * @defaultValue 50
   */
  readonly maxAttempts?: number | undefined
  /**
   * Called after every committed change, e.g. to emit audit events. What it throws goes to
   * `onError` (or `console.error`); the change stands.
   */
  readonly onChange?: ((change: AssignmentChange) => void) | undefined
  /**
   * Told about failures that do not fail the call: keeping the role index up to date, and what a
   * change listener throws. What it throws goes to `console.error`.
   * @defaultValue `console.error`
   */
  readonly onError?: ((error: unknown) => void) | undefined
  /**
   * Check the client's options ({@link checkRedisClient}): `true` throws on an unbounded offline
   * queue or ioredis's own `keyPrefix`, and warns about the rest; `false` skips the check.
   * @defaultValue true
   */
  readonly checkClient?: boolean | undefined
}

/** Hears a change committed through a store object, with the subject's new epoch (`null`: deleted). */
export type ChangeListener = (change: AssignmentChange, epoch: string | null) => void

/** A subject's assignments with the epoch they were read at, from one atomic read. */
export interface VersionedAssignments {
  /** The subject's epoch token; `null` when the subject's record has none (no record). */
  readonly epoch: string | null
  readonly assignments: Assignments | undefined
}

/** An {@link AssignmentStore} in Redis, with what the context resolver and operators need besides. */
export interface RedisAssignmentStore extends AssignmentStore {
  readonly client: RedisClient
  readonly keys: RedisKeys
  /** The per-call timeout, in milliseconds. */
  readonly timeoutMs: number
  /**
   * The subject's assignments and epoch, read together.
   *
   * @throws {@link BackendUnavailableError} when Redis does not answer in time or the record is unreadable.
   * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`) when the id is empty or not well-formed Unicode.
   */
  read(subjectId: string): Promise<VersionedAssignments>
  /**
   * The subject's current epoch token, or `null`: one HGET, what strict mode asks on every request.
   *
   * @throws {@link BackendUnavailableError} when Redis does not answer in time.
   * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`) when the id is empty or not well-formed Unicode.
   */
  epoch(subjectId: string): Promise<string | null>
  /**
   * Repairs the role index behind `list()` from the subject records (see the README).
   *
   * @throws {@link BackendUnavailableError} when a Redis call does not answer in time (each has
   * `timeoutMs`, SCAN included) or a record is unreadable; what was repaired before stays repaired.
   */
  rebuildIndex(): Promise<{ readonly added: number; readonly removed: number }>
  /**
   * Calls `listener` after every change committed through this store object, before the call that
   * made it resolves: how a context resolver in the same process forgets its copy at once, without
   * waiting for the pub/sub message. Returns a function that removes the listener.
   */
  watch(listener: ChangeListener): () => void
}

const UNCHANGED = Symbol('unchanged')
type Next = Assignments | undefined | typeof UNCHANGED

/** Refuses an id that cannot name a subject's record, before anything is sent to Redis. */
function checkSubjectId(subjectId: string): void {
  if (typeof subjectId !== 'string' || subjectId === '')
    throw invalidArgument('subjectId must be a non-empty string')
  if (!isWellFormedId(subjectId)) throw illFormedIdArgument()
}

/**
 * Role assignments in Redis, shared by every instance.
 *
 * Each subject is one hash, `<prefix>s:{<id>}`, holding its assignments as JSON and its **epoch**,
 * a random token replaced on every change. A change reads the record, computes the next one,
 * checks the record an assign or a set leaves with core's `checkAssignments` in JavaScript (a
 * revoke or a delete only takes away and is not checked), and writes it with a compare-and-set
 * script that only succeeds if the epoch is still the one read; otherwise it reads again and
 * retries. Two admins racing therefore cannot leave a combination that neither check saw: the
 * second write is rejected and recomputed from the first one's result. The same script publishes
 * the change, so every instance hears of it.
 *
 * A rejection with BackendUnavailableError may come after the write took effect (the reply was
 * lost); `assign`, `revoke`, `set` and `delete` are idempotent, so retry.
 *
 * Subject ids must be well-formed Unicode: one with a lone UTF-16 surrogate is refused
 * (`ERR_ROLEGATE_INVALID_ARGUMENT`), since Redis would store it as U+FFFD, under another id's key.
 *
 * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`) for a client `checkRedisClient` refuses (an
 * unbounded offline queue, ioredis's own `keyPrefix`), and a `timeoutMs` or `maxAttempts` that
 * would wait for ever or never try.
 * @example
 * ```ts
 * const store = redisAssignmentStore({ client: new Redis(url, recommendedRedisOptions), rolegate: rg })
 * await store.assign('u1', 'admin', { scope: 'team:42' })
 * ```
 */
export function redisAssignmentStore({
  client,
  keyPrefix = DEFAULT_KEY_PREFIX,
  rolegate,
  timeoutMs = 500,
  maxAttempts = 50,
  onChange,
  onError,
  checkClient = true,
}: RedisAssignmentStoreOptions): RedisAssignmentStore {
  checkStoreLimits(timeoutMs, maxAttempts)
  if (checkClient) checkRedisClient(client)
  const keys = redisKeys(keyPrefix)
  const watchers = new Set<ChangeListener>()
  const call = <T>(promise: Promise<T>): Promise<T> => withDeadline(promise, timeoutMs)
  // To the app's reporter, else console.error; what the reporter throws goes to console.error: it
  // must not fail the call it reports on.
  const report = (error: unknown): void => reportSafely(onError, error)

  const readRaw = async (subjectId: string): Promise<VersionedAssignments> => {
    const [epoch, doc] = await call(client.hmget(keys.subject(subjectId), 'e', 'a'))
    // Only half a record (an operator's HDEL): no roles, which denies, but with the epoch it holds,
    // which the next write must name to replace it; reported as no epoch, every write would fail.
    if (epoch === null || epoch === undefined) return { epoch: null, assignments: undefined }
    if (doc === null || doc === undefined) return { epoch, assignments: undefined }
    try {
      return { epoch, assignments: decodeAssignments(doc) }
    } catch (error) {
      throw unavailable(`The stored assignments of subject "${subjectId}" are unreadable.`, error)
    }
  }
  const read = async (subjectId: string): Promise<VersionedAssignments> => {
    checkSubjectId(subjectId)
    return readRaw(subjectId).catch((error: unknown) => {
      throw unavailable('The assignment store did not answer.', error)
    })
  }
  const indexDeps = {
    client,
    keys,
    call,
    read: async (id: string) => (await readRaw(id)).assignments,
  }
  const index = roleIndex(indexDeps)

  /**
   * Commits what `compute` makes of the subject's record. Only `check`ed changes are held to the
   * policy's rules: a revoke (and a delete) only takes away, and the roles left may have broken a
   * rule since they were given (a custom role updated with subject types), which must not keep a
   * role the admin takes away.
   */
  const change = async (
    subjectId: string,
    compute: (current: Assignments | undefined, epoch: string | null) => Next,
    description: AssignmentChange,
    check: boolean,
  ): Promise<void> => {
    checkSubjectId(subjectId)
    try {
      await rolegate.refresh?.()
    } catch (error) {
      throw unavailable('The policy store did not answer.', error)
    }
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const { epoch, assignments } = await read(subjectId)
      const next = compute(assignments, epoch)
      if (next === UNCHANGED) return
      if (next !== undefined) {
        if (assignments !== undefined && encodeAssignments(next) === encodeAssignments(assignments))
          return
        if (check) checkAssignments(rolegate.policy, subjectId, next)
      }
      const token = newToken()
      let committed: boolean
      try {
        committed = await call(
          compareAndSet(client, {
            key: keys.subject(subjectId),
            expected: epoch,
            channel: keys.channel,
            message: subjectMessage(subjectId, next === undefined ? null : token),
            fields: next === undefined ? undefined : ['e', token, 'a', encodeAssignments(next)],
          }),
        )
      } catch (error) {
        throw unavailable('The assignment store did not answer.', error)
      }
      if (committed) {
        const epoch = next === undefined ? null : token
        notifyListeners(watchers, [description, epoch], onError)
        notifyListeners([onChange], [description], onError)
        await index.update(subjectId, assignments, next).catch(report)
        return
      }
      // Lost a race: back off a little, with jitter, so that racing writers spread out.
      await sleep(Math.random() * Math.min(2 ** attempt, 50))
    }
    throw new AssignmentError(
      subjectId,
      `the subject was changed concurrently ${maxAttempts} times in a row; try again`,
    )
  }

  const described = (
    kind: AssignmentChange['kind'],
    subjectId: string,
    role?: string,
    scope?: string,
  ): AssignmentChange => ({
    kind,
    subjectId,
    ...(role === undefined ? {} : { role }),
    ...(scope === undefined ? {} : { scope }),
  })
  const scopeOf = (options: ScopeOption | undefined): string | undefined => options?.scope

  return {
    client,
    keys,
    timeoutMs,
    read,
    async epoch(subjectId) {
      checkSubjectId(subjectId)
      try {
        return await call(client.hget(keys.subject(subjectId), 'e'))
      } catch (error) {
        throw unavailable('The assignment store did not answer.', error)
      }
    },
    async get(subjectId) {
      return (await read(subjectId)).assignments
    },
    async assign(subjectId, role, options) {
      const scope = scopeOf(options)
      checkScopes([scope])
      return change(
        subjectId,
        (current) => assigned(current, role, options),
        described('assign', subjectId, role, scope),
        true,
      )
    },
    async revoke(subjectId, role, options) {
      const scope = scopeOf(options)
      checkScopes([scope])
      return change(
        subjectId,
        (current) => (current === undefined ? UNCHANGED : revoked(current, role, options)),
        described('revoke', subjectId, role, scope),
        false,
      )
    },
    async set(subjectId, assignments) {
      checkSubjectId(subjectId)
      // Its shape is checked before it is encoded, by core's check, as the memory store's is.
      const copy = givenAssignments(subjectId, assignments)
      checkScopes(Object.keys(copy.scoped))
      return change(subjectId, () => copy, described('set', subjectId), true)
    },
    delete(subjectId) {
      return change(
        subjectId,
        // A record with an epoch but no assignments (half a record) is still deleted.
        (current, epoch) => (current === undefined && epoch === null ? UNCHANGED : undefined),
        described('delete', subjectId),
        false,
      )
    },
    async list({ role, scope }) {
      checkScopes([scope])
      try {
        return await index.holders(role, scope)
      } catch (error) {
        throw unavailable('The assignment store did not answer.', error)
      }
    },
    async rebuildIndex() {
      // Refused here too, for a store made with checkClient: false: SCAN would find nothing.
      if (hasIoredisKeyPrefix(client))
        throw invalidArgument(`rebuildIndex: ${IOREDIS_KEY_PREFIX_PROBLEM}`)
      try {
        return await rebuildIndex({ ...indexDeps, index })
      } catch (error) {
        throw unavailable('The assignment store did not answer.', error)
      }
    },
    watch(listener) {
      watchers.add(listener)
      return () => watchers.delete(listener)
    },
  }
}
