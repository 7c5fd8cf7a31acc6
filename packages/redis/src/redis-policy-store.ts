import {
  BackendUnavailableError,
  customRoleEdits,
  notifyListeners,
  PolicyError,
  withCustomRoles,
  type Condition,
  type PolicyChange,
  type PolicyInput,
  type PolicyStore,
  type Rolegate,
  type RoleHolding,
  type RoleInput,
} from '@rolegate/core'
import { checkRedisClient, type RedisClient } from './client-options.js'
import { compareAndSet, newToken } from './compare-and-set.js'
import { withDeadline } from './deadline.js'
import { unavailable } from './errors.js'
import { policyMessage } from './invalidation.js'
import { DEFAULT_KEY_PREFIX, redisKeys, type RedisKeys } from './keys.js'
import { roleIndex } from './role-index.js'
import { decodeAssignments } from './assignments-doc.js'
import { checkStoreLimits } from './store-limits.js'

export type { PolicyChange } from '@rolegate/core'

/** Options of {@link redisPolicyStore}. */
export interface RedisPolicyStoreOptions<P extends PolicyInput> {
  /** Your ioredis client; rolegate never closes it. */
  readonly client: RedisClient
  /**
   * The same prefix as the assignment store's, so that role deletion can see who holds a role.
   * @defaultValue `'rolegate:'`
   */
  readonly keyPrefix?: string | undefined
  /** The policy in code. Custom roles are added to it; they can never replace one of its roles. */
  readonly policy: P
  /** The conditions the policy's (and custom roles') `when` names. */
  readonly conditions?: Readonly<Record<string, Condition>> | undefined
  /** Passed to `createRolegate`. */
  readonly roleSetCacheSize?: number | undefined
  /** @defaultValue 500 */
  readonly timeoutMs?: number | undefined
  /** @defaultValue 20 */
  readonly maxAttempts?: number | undefined
  /**
   * Called after every committed change, e.g. to emit audit events. What it throws goes to
   * `onError` (or `console.error`); the change stands.
   */
  readonly onChange?: ((change: PolicyChange) => void) | undefined
  /**
   * Told about failures that do not fail the call: what a change listener throws. What it throws
   * goes to `console.error`.
   * @defaultValue `console.error`
   */
  readonly onError?: ((error: unknown) => void) | undefined
  /** @defaultValue true */
  readonly checkClient?: boolean | undefined
}

/**
 * Custom roles kept in Redis on top of the policy in code, compiled on every instance: core's
 * {@link PolicyStore}, shared.
 */
export type RedisPolicyStore<P extends PolicyInput = PolicyInput> = PolicyStore<P>

interface Loaded<P extends PolicyInput> {
  /** The etag the roles were read at; `undefined` before the first load. */
  readonly etag: string | undefined
  readonly revision: number
  readonly roles: Readonly<Record<string, RoleInput>>
  readonly rolegate: Rolegate<P>
}

/**
 * Custom roles in one Redis hash (`<prefix>policy`: `roles` as JSON, `e` an etag replaced on every
 * change, `rev` a counter). A change reads the hash, applies itself, validates the merged policy
 * exactly as a policy file is validated (`createRolegate`), and commits with the same
 * compare-and-set script as assignments, which also publishes it; every instance then reloads on
 * its next request (strict) or at once (bounded, through the message).
 *
 * The etag is random, not a hash or a counter, so that a Redis restarted empty, or a replica that
 * missed the last write, can never present different roles under a tag an instance already holds.
 *
 * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`) for a client `checkRedisClient` refuses (an
 * unbounded offline queue, ioredis's own `keyPrefix`), and a `timeoutMs` or `maxAttempts` that
 * would wait for ever or never try.
 * @example
 * ```ts
 * const policies = redisPolicyStore({ client, policy })
 * await policies.createRole('billing_clerk', { grants: { invoices: 'read' } })
 * ```
 */
export function redisPolicyStore<const P extends PolicyInput>({
  client,
  keyPrefix = DEFAULT_KEY_PREFIX,
  policy,
  conditions,
  roleSetCacheSize,
  timeoutMs = 500,
  maxAttempts = 20,
  onChange,
  onError,
  checkClient = true,
}: RedisPolicyStoreOptions<P>): RedisPolicyStore<P> {
  if (checkClient) checkRedisClient(client)
  checkStoreLimits(timeoutMs, maxAttempts)
  const keys: RedisKeys = redisKeys(keyPrefix)
  const watchers = new Set<(change: PolicyChange) => void>()
  const call = <T>(promise: Promise<T>): Promise<T> => withDeadline(promise, timeoutMs)
  const compile = (roles: Readonly<Record<string, RoleInput>>): Rolegate<P> =>
    withCustomRoles({ policy, conditions, roleSetCacheSize }, roles)
  let loaded: Loaded<P> = { etag: undefined, revision: 0, roles: {}, rolegate: compile({}) }

  const readStored = async (): Promise<{
    etag: string | null
    revision: number
    roles: Record<string, RoleInput>
  }> => {
    const [etag, json, rev] = await call(client.hmget(keys.policy, 'e', 'roles', 'rev'))
    return {
      etag: etag ?? null,
      revision: rev === null || rev === undefined ? 0 : parseRevision(rev, keys.policy),
      roles: json === null || json === undefined ? {} : parseRoles(json, keys.policy),
    }
  }
  const index = roleIndex({
    client,
    keys,
    call,
    read: async (id) => {
      const doc = await call(client.hget(keys.subject(id), 'a'))
      if (doc === null) return undefined
      try {
        return decodeAssignments(doc)
      } catch (error) {
        throw unavailable(`The stored assignments of subject "${id}" are unreadable.`, error)
      }
    },
  })
  // Who holds a role is read from Redis, so a failure there (a timeout, a damaged record, an index
  // key of the wrong type) is the backend's: the change is refused with 503, as the assignment
  // store refuses, and never reaches the caller as a raw Redis or JSON error.
  const holdings = async (role: string): Promise<readonly RoleHolding[]> => {
    try {
      return await index.holdings(role)
    } catch (error) {
      throw unavailable(`The policy store could not read who holds role "${role}".`, error)
    }
  }
  const edits = customRoleEdits(policy, holdings)

  const reload = async (): Promise<Rolegate<P>> => {
    let stored
    try {
      stored = await readStored()
    } catch (error) {
      throw unavailable('The policy store did not answer.', error)
    }
    const fresh = stored.etag ?? ''
    // Another reload may have loaded this state meanwhile; then keep what it compiled.
    if (fresh !== loaded.etag) {
      loaded = {
        etag: fresh,
        revision: stored.revision,
        roles: stored.roles,
        rolegate: compile(stored.roles),
      }
    }
    return loaded.rolegate
  }
  let reloading: { readonly etag: string; readonly promise: Promise<Rolegate<P>> } | undefined

  const mutate = async (
    kind: PolicyChange['kind'],
    name: string,
    apply: (roles: Record<string, RoleInput>) => Promise<Record<string, RoleInput>>,
  ): Promise<number> => {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      let stored
      try {
        stored = await readStored()
      } catch (error) {
        throw unavailable('The policy store did not answer.', error)
      }
      const roles = await apply({ ...stored.roles })
      const rolegate = compile(roles)
      const etag = newToken()
      const revision = stored.revision + 1
      let committed: boolean
      try {
        committed = await call(
          compareAndSet(client, {
            key: keys.policy,
            expected: stored.etag,
            channel: keys.channel,
            message: policyMessage(etag),
            fields: ['e', etag, 'roles', JSON.stringify(roles), 'rev', String(revision)],
          }),
        )
      } catch (error) {
        throw unavailable('The policy store did not answer.', error)
      }
      if (committed) {
        loaded = { etag, revision, roles, rolegate }
        notifyListeners([...watchers, onChange], [{ kind, role: name, revision }], onError)
        return revision
      }
    }
    throw new PolicyError([
      { path: `policy.roles.${name}`, message: 'changed concurrently too often; try again' },
    ])
  }
  return {
    current: () => loaded.rolegate,
    get policy() {
      return loaded.rolegate.policy
    },
    get revision() {
      return loaded.revision
    },
    customRoles: () => loaded.roles,
    async refresh() {
      let etag: string | null
      try {
        etag = await call(client.hget(keys.policy, 'e'))
      } catch (error) {
        throw unavailable('The policy store did not answer.', error)
      }
      if ((etag ?? '') === loaded.etag) return loaded.rolegate
      // Requests that all notice the same change share one reload and one compilation.
      if (reloading?.etag !== (etag ?? '')) {
        const started = { etag: etag ?? '', promise: reload() }
        reloading = started
        const done = (): void => {
          if (reloading === started) reloading = undefined
        }
        started.promise.then(done, done)
      }
      return reloading.promise
    },
    watch(listener) {
      watchers.add(listener)
      return () => watchers.delete(listener)
    },
    createRole: (name, role) => mutate('create', name, (roles) => edits.create(roles, name, role)),
    updateRole: (name, role) => mutate('update', name, (roles) => edits.update(roles, name, role)),
    deleteRole: (name) => mutate('delete', name, (roles) => edits.delete(roles, name)),
  }
}

/**
 * The stored change counter. Anything but a safe non-negative integer (an operator's `HSET … rev
 * abc`) is refused with 503: read as a number it would be NaN, and the next change would store
 * "NaN" back.
 */
function parseRevision(rev: string, key: string): number {
  const revision = /^\d+$/.test(rev) ? Number(rev) : Number.NaN
  if (!Number.isSafeInteger(revision)) {
    throw new BackendUnavailableError(
      `The custom roles' revision (field "rev" of ${key}) is not a non-negative integer.`,
    )
  }
  return revision
}

/**
 * The stored custom roles. A damaged field (an operator's HSET, not JSON, not an object) is the
 * backend's failure, named by its key and field, not a timeout's "did not answer".
 */
function parseRoles(json: string, key: string): Record<string, RoleInput> {
  const damaged = (why: string, cause?: unknown): BackendUnavailableError =>
    new BackendUnavailableError(
      `The stored custom roles (field "roles" of ${key}) are unreadable: ${why}.`,
      { cause },
    )
  let roles: unknown
  try {
    roles = JSON.parse(json)
  } catch (cause) {
    throw damaged('not JSON', cause)
  }
  if (typeof roles !== 'object' || roles === null || Array.isArray(roles))
    throw damaged('not an object of roles')
  return roles as Record<string, RoleInput>
}
