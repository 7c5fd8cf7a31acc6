import type { Middleware, ParameterizedContext } from 'koa'
import { demoUserId } from './demo-users.js'
import type { Sessions } from './sessions.js'
import type { Directory, User } from './users.js'

/** Options of {@link authenticate}. */
export interface AuthenticateOptions {
  readonly directory: Directory
  readonly sessions: Sessions
  /** Also accept `Bearer demo-<user>` for the demo users. Never in production. */
  readonly demo: boolean
}

/**
 * Reads `Authorization: Bearer <token>` and, when it names a user, puts the user on `ctx.state`.
 * It refuses nothing itself: without a user, rolegate's guards answer 401.
 */
export function authenticate({ directory, sessions, demo }: AuthenticateOptions): Middleware {
  return async function authenticate(ctx, next) {
    const token = /^Bearer (\S+)$/.exec(ctx.get('authorization'))?.[1]
    if (token !== undefined) {
      const id = (demo ? demoUserId(token) : undefined) ?? sessions.userOf(token)
      const user = id === undefined ? undefined : directory.user(id)
      if (user !== undefined) (ctx.state as { user?: User }).user = user
    }
    await next()
  }
}

/** The authenticated user, if any. */
export function userOf(ctx: ParameterizedContext): User | undefined {
  return (ctx.state as { user?: User }).user
}

/** The authenticated user, for handlers behind a guard (which has answered 401 otherwise). */
export function currentUser(ctx: ParameterizedContext): User {
  const user = userOf(ctx)
  if (user === undefined) throw new TypeError('No user on a guarded route: mount authenticate')
  return user
}
