import { randomBytes } from 'node:crypto'

/** Bearer tokens for members who signed up, accepted an invitation or logged in with SSO. */
export interface Sessions {
  /** A new token for the member. */
  issue(memberId: string): string
  /** The member a token belongs to. */
  memberOf(token: string): string | undefined
  /** Ends every session of a member (deleted members are logged out at once). */
  revokeAll(memberId: string): void
}

/** In-memory sessions: one instance only. With several instances, keep them in your session store. */
export function memorySessions(): Sessions {
  const tokens = new Map<string, string>()
  return {
    issue(memberId) {
      const token = `s_${randomBytes(24).toString('base64url')}`
      tokens.set(token, memberId)
      return token
    },
    memberOf: (token) => tokens.get(token),
    revokeAll(memberId) {
      for (const [token, id] of tokens) if (id === memberId) tokens.delete(token)
    },
  }
}
