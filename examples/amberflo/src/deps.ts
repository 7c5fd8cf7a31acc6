import type { PermissionGuardOptions, Rolegated } from '@rolegate/koa'
import { currentMember } from './authenticate.js'
import type { Directory } from './directory.js'
import type { Mailer } from './mail.js'
import { accountScope, type policy } from './policy.js'
import type { Records } from './records.js'
import type { Sessions } from './sessions.js'
import type { Stores } from './stores.js'

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

/** Guards decide in the caller's own account: its roles there, never another account's. */
export const inOwnAccount: PermissionGuardOptions = {
  scope: (ctx) => accountScope(currentMember(ctx).account),
}
