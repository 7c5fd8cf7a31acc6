import type { PermissionGuardOptions, Rolegated } from '@rolegate/koa'
import type { Mailer } from './mail.js'
import { ProblemError } from './problem.js'
import { teamScope, type policy } from './policy.js'
import type { Records } from './records.js'
import type { Sessions } from './sessions.js'
import type { Stores } from './stores.js'
import type { Directory } from './users.js'

/** What the route modules share. */
export interface Deps {
  /** The rolegate middleware, carrying guards typed by the policy. */
  readonly authz: Rolegated<typeof policy>
  readonly stores: Stores
  readonly directory: Directory
  readonly records: Records
  readonly sessions: Sessions
  readonly mailer: Mailer
}

/**
 * Guards decide in the team named by the path: the caller's roles in that team only. A team the
 * caller has no role in answers 403 whether or not it exists.
 */
export const inTeam: PermissionGuardOptions = {
  scope: (ctx) => teamScope(ctx.params.team ?? ''),
}

/** 404 for an object that is not in the team. */
export function notFoundIn(what: string, id: string, team: string): ProblemError {
  return new ProblemError(
    404,
    'not-found',
    'Not found',
    `There is no ${what} "${id}" in team "${team}".`,
  )
}
