import {
  isPolicyStore,
  reportSafely,
  BackendUnavailableError,
  type Assignments,
  type ContextResolver,
  type PolicyInput,
  type RoleContext,
  type Rolegate,
  type Subject,
  invalidArgument,
  withAssignments,
} from '@rolegate/core'
import { LRUCache } from 'lru-cache'
import { boundedPolicy } from './bounded-policy.js'
import { duplicateClient, type RedisClient } from './client-options.js'
import { listenForChanges, whenReady, type Listener } from './invalidation.js'
import { isBare } from './is-bare.js'
import type { RedisAssignmentStore } from './redis-assignment-store.js'
import type { RedisPolicyStore } from './redis-policy-store.js'
import { SharedReads } from './shared-reads.js'
import { illFormedSubject, isWellFormedId } from './well-formed.js'

/**
 * How fresh a resolved context must be.
 *
 * - `'strict'`: every request confirms the subject's epoch (and the custom roles' etag) with Redis,
 *   in one round trip; a change is seen by the very next request on any instance. When Redis cannot
 *   answer, the request is refused with 503.
 * - `'bounded'`: an instance trusts its copy for `boundMs` after Redis last confirmed it, and
 *   drops it earlier when a change is announced. When Redis cannot answer, a copy still within the
 *   bound is used; past it, 503.
 */
export type ConsistencyMode = 'strict' | 'bounded'

/** Options of {@link redisContextResolver}. */
export interface RedisContextResolverOptions<P extends PolicyInput> {
  /** Where the subjects' assignments live. */
  readonly store: RedisAssignmentStore
  /** The policy: a fixed `Rolegate`, or a {@link RedisPolicyStore} with custom roles. */
  readonly rolegate: Rolegate<P> | RedisPolicyStore<P>
  /** @defaultValue `'strict'` */
  readonly mode?: ConsistencyMode | undefined
  /**
   * Bounded mode: how long a copy is trusted after Redis last confirmed it, in milliseconds.
   * @defaultValue 1000
   */
  readonly boundMs?: number | undefined
  /** The in-process tier. */
  readonly lru?:
    | {
        /**
         * How many subjects to keep.
         * @defaultValue 10000
         */
        readonly max?: number | undefined
      }
    | undefined
  /**
   * Bounded mode: the connection that listens for changes. A connection in subscriber mode can run
   * no other command, so it cannot be the store's client. By default the resolver makes one with
   * `store.client.duplicate()` (same options, same servers) and closes it in `close()`; pass your
   * own to manage it yourself, or `false` to rely on the time bound alone. Strict mode needs none.
   */
  readonly subscriber?: RedisClient | false | undefined
  /**
   * Told about failures that do not fail a request (a lost subscription, a stale copy served).
   * What it throws goes to `console.error`.
   * @defaultValue `console.error`
   */
  readonly onError?: ((error: unknown) => void) | undefined
}

/** Counters, for tests and metrics. */
export interface ResolverStats {
  /** Requests answered from the local copy without asking Redis. */
  readonly hits: number
  /** Requests that asked Redis. */
  readonly lookups: number
  /** Requests answered from a copy within the bound because Redis did not answer. */
  readonly servedStale: number
  /** Requests refused because Redis did not answer and nothing within the bound was held. */
  readonly unavailable: number
}

/** A {@link ContextResolver} backed by Redis and an in-process LRU, with its lifecycle. */
export interface RedisContextResolver<
  P extends PolicyInput = PolicyInput,
> extends ContextResolver<P> {
  readonly mode: ConsistencyMode
  /**
   * Resolves once the client is ready, the subscription is live and the custom roles are loaded.
   * Rejects after 10 s without a connection, and at once when `close()` is called first.
   */
  ready(): Promise<void>
  /** Stops listening (disconnecting the subscriber it made) and forgets every copy. */
  close(): Promise<void>
  /** Forgets every local copy. */
  clear(): void
  stats(): ResolverStats
}

const MODES: ReadonlySet<string> = new Set(['strict', 'bounded'])

/** How long `ready()` waits for connections and the first subscription. */
const READY_TIMEOUT_MS = 10_000

/** One subject's copy. */
interface Entry<P extends PolicyInput> {
  readonly epoch: string | null
  readonly assignments: Assignments | undefined
  /** `performance.now()` when the read that confirmed this copy was *sent*: the copy is at least that fresh. */
  readonly confirmedAt: number
  /** The resolver's generation then: a gap in the subscription since makes the copy suspect. */
  readonly generation: number
  /** The context for a subject that carries nothing but its id, built once per policy. */
  memo?: { readonly rolegate: Rolegate<P>; readonly context: RoleContext<P> } | undefined
}

/**
 * Resolves a subject's role context from its assignments in Redis, through an in-process LRU.
 *
 * What is cached is the subject's stored assignments with their epoch, not decisions: core decides
 * in tens of nanoseconds from a cached role set, so the round trip to Redis is the only cost worth
 * saving, and one copy per subject serves every permission and scope. A copy is used only under
 * the epoch it was read at and with the policy in force, so a stale copy is never taken for
 * current: in strict mode the epoch is checked on every request; in bounded mode the copy is
 * trusted for `boundMs` from when Redis last confirmed it, and is dropped as soon as a change is
 * announced (pub/sub) or made through the same store object. After any gap in the subscription
 * every copy is revalidated before it is trusted again.
 *
 * It never fails open: when Redis cannot answer, it throws core's BackendUnavailableError (the
 * adapters answer 503), except that bounded mode may answer from a copy still within its bound.
 * A subject whose id is not well-formed Unicode (a lone UTF-16 surrogate, which Redis would store
 * as another id) is refused as malformed, with core's `ERR_ROLEGATE_INVALID_SUBJECT`.
 *
 * @example
 * ```ts
 * const resolve = redisContextResolver({ store, rolegate: rg, mode: 'bounded', boundMs: 1000 })
 * await resolve.ready()
 * app.use(rolegate(rg, { resolve }))
 * ```
 */
export function redisContextResolver<P extends PolicyInput>({
  store,
  rolegate,
  mode = 'strict',
  boundMs = 1_000,
  lru: { max = 10_000 } = {},
  subscriber,
  onError,
}: RedisContextResolverOptions<P>): RedisContextResolver<P> {
  if (!MODES.has(mode))
    throw invalidArgument(`mode must be "strict" or "bounded", got ${JSON.stringify(mode)}`)
  if (!(boundMs > 0)) throw invalidArgument('boundMs must be a positive number of milliseconds')
  if (!Number.isInteger(max) || max < 1) throw invalidArgument('lru.max must be a positive integer')
  const policies = isPolicyStore(rolegate) ? rolegate : undefined
  const fixed = isPolicyStore(rolegate) ? undefined : rolegate
  const cache = new LRUCache<string, Entry<P>>({ max })
  const reads = new SharedReads<Entry<P>>()
  const counts = { hits: 0, lookups: 0, servedStale: 0, unavailable: 0 }
  // To the app's reporter, else console.error; what the reporter throws goes to console.error: it
  // must not fail the call it reports on.
  const report = (error: unknown): void => reportSafely(onError, error)

  // Bumped whenever the subscription may have missed a message; copies from before are suspect.
  let generation = 0
  const within = (confirmedAt: number, now: number): boolean => now - confirmedAt < boundMs
  const boundedPolicies =
    policies &&
    boundedPolicy(policies, {
      within,
      generation: () => generation,
      servedStale: (error) => {
        counts.servedStale++
        report(error)
      },
    })

  // An announcement names the subject's new epoch: a copy already at that epoch stays (the message
  // for a change can arrive after a read that saw it); any other copy is dropped.
  const forgetSubject = (subjectId: string, epoch: string | null): void => {
    if (cache.peek(subjectId)?.epoch !== epoch) cache.delete(subjectId)
    reads.announce(subjectId, epoch)
  }
  const forgetPolicy = (): void => boundedPolicies?.forget()
  const unwatch = [
    store.watch((change, epoch) => forgetSubject(change.subjectId, epoch)),
    policies?.watch(forgetPolicy),
  ]

  // Rejected by close(): a ready() still waiting then fails at once, and clears its timers, instead
  // of failing 10 s later with a deadline error that says nothing of the close.
  let markClosed: (error: Error) => void = () => {}
  const closed = new Promise<never>((_, reject) => (markClosed = reject))
  closed.catch(() => {}) // only ready() waits for it
  // `closed` first: once closed, a step that has already succeeded does not make ready() resolve.
  const untilClosed = <T>(promise: Promise<T>): Promise<T> => Promise.race([closed, promise])

  let listener: Listener | undefined
  if (mode === 'bounded' && subscriber !== false) {
    listener = listenForChanges({
      subscriber: subscriber ?? duplicateClient(store.client),
      channel: store.keys.channel,
      timeoutMs: store.timeoutMs,
      readyTimeoutMs: READY_TIMEOUT_MS,
      owned: subscriber === undefined,
      onError: report,
      handlers: {
        subject: forgetSubject,
        policy: forgetPolicy,
        resync: () => {
          generation++
        },
      },
    })
  }

  const contextOf = (rg: Rolegate<P>, subject: Subject, entry: Entry<P>): RoleContext<P> => {
    if (!isBare(subject)) return rg.context(withAssignments(subject, entry.assignments))
    const memo = entry.memo
    if (memo?.rolegate === rg) return memo.context
    const context = rg.context(withAssignments(subject, entry.assignments))
    entry.memo = { rolegate: rg, context }
    return context
  }

  /** Reads the subject's record; `sentAt` is taken before the read leaves. */
  const fetchEntry = async (subjectId: string, held: Entry<P> | undefined): Promise<Entry<P>> => {
    const sentAt = performance.now()
    const sentGeneration = generation
    if (held !== undefined) {
      const epoch = await store.epoch(subjectId)
      if (epoch === held.epoch) return { ...held, confirmedAt: sentAt, generation: sentGeneration }
    }
    const { epoch, assignments } = await store.read(subjectId)
    return { epoch, assignments, confirmedAt: sentAt, generation: sentGeneration }
  }

  // Strict: nothing is shared between requests, since a read sent before this request began could
  // predate a change that completed before it began.
  const strictEntry = async (subjectId: string): Promise<Entry<P>> => {
    counts.lookups++
    const held = cache.get(subjectId)
    const entry = await fetchEntry(subjectId, held)
    if (entry !== held) cache.set(subjectId, entry)
    return entry
  }
  const strictPolicy = (): Promise<Rolegate<P>> =>
    policies === undefined ? Promise.resolve(fixed as Rolegate<P>) : policies.refresh()

  // Bounded: one read in flight per subject; its result is as fresh as its send time, which the
  // copy records, so sharing it cannot stretch the bound.
  const boundedEntry = async (subjectId: string): Promise<Entry<P>> => {
    // Only the custom roles may have sent this request here; the subject's copy may still be good.
    const fresh = cache.get(subjectId)
    if (
      fresh !== undefined &&
      fresh.generation === generation &&
      within(fresh.confirmedAt, performance.now())
    )
      return fresh
    counts.lookups++
    const read = reads.share(
      subjectId,
      () => fetchEntry(subjectId, cache.get(subjectId)),
      (entry) => cache.set(subjectId, entry),
    )
    try {
      return await read
    } catch (error) {
      // Only a copy nobody has announced a change for: a dropped one is gone from the cache.
      const held = cache.get(subjectId)
      if (held !== undefined && within(held.confirmedAt, performance.now())) {
        counts.servedStale++
        report(error)
        return held
      }
      throw error
    }
  }
  const boundedRolegate = (): Promise<Rolegate<P>> =>
    boundedPolicies === undefined
      ? Promise.resolve(fixed as Rolegate<P>)
      : boundedPolicies.rolegate()

  const lookUp = async (subject: Subject): Promise<RoleContext<P>> => {
    // Core accepts it, but Redis cannot tell it from another id: refused as core refuses a bad id.
    // Checked here, before Redis is asked, not on the cache's hot path: only a read made here puts
    // a copy in the cache, so such an id never has one.
    if (!isWellFormedId(subject.id)) throw illFormedSubject()
    let found: [Rolegate<P>, Entry<P>]
    try {
      found =
        mode === 'strict'
          ? await Promise.all([strictPolicy(), strictEntry(subject.id)])
          : await Promise.all([boundedRolegate(), boundedEntry(subject.id)])
    } catch (error) {
      counts.unavailable++
      // One detail whichever read failed (the two run in parallel); the specific error is the cause.
      throw new BackendUnavailableError('The authorization backend did not answer.', {
        cause: error,
      })
    }
    return contextOf(found[0], subject, found[1])
  }
  const currentRolegate = (): Rolegate<P> => fixed ?? (policies as RedisPolicyStore<P>).current()

  const resolve = (subject: Subject): RoleContext<P> | Promise<RoleContext<P>> => {
    const id = (subject as Partial<Subject> | null | undefined)?.id
    // Let core describe a malformed subject (ERR_ROLEGATE_INVALID_SUBJECT).
    if (typeof id !== 'string' || id === '')
      return Promise.resolve().then(() => currentRolegate().context(subject))
    if (mode === 'bounded') {
      // The hot path answers at once, without a promise: the guards then decide synchronously,
      // and a subject with only an id gets the copy's remembered context, allocating nothing.
      const now = performance.now()
      const entry = cache.get(id)
      if (
        entry !== undefined &&
        entry.generation === generation &&
        within(entry.confirmedAt, now) &&
        (boundedPolicies === undefined || boundedPolicies.isFresh(now))
      ) {
        counts.hits++
        try {
          return contextOf(currentRolegate(), subject, entry)
        } catch (error) {
          return Promise.reject(error instanceof Error ? error : new Error(String(error)))
        }
      }
    }
    return lookUp(subject)
  }

  return Object.assign(resolve, {
    mode,
    async ready() {
      await untilClosed(whenReady(store.client, READY_TIMEOUT_MS, closed))
      if (listener !== undefined) await untilClosed(listener.ready())
      if (policies !== undefined)
        await untilClosed(mode === 'strict' ? policies.refresh() : boundedRolegate())
    },
    async close() {
      markClosed(new Error('The context resolver was closed before it was ready.'))
      for (const stop of unwatch) stop?.()
      await listener?.close()
      cache.clear()
    },
    clear() {
      cache.clear()
    },
    stats: (): ResolverStats => ({ ...counts }),
  })
}
