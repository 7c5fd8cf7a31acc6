import type { Assignments } from '@rolegate/core'
import type { Redis } from 'ioredis'
import { holdingsOf, holds, type Holding } from './assignments-doc.js'
import { isCluster, type RedisClient } from './client-options.js'
import { globEscape, type RedisKeys } from './keys.js'

/**
 * The role → subjects index behind `list()` and the custom-role holder checks.
 *
 * A subject's record and the index sets live in different hash slots, so no single atomic step can
 * update both in a cluster. The index is therefore kept as a **superset** of the truth, and every
 * read of it is checked against the subjects' own records:
 *
 * - after a write commits, the roles it gained are added (SADD) and the roles it lost removed
 *   (SREM); after a removal the writer reads the subject again and puts back any role it holds
 *   once more, because a concurrent writer's SADD may have landed before our SREM;
 * - so once writers are done, every held role is in the index (the last writer to commit either
 *   added it after its commit, or an earlier writer's late SREM was followed by a re-read that saw
 *   it), and extra members are possible but harmless;
 * - `list()` reads every candidate's record and keeps only true holders.
 *
 * What can still leave a holder out: a process that dies between its commit and its SADD, or a
 * failover that loses index writes but not the subject's. {@link rebuildIndex} repairs both by
 * scanning the subject records. Enforcement never reads the index: decisions and the exclusive and
 * conflict checks use the subject's own record only.
 */
export interface RoleIndex {
  /** Brings the index in line with a committed change from `before` to `after`. */
  update(
    subjectId: string,
    before: Assignments | undefined,
    after: Assignments | undefined,
  ): Promise<void>
  /** Ids of the subjects holding `role` in `scope` (globally when undefined), verified, sorted. */
  holders(role: string, scope: string | undefined): Promise<string[]>
  /** Every place `role` is held, verified: for refusing to delete a role that is still held. */
  holdings(role: string): Promise<{ readonly subjectId: string; readonly scope?: string }[]>
}

/** What the index needs from the assignment store. */
export interface RoleIndexDeps {
  readonly client: RedisClient
  readonly keys: RedisKeys
  /** Reads a subject's current assignments. */
  readonly read: (subjectId: string) => Promise<Assignments | undefined>
  /** Puts the store's deadline on one Redis call. */
  readonly call: <T>(command: Promise<T>) => Promise<T>
}

const VERIFY_BATCH = 256

/** The index over `client` with the given key layout. */
export function roleIndex({ client, keys, read, call }: RoleIndexDeps): RoleIndex {
  const add = async (subjectId: string, holding: Holding): Promise<void> => {
    await call(client.sadd(keys.holders(holding.role, holding.scope), subjectId))
    if (holding.scope !== undefined)
      await call(client.sadd(keys.scopesOf(holding.role), holding.scope))
  }
  const verified = async (role: string, scope: string | undefined): Promise<string[]> => {
    const candidates = await call(client.smembers(keys.holders(role, scope)))
    const kept: string[] = []
    for (let i = 0; i < candidates.length; i += VERIFY_BATCH) {
      const batch = candidates.slice(i, i + VERIFY_BATCH)
      const records = await Promise.all(batch.map((id) => read(id)))
      batch.forEach((id, j) => {
        if (holds(records[j], { role, scope })) kept.push(id)
      })
    }
    return kept.sort()
  }
  return {
    async update(subjectId, before, after) {
      const key = (h: Holding): string => `${h.role}\n${h.scope ?? ''}\n${h.scope === undefined}`
      const had = new Map(holdingsOf(before).map((h) => [key(h), h]))
      const has = new Map(holdingsOf(after).map((h) => [key(h), h]))
      const gained = [...has].filter(([k]) => !had.has(k)).map(([, h]) => h)
      const lost = [...had].filter(([k]) => !has.has(k)).map(([, h]) => h)
      await Promise.all(gained.map((h) => add(subjectId, h)))
      if (lost.length === 0) return
      await Promise.all(
        lost.map((h) => call(client.srem(keys.holders(h.role, h.scope), subjectId))),
      )
      const now = await read(subjectId)
      await Promise.all(lost.filter((h) => holds(now, h)).map((h) => add(subjectId, h)))
    },
    holders: verified,
    async holdings(role) {
      const scopes = await call(client.smembers(keys.scopesOf(role)))
      const found: { subjectId: string; scope?: string }[] = (await verified(role, undefined)).map(
        (subjectId) => ({ subjectId }),
      )
      for (const scope of scopes.sort()) {
        for (const subjectId of await verified(role, scope)) found.push({ subjectId, scope })
      }
      return found
    },
  }
}

/**
 * Rebuilds the index from the subject records: adds every holding found, and removes members that
 * their subject no longer holds. Scans every master of a cluster. Safe to run while the
 * application is serving; a write that races with it is fixed up by that write's own index step.
 * Every command, SCAN included, has the store's deadline: the caller turns a failure into 503.
 */
export async function rebuildIndex(
  deps: RoleIndexDeps & { readonly index: RoleIndex },
): Promise<{ readonly added: number; readonly removed: number }> {
  const { client, keys, read, call, index } = deps
  let added = 0
  let removed = 0
  const roles = new Set<string>()
  for (const node of masters(client)) {
    for await (const batch of scan(node, keys.subjectPattern, call)) {
      for (const key of batch) {
        const subjectId = keys.subjectIdOf(key)
        for (const h of holdingsOf(await read(subjectId))) {
          roles.add(h.role)
          added += await call(client.sadd(keys.holders(h.role, h.scope), subjectId))
          if (h.scope !== undefined) await call(client.sadd(keys.scopesOf(h.role), h.scope))
        }
      }
    }
  }
  // Roles nobody holds any more are found through the index keys themselves.
  const prefix = globEscape(keys.prefix)
  for (const node of masters(client)) {
    for (const match of [`${prefix}g:*`, `${prefix}rs:*`]) {
      for await (const batch of scan(node, match, call)) {
        for (const key of batch) roles.add(key.slice(key.indexOf(':', keys.prefix.length) + 1))
      }
    }
  }
  for (const role of roles) {
    const scopes = [undefined, ...(await call(client.smembers(keys.scopesOf(role))))]
    for (const scope of scopes) {
      const truth = new Set(await index.holders(role, scope))
      for (const subjectId of await call(client.smembers(keys.holders(role, scope)))) {
        if (truth.has(subjectId)) continue
        // The same remove-then-recheck step as a writer's, so a concurrent grant is not lost.
        removed += await call(client.srem(keys.holders(role, scope), subjectId))
        if (holds(await read(subjectId), { role, scope }))
          removed -= await call(client.sadd(keys.holders(role, scope), subjectId))
      }
    }
  }
  return { added, removed }
}

/**
 * The keys matching `match` on one node, a page at a time. Each SCAN goes through `call`, under the
 * store's deadline like every other command: ioredis's scanStream has none, so a silent server (or
 * one under CLIENT PAUSE) with no commandTimeout on the client would hold the rebuild forever.
 */
async function* scan(
  node: Redis,
  match: string,
  call: RoleIndexDeps['call'],
): AsyncGenerator<string[]> {
  let cursor = '0'
  do {
    const [next, keys] = await call(node.scan(cursor, 'MATCH', match, 'COUNT', 500))
    yield keys
    cursor = next
  } while (cursor !== '0')
}

function masters(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client]
}
