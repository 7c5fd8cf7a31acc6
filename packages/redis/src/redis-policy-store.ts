import {
  createRolegate,
  PolicyError,
  UnknownRoleError,
  type CompiledPolicy,
  type Condition,
  type PolicyInput,
  type PolicyProblem,
  type Rolegate,
  type RoleInput,
  invalidArgument,
} from '@rolegate/core'
import { checkRedisClient, type RedisClient } from './client-options.js'
import { compareAndSet, newToken } from './compare-and-set.js'
import { withDeadline } from './deadline.js'
import { unavailable } from './errors.js'
import { policyMessage } from './invalidation.js'
import { DEFAULT_KEY_PREFIX, redisKeys, type RedisKeys } from './keys.js'
import { roleIndex } from './role-index.js'
import { decodeAssignments } from './assignments-doc.js'

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
  /** Called after every committed change. Errors it throws are ignored. */
  readonly onChange?: ((change: PolicyChange) => void) | undefined
  /** @defaultValue true */
  readonly checkClient?: boolean | undefined
}

/** A change of the custom roles, as reported to `onChange`. */
export interface PolicyChange {
  readonly kind: 'create' | 'update' | 'delete'
  readonly role: string
  /** The revision the change produced. */
  readonly revision: number
}

/**
 * Custom roles created, changed and deleted at run time (PortaBilling's, an Enterprise's own
 * roles), kept in Redis on top of the policy in code, and compiled on every instance.
 */
export interface RedisPolicyStore<P extends PolicyInput = PolicyInput> {
  /** The rolegate for the code policy plus the custom roles last loaded (the code policy alone before the first load). */
  current(): Rolegate<P>
  /** `current().policy`, so the store can be handed to an assignment store as its `rolegate`. */
  readonly policy: CompiledPolicy
  /** How many changes the custom roles have seen (0 for none); the `rev` of what was last loaded. */
  readonly revision: number
  /** The custom roles last loaded. */
  customRoles(): Readonly<Record<string, RoleInput>>
  /**
   * Asks Redis whether the custom roles changed (one HGET) and recompiles if they did.
   *
   * @throws {@link BackendUnavailableError} when Redis does not answer in time.
   * @throws {@link PolicyError} when the stored roles do not compile with this instance's code policy
   * (e.g. during a rolling deploy that removed a resource they grant); `current()` then stays as it was.
   */
  refresh(): Promise<Rolegate<P>>
  /**
   * Adds a custom role. Refused when the name is taken (by code or by a custom role), when the
   * merged policy would not validate, and when subjects still hold a role of that name (left over
   * from a deletion that raced with an assignment).
   *
   * @returns the new revision.
   * @throws {@link PolicyError} listing the problems.
   */
  createRole(name: string, role: RoleInput): Promise<number>
  /**
   * Replaces a custom role. Holders keep it; if the new definition makes their combination
   * invalid (now exclusive, a subject type they lack), decisions fail closed as core decides.
   *
   * @throws {@link UnknownRoleError} when there is no such custom role.
   * @throws {@link PolicyError} listing the problems.
   */
  updateRole(name: string, role: RoleInput): Promise<number>
  /**
   * Deletes a custom role. Refused while any subject holds it, and while another custom role inherits it.
   *
   * @throws {@link UnknownRoleError} when there is no such custom role.
   * @throws {@link PolicyError} naming the holders or the inheriting roles.
   */
  deleteRole(name: string): Promise<number>
  /**
   * Calls `listener` after every change committed through this store object, before the call that
   * made it resolves. Returns a function that removes the listener.
   */
  watch(listener: (change: PolicyChange) => void): () => void
}

interface Loaded<P extends PolicyInput> {
  /** The etag the roles were read at; `undefined` before the first load. */
  readonly etag: string | undefined
  readonly revision: number
  readonly roles: Readonly<Record<string, RoleInput>>
  readonly rolegate: Rolegate<P>
}

const HOLDERS_SHOWN = 5

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
  checkClient = true,
}: RedisPolicyStoreOptions<P>): RedisPolicyStore<P> {
  if (checkClient) checkRedisClient(client)
  const keys: RedisKeys = redisKeys(keyPrefix)
  const watchers = new Set<(change: PolicyChange) => void>()
  const call = <T>(promise: Promise<T>): Promise<T> => withDeadline(promise, timeoutMs)
  const compile = (roles: Readonly<Record<string, RoleInput>>): Rolegate<P> => {
    const shadowing = Object.keys(roles).filter((name) => Object.hasOwn(policy.roles, name))
    if (shadowing.length > 0) {
      throw new PolicyError(
        shadowing.map((name) => ({
          path: `policy.roles.${name}`,
          message: `role "${name}" is defined in code; a custom role cannot replace it`,
        })),
      )
    }
    const merged: PolicyInput = { ...policy, roles: { ...policy.roles, ...roles } }
    // The merged policy's role names are wider than P's; Rolegate<P> types the names from code.
    const rolegate: Rolegate<PolicyInput> = createRolegate({
      policy: merged,
      ...(conditions === undefined ? {} : { conditions }),
      ...(roleSetCacheSize === undefined ? {} : { roleSetCacheSize }),
    })
    return rolegate as unknown as Rolegate<P>
  }
  let loaded: Loaded<P> = { etag: undefined, revision: 0, roles: {}, rolegate: compile({}) }

  const readStored = async (): Promise<{
    etag: string | null
    revision: number
    roles: Record<string, RoleInput>
  }> => {
    const [etag, json, rev] = await call(client.hmget(keys.policy, 'e', 'roles', 'rev'))
    return {
      etag: etag ?? null,
      revision: rev === null || rev === undefined ? 0 : Number(rev),
      roles: json === null || json === undefined ? {} : parseRoles(json),
    }
  }
  const index = roleIndex({
    client,
    keys,
    call,
    read: async (id) => {
      const doc = await call(client.hget(keys.subject(id), 'a'))
      return doc === null ? undefined : decodeAssignments(doc)
    },
  })
  const refuseIfHeld = async (name: string, why: string): Promise<void> => {
    const held = await index.holdings(name)
    if (held.length === 0) return
    const shown = held
      .slice(0, HOLDERS_SHOWN)
      .map((h) => `"${h.subjectId}"${h.scope === undefined ? '' : ` in "${h.scope}"`}`)
    const more = held.length > HOLDERS_SHOWN ? ` and ${held.length - HOLDERS_SHOWN} more` : ''
    throw new PolicyError([
      { path: `policy.roles.${name}`, message: `${why}: held by ${shown.join(', ')}${more}` },
    ])
  }

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
    if (typeof name !== 'string') throw invalidArgument('a role name must be a string')
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
        for (const listener of [...watchers, onChange]) {
          try {
            listener?.({ kind, role: name, revision })
          } catch {
            // A listener must not turn a stored change into a failed call.
          }
        }
        return revision
      }
    }
    throw new PolicyError([
      { path: `policy.roles.${name}`, message: 'changed concurrently too often; try again' },
    ])
  }
  const notCustom = (name: string, roles: Record<string, RoleInput>): Error | undefined => {
    if (Object.hasOwn(policy.roles, name))
      return new PolicyError([
        {
          path: `policy.roles.${name}`,
          message: `role "${name}" is defined in code and cannot be changed at run time`,
        },
      ])
    if (!Object.hasOwn(roles, name)) return new UnknownRoleError(name, 'the custom roles')
    return undefined
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
    createRole(name, role) {
      return mutate('create', name, async (roles) => {
        if (Object.hasOwn(policy.roles, name) || Object.hasOwn(roles, name))
          throw new PolicyError([
            { path: `policy.roles.${name}`, message: `role "${name}" already exists` },
          ])
        await refuseIfHeld(name, `a role named "${name}" was deleted but is still assigned`)
        return { ...roles, [name]: plainRole(role) }
      })
    },
    updateRole(name, role) {
      return mutate('update', name, (roles) => {
        const refused = notCustom(name, roles)
        if (refused !== undefined) return Promise.reject(refused)
        return Promise.resolve({ ...roles, [name]: plainRole(role) })
      })
    },
    deleteRole(name) {
      return mutate('delete', name, async (roles) => {
        const refused = notCustom(name, roles)
        if (refused !== undefined) throw refused
        await refuseIfHeld(name, `role "${name}" is still assigned; revoke it first`)
        return Object.fromEntries(Object.entries(roles).filter(([other]) => other !== name))
      })
    },
  }
}

/** A role as plain JSON data: what is stored is exactly what was validated. */
function plainRole(role: RoleInput): RoleInput {
  const value: unknown = role
  // Not an object: stored as given, and the validator reports it ("a role must be an object").
  if (typeof value !== 'object' || value === null) return role
  return JSON.parse(JSON.stringify(value)) as RoleInput
}

function parseRoles(json: string): Record<string, RoleInput> {
  const roles: unknown = JSON.parse(json)
  if (typeof roles !== 'object' || roles === null || Array.isArray(roles)) {
    const problem: PolicyProblem = {
      path: 'policy.roles',
      message: 'stored custom roles are not an object',
    }
    throw new PolicyError([problem])
  }
  return roles as Record<string, RoleInput>
}
