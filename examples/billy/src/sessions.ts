import { randomBytes } from 'node:crypto'

/** Bearer tokens for users who logged in or accepted an invitation. */
export interface Sessions {
  /** A new token for the user. */
  issue(userId: string): string
  /** The user a token belongs to. */
  userOf(token: string): string | undefined
  /** Ends every session of a user: a password change does, so a stolen token dies with the old password. */
  revokeAll(userId: string): void
}

/** In-memory sessions: one instance only. With several instances, keep them in your session store. */
export function memorySessions(): Sessions {
  const tokens = new Map<string, string>()
  return {
    issue(userId) {
      const token = `s_${randomBytes(24).toString('base64url')}`
      tokens.set(token, userId)
      return token
    },
    userOf: (token) => tokens.get(token),
    revokeAll(userId) {
      for (const [token, id] of tokens) if (id === userId) tokens.delete(token)
    },
  }
}
