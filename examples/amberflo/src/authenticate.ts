import type { Middleware, ParameterizedContext } from 'koa'
import { demoMemberId } from './demo-users.js'
import type { Directory, Member } from './directory.js'
import type { Sessions } from './sessions.js'

/** Options of {@link authenticate}. */
export interface AuthenticateOptions {
  readonly directory: Directory
  readonly sessions: Sessions
  /** Also accept `Bearer demo-<user>` for the demo users. Never in production. */
  readonly demo: boolean
}

/**
 * Reads `Authorization: Bearer <token>` and, when it names a current member, puts the member on
 * `ctx.state`. It refuses nothing itself: without a member, rolegate's guards answer 401.
 */
export function authenticate({ directory, sessions, demo }: AuthenticateOptions): Middleware {
  return async function authenticate(ctx, next) {
    const token = /^Bearer (\S+)$/.exec(ctx.get('authorization'))?.[1]
    if (token !== undefined) {
      const id = (demo ? demoMemberId(token) : undefined) ?? sessions.memberOf(token)
      // A deleted member's token names nobody: directory.get gives undefined.
      const member = id === undefined ? undefined : directory.get(id)
      if (member !== undefined) (ctx.state as { member?: Member }).member = member
    }
    await next()
  }
}

/** The authenticated member, if any. */
export function memberOf(ctx: ParameterizedContext): Member | undefined {
  return (ctx.state as { member?: Member }).member
}

/** The authenticated member, for handlers behind a guard (which has answered 401 otherwise). */
export function currentMember(ctx: ParameterizedContext): Member {
  const member = memberOf(ctx)
  if (member === undefined) throw new TypeError('No member on a guarded route: mount authenticate')
  return member
}
