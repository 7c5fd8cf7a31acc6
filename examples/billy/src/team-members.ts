import type { AssignmentStore } from '@rolegate/core'
import { isTeamRole, TEAM_ROLES, teamScope, type TeamRole } from './policy.js'
import { ProblemError } from './problem.js'
import { publicUser, type Directory } from './users.js'

/** A member of a team as the API shows them. */
export interface TeamMember {
  readonly id: string
  readonly email: string
  readonly name: string
  readonly role: TeamRole
}

/** The user's role in the team, or `null` when they are not a member. */
export async function teamRoleOf(
  assignments: AssignmentStore,
  userId: string,
  team: string,
): Promise<TeamRole | null> {
  const held = (await assignments.get(userId))?.scoped[teamScope(team)] ?? []
  return TEAM_ROLES.find((role) => held.includes(role)) ?? null
}

/** Ids of the team's members, sorted: whoever holds a team role in its scope. */
export async function teamMemberIds(assignments: AssignmentStore, team: string): Promise<string[]> {
  const scope = teamScope(team)
  const lists = await Promise.all(TEAM_ROLES.map((role) => assignments.list({ role, scope })))
  return [...new Set(lists.flat())].sort()
}

/** The team's members with their roles, by email. */
export async function teamMembers(
  assignments: AssignmentStore,
  directory: Directory,
  team: string,
): Promise<TeamMember[]> {
  const members: TeamMember[] = []
  for (const id of await teamMemberIds(assignments, team)) {
    const user = directory.user(id)
    const role = await teamRoleOf(assignments, id, team)
    if (user !== undefined && role !== null) members.push({ ...publicUser(user), role })
  }
  return members.sort((a, b) => a.email.localeCompare(b.email))
}

/**
 * Gives the user exactly `role` in the team, leaving their other teams alone. The old role is
 * revoked before the new one is given: if the store fails between the two, the user holds less,
 * never more.
 */
export async function setTeamRole(
  assignments: AssignmentStore,
  userId: string,
  team: string,
  role: TeamRole,
): Promise<void> {
  const scope = teamScope(team)
  for (const old of TEAM_ROLES) if (old !== role) await assignments.revoke(userId, old, { scope })
  await assignments.assign(userId, role, { scope })
}

/**
 * Adds the user to the team with `role`, or 409 when they already hold a role there. An invitation
 * only lets someone in: a member's role is changed by an Admin, under the last-Admin rule. Without
 * this, a member's older invitation (say, as Read-Only) would demote them, even the team's only
 * Admin. The role is assigned, never revoked: should two invitations race past the check, the user
 * ends up holding both, not fewer, and no Admin is taken away.
 */
export async function joinTeam(
  assignments: AssignmentStore,
  user: { readonly id: string; readonly email: string },
  team: string,
  role: TeamRole,
): Promise<void> {
  if ((await teamRoleOf(assignments, user.id, team)) !== null)
    throw new ProblemError(
      409,
      'already-member',
      'Already a member',
      `${user.email} is already a member of team "${team}": an Admin changes a member's role, an invitation does not.`,
    )
  await assignments.assign(user.id, role, { scope: teamScope(team) })
}

/** A role from a request body: one of the team roles (`fallback` when absent), or 422. */
export function teamRoleFrom(value: unknown, fallback?: TeamRole): TeamRole {
  if (value === undefined && fallback !== undefined) return fallback
  if (isTeamRole(value)) return value
  throw new ProblemError(
    422,
    'unknown-role',
    'Unknown role',
    `"role" must be one of ${TEAM_ROLES.map((r) => `"${r}"`).join(', ')}.`,
    { field: 'role', roles: TEAM_ROLES },
  )
}

/** The 409 of a change that would leave a team without an Admin: nobody could manage its users. */
const lastAdmin = (team: string): ProblemError =>
  new ProblemError(409, 'last-admin', 'Last Admin', `This is the last Admin of team "${team}".`)

/** Refuses to leave a team without an Admin: nobody could manage its users any more. */
async function keepAnAdmin(
  assignments: AssignmentStore,
  team: string,
  userId: string,
  nextRole: TeamRole,
): Promise<void> {
  if (nextRole === 'admin') return
  const admins = await assignments.list({ role: 'admin', scope: teamScope(team) })
  if (admins.length === 1 && admins[0] === userId) throw lastAdmin(team)
}

/**
 * Gives a member `role` in the team under the last-Admin rule. The check before the write answers
 * the usual case; two Admins stepping down at once (two instances over one Redis) both pass it, so
 * the team is looked at again after the write, and a change that left it without an Admin is
 * undone and refused. Meanwhile the team may have no Admin for a moment: its admin pages then
 * refuse, they never let anyone in.
 */
export async function changeTeamRole(
  assignments: AssignmentStore,
  userId: string,
  team: string,
  role: TeamRole,
): Promise<void> {
  await keepAnAdmin(assignments, team, userId, role)
  const previous = await teamRoleOf(assignments, userId, team)
  await setTeamRole(assignments, userId, team, role)
  if (role === 'admin' || previous !== 'admin') return
  const admins = await assignments.list({ role: 'admin', scope: teamScope(team) })
  if (admins.length > 0) return
  // Undone only if what this request wrote still stands: a change made since is not overwritten.
  if ((await teamRoleOf(assignments, userId, team)) === role)
    await setTeamRole(assignments, userId, team, previous)
  throw lastAdmin(team)
}
