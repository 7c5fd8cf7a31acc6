import type { PolicyInput, Subject } from '@rolegate/core'
import {
  redisContextResolver,
  redisStore,
  type RedisContextResolver,
  type RedisStore,
} from '@rolegate/redis'
import type { Redis } from 'ioredis'
import { rolegatePolicy } from '../peers/rolegate.js'
import { billwerk } from '../policies/billwerk.js'
import { pick, seededRandom } from '../policies/large.js'
import { ACTIONS, allows, internalize, type User } from '../policies/neutral.js'

/** billwerk's roles a subject may hold together (admin and read_only_operations are exclusive). */
const SHARED_ROLES = ['products', 'operations', 'finance', 'reports', 'templates'] as const

/** One decision to make: a bare subject (id only, roles in Redis) and a permission. */
export interface RedisCheck {
  readonly subject: Subject
  readonly permission: string
  readonly expected: boolean
}

/** `count` subjects holding one or two roles each, drawn with a seeded PRNG. */
export function redisUsers(count: number, seed = 0xcafe): User[] {
  const random = seededRandom(seed)
  return Array.from({ length: count }, (_, i) => {
    const first = SHARED_ROLES[pick(random, SHARED_ROLES.length)] as string
    const second = SHARED_ROLES[pick(random, SHARED_ROLES.length)] as string
    const roles = random() < 0.5 || first === second ? [first] : [first, second]
    return { id: `u${i}`, roles }
  })
}

/**
 * `count` checks; check `i` is about subject `i % users.length`, so a batch of up to
 * `users.length` concurrent decisions names distinct subjects (bounded mode shares a read between
 * requests for the same subject, which would make the figure for "per decision" look better).
 */
export function redisChecks(users: readonly User[], count: number, seed = 0xbeef): RedisCheck[] {
  const random = seededRandom(seed)
  const subjects = users.map((u) => ({ id: u.id }))
  return Array.from({ length: count }, (_, i) => {
    const user = users[i % users.length] as User
    const resource = billwerk.resources[pick(random, billwerk.resources.length)] as string
    const action = ACTIONS[pick(random, ACTIONS.length)] as (typeof ACTIONS)[number]
    return {
      subject: subjects[i % users.length] as Subject,
      permission: internalize(`${resource}:${action}`),
      expected: allows(billwerk, user, resource, action),
    }
  })
}

/** The policy in code every store of the bench gets. */
export const redisPolicy: PolicyInput = rolegatePolicy(billwerk)

/** A store over `client` (strict mode: its `resolve` is the strict resolver). */
export function benchStore(client: Redis, keyPrefix: string, onChange?: () => void): RedisStore {
  return redisStore({ client, keyPrefix, policy: redisPolicy, mode: 'strict', onChange })
}

/** A bounded resolver over the store's assignments and custom roles, with its own subscriber. */
export function boundedResolver(
  store: RedisStore,
  boundMs: number,
  lruMax?: number,
): RedisContextResolver {
  return redisContextResolver({
    store: store.assignments,
    rolegate: store.policies,
    mode: 'bounded',
    boundMs,
    ...(lruMax === undefined ? {} : { lru: { max: lruMax } }),
  })
}

/** Writes every user's roles through the store, 32 subjects at a time. */
export async function assignAll(store: RedisStore, users: readonly User[]): Promise<void> {
  for (let i = 0; i < users.length; i += 32) {
    await Promise.all(
      users.slice(i, i + 32).map(async (u) => {
        for (const role of u.roles) await store.assignments.assign(u.id, role)
      }),
    )
  }
}
