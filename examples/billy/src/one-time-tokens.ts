import { randomBytes } from 'node:crypto'

/** Single-use, expiring tokens: invitations. */
export interface OneTimeTokens<T> {
  /** A new token carrying `value`. */
  issue(value: T): string
  /** The value, once: a taken or expired token gives `undefined`. */
  take(token: string): T | undefined
}

/** In-memory {@link OneTimeTokens} that expire after `ttlMs`. */
export function oneTimeTokens<T>({
  ttlMs,
  now = Date.now,
}: {
  readonly ttlMs: number
  readonly now?: () => number
}): OneTimeTokens<T> {
  const pending = new Map<string, { value: T; expires: number }>()
  return {
    issue(value) {
      const token = randomBytes(24).toString('base64url')
      pending.set(token, { value, expires: now() + ttlMs })
      return token
    },
    take(token) {
      const entry = pending.get(token)
      pending.delete(token)
      return entry === undefined || entry.expires <= now() ? undefined : entry.value
    },
  }
}
