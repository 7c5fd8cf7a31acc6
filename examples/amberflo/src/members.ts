import { randomBytes } from 'node:crypto'
import type { AssignmentStore } from '@rolegate/core'
import type { Directory, Member } from './directory.js'
import { accountScope, isRole, ROLES, type Role } from './policy.js'
import { ProblemError } from './problem.js'

/** A member as the API shows it: with the role held in their account, or `null`. */
export interface MemberView extends Member {
  readonly role: Role | null
}

/** The member's role in their account, read from the store (so a change shows at once). */
export async function viewOf(assignments: AssignmentStore, member: Member): Promise<MemberView> {
  const held = (await assignments.get(member.id))?.scoped[accountScope(member.account)]?.[0]
  return { ...member, role: isRole(held) ? held : null }
}

/** A role from a request body: one of the four, or 422 naming the choices. */
export function requireRole(value: unknown): Role {
  if (isRole(value)) return value
  throw new ProblemError(
    422,
    'unknown-role',
    'Unknown role',
    `"role" must be one of ${ROLES.map((r) => `"${r}"`).join(', ')}.`,
    { field: 'role', roles: ROLES },
  )
}

/**
 * Gives a member exactly `role` in their account (or no role). `set` replaces the whole record:
 * an Amberflo member holds one role, in the one account they belong to.
 */
export async function setRole(
  assignments: AssignmentStore,
  member: Member,
  role: Role | null,
): Promise<void> {
  const scoped = role === null ? {} : { [accountScope(member.account)]: [role] }
  await assignments.set(member.id, { roles: [], scoped })
}

/**
 * Adds a member to the directory with `role`. If the store refuses (Redis down), the member is
 * taken out again, so nobody is left half-admitted.
 *
 * @throws {@link ProblemError} 409 when the email is already a member.
 */
export async function admitMember(
  { directory, assignments }: { directory: Directory; assignments: AssignmentStore },
  fields: Omit<Member, 'id'> & { readonly id?: string },
  role: Role | null,
): Promise<MemberView> {
  const member: Member = { ...fields, id: fields.id ?? `m_${randomBytes(6).toString('hex')}` }
  if (!directory.add(member))
    throw new ProblemError(
      409,
      'already-member',
      'Already a member',
      `${member.email} is already a member.`,
    )
  try {
    await setRole(assignments, member, role)
  } catch (error) {
    directory.remove(member.id)
    throw error
  }
  return { ...member, role }
}

/** The 409 of a change that would leave the member's account without an Administrator. */
const lastAdministrator = (member: Member): ProblemError =>
  new ProblemError(
    409,
    'last-administrator',
    'Last Administrator',
    `${member.email} is the last Administrator of ${member.account}.`,
  )

/**
 * Refuses to leave an account without an Administrator: nobody could invite, change roles or
 * delete members any more.
 */
async function keepAnAdministrator(
  assignments: AssignmentStore,
  member: Member,
  nextRole: Role | null,
): Promise<void> {
  if (nextRole === 'administrator') return
  const admins = await assignments.list({
    role: 'administrator',
    scope: accountScope(member.account),
  })
  if (admins.length === 1 && admins[0] === member.id) throw lastAdministrator(member)
}

/**
 * Gives a member `role` (`null` for none, as before a deletion) under the last-Administrator rule.
 * The check before the write answers the usual case; two Administrators leaving at once (two
 * instances over one Redis) both pass it, so the account is looked at again after the write, and
 * a change that left it without an Administrator is undone and refused. Meanwhile the account may
 * have no Administrator for a moment: its admin pages then refuse, they never let anyone in.
 */
export async function changeRole(
  assignments: AssignmentStore,
  member: Member,
  role: Role | null,
): Promise<void> {
  await keepAnAdministrator(assignments, member, role)
  const { role: previous } = await viewOf(assignments, member)
  await setRole(assignments, member, role)
  if (role === 'administrator' || previous !== 'administrator') return
  const scope = accountScope(member.account)
  if ((await assignments.list({ role: 'administrator', scope })).length > 0) return
  // Undone only if what this request wrote still stands: a change made since is not overwritten.
  if ((await viewOf(assignments, member)).role === role)
    await setRole(assignments, member, previous)
  throw lastAdministrator(member)
}
