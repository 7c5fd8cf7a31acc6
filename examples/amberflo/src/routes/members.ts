import type Router from '@koa/router'
import { UnauthorizedError, unauthorizedProblem } from '@rolegate/core'
import type { ParameterizedContext } from 'koa'
import { currentMember, memberOf } from '../authenticate.js'
import { inOwnAccount, type Deps } from '../deps.js'
import { parseEmail, type Member } from '../directory.js'
import { admitMember, changeRole, requireRole, viewOf } from '../members.js'
import { oneTimeTokens } from '../one-time-tokens.js'
import type { Role } from '../policy.js'
import { ProblemError } from '../problem.js'
import { bodyOf, textField } from '../request-body.js'
import { notFound } from './services.js'

const WEEK_MS = 7 * 24 * 60 * 60 * 1000

interface Invitation {
  readonly email: string
  readonly account: string
  readonly role: Role
}

/**
 * Settings → Users: only an Administrator lists members, invites them (choosing the role), changes
 * roles and deletes members. Every change goes through the assignment store, so it takes effect
 * on the member's next request.
 */
export function memberRoutes(router: Router, deps: Deps): void {
  const { authz, directory, sessions, mailer } = deps
  const { assignments } = deps.stores
  const invitations = oneTimeTokens<Invitation>({ ttlMs: WEEK_MS })
  /** The member named in the path, in the caller's account; 404 for anyone else's. */
  const target = (ctx: ParameterizedContext & { params: Record<string, string> }): Member => {
    const id = ctx.params.id ?? ''
    const member = directory.get(id)
    if (member?.account !== currentMember(ctx).account) throw notFound('member', id)
    return member
  }

  router.get('/me', async (ctx) => {
    const member = memberOf(ctx)
    if (member === undefined)
      throw new UnauthorizedError(unauthorizedProblem(), { 'www-authenticate': 'Bearer' })
    ctx.body = await viewOf(assignments, member)
  })

  router.get('/members', authz.requirePermission('members:read', inOwnAccount), async (ctx) => {
    const members = directory.list(currentMember(ctx).account)
    ctx.body = await Promise.all(members.map((m) => viewOf(assignments, m)))
  })

  router.post(
    '/members/invitations',
    authz.requirePermission('members:invite', inOwnAccount),
    async (ctx) => {
      const body = bodyOf(ctx)
      const parsed = parseEmail(body['email'])
      if (parsed === undefined)
        throw new ProblemError(
          422,
          'invalid-field',
          'Invalid field',
          '"email" must be an email address.',
          {
            field: 'email',
          },
        )
      const role = requireRole(body['role'])
      if (directory.byEmail(parsed.email) !== undefined)
        throw new ProblemError(
          409,
          'already-member',
          'Already a member',
          `${parsed.email} is already a member.`,
        )
      const { account } = currentMember(ctx)
      const token = invitations.issue({ email: parsed.email, account, role })
      await mailer({
        to: parsed.email,
        subject: `You are invited to ${account} on Amberflo as ${role}`,
        text: `Accept: POST /invitations/accept {"token":"${token}"}`,
        token,
      })
      ctx.status = 201
      ctx.body = { email: parsed.email, account, role }
    },
  )

  router.post('/invitations/accept', async (ctx) => {
    const body = bodyOf(ctx)
    const invitation = invitations.take(textField(body, 'token') ?? '')
    if (invitation === undefined)
      throw new ProblemError(
        400,
        'invalid-token',
        'Invalid token',
        'The invitation is unknown, used or expired.',
      )
    const { email, account, role } = invitation
    const name = textField(body, 'name') ?? email.slice(0, email.indexOf('@'))
    const member = await admitMember({ directory, assignments }, { email, name, account }, role)
    ctx.status = 201
    ctx.body = { member, token: sessions.issue(member.id) }
  })

  router.put(
    '/members/:id/role',
    authz.requirePermission('members:write', inOwnAccount),
    async (ctx) => {
      const role = requireRole(bodyOf(ctx)['role'])
      const member = target(ctx)
      await changeRole(assignments, member, role)
      ctx.body = { ...member, role }
    },
  )

  router.delete(
    '/members/:id',
    authz.requirePermission('members:delete', inOwnAccount),
    async (ctx) => {
      const member = target(ctx)
      // Roles first, under the last-Administrator rule: should the store fail, the member stays
      // listed and can be deleted again.
      await changeRole(assignments, member, null)
      await assignments.delete(member.id)
      directory.remove(member.id)
      sessions.revokeAll(member.id)
      ctx.status = 204
    },
  )
}
