import { createHash, randomBytes } from 'node:crypto'
import type { RedisClient } from './client-options.js'

/**
 * Compare-and-set on one hash, then announce: the hash's `e` field is the token of what it holds.
 * The write happens only if `e` still has the value the caller read (`''` for a missing key), and
 * the PUBLISH happens in the same atomic step, so no instance can see the new state before the
 * message about it is on its way, and no message announces a write that did not happen.
 *
 * KEYS[1] the hash; ARGV[1] the token read; ARGV[2] channel; ARGV[3] message;
 * ARGV[4..] field/value pairs to write (with a new `e`), or nothing to delete the key.
 *
 * Why a script and not WATCH/MULTI/EXEC: WATCH belongs to a connection, and the client the user
 * gives us is shared by every request in the process, so another request's EXEC on that connection
 * would clear our WATCH and let a racing write through. A script needs no connection state, and
 * with a single key it runs on whichever cluster node owns the key.
 */
const SCRIPT = `local current = redis.call('HGET', KEYS[1], 'e')
if (current or '') ~= ARGV[1] then return 0 end
if #ARGV == 3 then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], unpack(ARGV, 4))
end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`

const SHA = createHash('sha1').update(SCRIPT).digest('hex')

/** A fresh epoch or etag: random, so a token is never issued twice, not even by a Redis that lost its data. */
export function newToken(): string {
  return randomBytes(9).toString('base64url')
}

/** What {@link compareAndSet} writes. */
export interface CompareAndSet {
  readonly key: string
  /** The token read before computing the change; `null` when the key did not exist. */
  readonly expected: string | null
  readonly channel: string
  readonly message: string
  /** Field/value pairs including the new `e`; `undefined` deletes the key. */
  readonly fields: readonly string[] | undefined
}

/**
 * Runs the compare-and-set script (EVALSHA, falling back to EVAL once when the server has not
 * seen the script yet, e.g. after a restart or on a new cluster node). Resolves with whether the
 * write happened.
 */
export async function compareAndSet(client: RedisClient, change: CompareAndSet): Promise<boolean> {
  const args = [change.expected ?? '', change.channel, change.message, ...(change.fields ?? [])]
  let reply: unknown
  try {
    reply = await client.evalsha(SHA, 1, change.key, ...args)
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
    reply = await client.eval(SCRIPT, 1, change.key, ...args)
  }
  return reply === 1
}
