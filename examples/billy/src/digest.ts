import { withAssignments, type AssignmentStore, type Rolegate } from '@rolegate/core'
import type { policy } from './policy.js'
import { teamScope } from './policy.js'
import { teamMemberIds } from './team-members.js'
import { publicUser, type Directory } from './users.js'

/** The notifications Billy sends; Read-Only users receive none of them. */
export const NOTIFICATIONS = ['digest', 'expiration', 'document_upload', 'contact_update'] as const

/** One kind of notification. */
export type Notification = (typeof NOTIFICATIONS)[number]

/**
 * Who of the team receives a notification: the members whose roles there allow
 * `notifications.<kind>:receive`, decided by `rg.who`. The weekly digest job calls this as the
 * HTTP route does; no role check is written twice.
 */
export async function recipients(
  {
    rolegate,
    assignments,
    directory,
  }: {
    readonly rolegate: Rolegate<typeof policy>
    readonly assignments: AssignmentStore
    readonly directory: Directory
  },
  team: string,
  kind: Notification,
): Promise<{ id: string; email: string; name: string }[]> {
  const members = await Promise.all(
    (await teamMemberIds(assignments, team)).map(async (id) =>
      withAssignments({ id }, await assignments.get(id)),
    ),
  )
  return rolegate
    .who(`notifications.${kind}:receive`, { scope: teamScope(team), among: members })
    .flatMap(({ id }) => {
      const user = directory.user(id)
      return user === undefined ? [] : [publicUser(user)]
    })
}
