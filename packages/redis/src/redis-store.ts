import type { AssignmentChange, Condition, PolicyInput, RolegateStore } from '@rolegate/core'
import type { RedisClient } from './client-options.js'
import { redisAssignmentStore, type RedisAssignmentStore } from './redis-assignment-store.js'
import {
  redisContextResolver,
  type ConsistencyMode,
  type RedisContextResolver,
} from './redis-context-resolver.js'
import { redisPolicyStore, type PolicyChange, type RedisPolicyStore } from './redis-policy-store.js'

/** Options of {@link redisStore}. */
export interface RedisStoreOptions<P extends PolicyInput> {
  /** Your ioredis client (`Redis`, `Redis` through Sentinel, or `Cluster`); rolegate never closes it. */
  readonly client: RedisClient
  /**
   * Prepended to every key and to the channel; may not contain `{` or `}`.
   * @defaultValue `'rolegate:'`
   */
  readonly keyPrefix?: string | undefined
  /** The policy in code; custom roles are added to it. */
  readonly policy: P
  /** The conditions the policy's `when` names. */
  readonly conditions?: Readonly<Record<string, Condition>> | undefined
  /** @defaultValue `'strict'` */
  readonly mode?: ConsistencyMode | undefined
  /** @defaultValue 1000 */
  readonly boundMs?: number | undefined
  /** The in-process tier: `{ max }` subjects. @defaultValue `{ max: 10000 }` */
  readonly lru?: { readonly max?: number | undefined } | undefined
  /**
   * Bounded mode's pub/sub connection; by default `client.duplicate()`, closed by `close()`.
   * `false` relies on the time bound alone.
   */
  readonly subscriber?: RedisClient | false | undefined
  /**
   * How long one Redis call may take.
   * @defaultValue 500
   */
  readonly timeoutMs?: number | undefined
  /** Called after every committed assignment change (audit). What it throws goes to `onError`. */
  readonly onChange?: ((change: AssignmentChange) => void) | undefined
  /** Called after every committed custom-role change (audit). What it throws goes to `onError`. */
  readonly onPolicyChange?: ((change: PolicyChange) => void) | undefined
  /**
   * Told about failures that did not fail a call: a copy served during an outage, a lost
   * subscription, a role index left behind, a change listener that throws.
   * @defaultValue `console.error`
   */
  readonly onError?: ((error: unknown) => void) | undefined
  /** @defaultValue true */
  readonly checkClient?: boolean | undefined
}

/**
 * Everything rolegate keeps in Redis, wired together: `ready()` resolves once connected, subscribed
 * and the custom roles are loaded; `close()` stops listening and does not close your client.
 */
export type RedisStore<P extends PolicyInput = PolicyInput> = RolegateStore<
  P,
  RedisAssignmentStore,
  RedisPolicyStore<P>,
  RedisContextResolver<P>
>

/**
 * Assignments, custom roles and the context cache in Redis, sharing one client and key prefix.
 *
 * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`) for a client `checkRedisClient` refuses (an
 * unbounded offline queue, ioredis's own `keyPrefix`), and a `timeoutMs` or `maxAttempts` that
 * would wait for ever or never try.
 * @example
 * ```ts
 * const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', recommendedRedisOptions)
 * const store = redisStore({ client, keyPrefix: 'billing:rg:', policy, mode: 'bounded' })
 * await store.ready()
 * app.use(rolegate(store))
 * await store.assignments.assign('u1', 'finance')
 * ```
 */
export function redisStore<const P extends PolicyInput>({
  client,
  keyPrefix,
  policy,
  conditions,
  mode,
  boundMs,
  lru,
  subscriber,
  timeoutMs,
  onChange,
  onPolicyChange,
  onError,
  checkClient = true,
}: RedisStoreOptions<P>): RedisStore<P> {
  const policies = redisPolicyStore<P>({
    client,
    keyPrefix,
    timeoutMs,
    policy,
    conditions,
    onChange: onPolicyChange,
    onError,
    checkClient,
  })
  const assignments = redisAssignmentStore({
    client,
    keyPrefix,
    timeoutMs,
    rolegate: policies,
    onChange,
    onError,
    checkClient: false,
  })
  const resolve = redisContextResolver<P>({
    store: assignments,
    rolegate: policies,
    mode,
    boundMs,
    lru,
    subscriber,
    onError,
  })
  return {
    assignments,
    policies,
    resolve,
    current: () => policies.current(),
    ready: () => resolve.ready(),
    close: () => resolve.close(),
  }
}
