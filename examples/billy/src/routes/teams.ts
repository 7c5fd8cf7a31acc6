import { randomBytes } from 'node:crypto'
import type Router from '@koa/router'
import { teamCreator } from '@rolegate/claims'
import type { ParameterizedContext } from 'koa'
import { currentUser } from '../authenticate.js'
import { inTeam, notFoundIn, type Deps } from '../deps.js'
import { recipients } from '../digest.js'
import { oneTimeTokens } from '../one-time-tokens.js'
import { MIN_PASSWORD_LENGTH, hashPassword } from '../passwords.js'
import type { TeamRole } from '../policy.js'
import { ProblemError } from '../problem.js'
import { bodyOf, textField } from '../request-body.js'
import { changeTeamRole, joinTeam, teamMembers, teamRoleFrom, teamRoleOf } from '../team-members.js'
import { parseEmail, publicUser } from '../users.js'
import { requiredText } from './projects.js'

const WEEK_MS = 7 * 24 * 60 * 60 * 1000

interface Invitation {
  readonly email: string
  readonly team: string
  readonly role: TeamRole
}

/**
 * Teams and their settings. Whoever creates a team is its Admin; only an Admin adds users (the
 * role defaults to Standard), changes their permissions, adds legal entities and requirement
 * groups, creates requirements and sees who gets the weekly digest.
 */
export function teamRoutes(router: Router, deps: Deps): void {
  const { authz, directory, records, sessions, mailer } = deps
  const { assignments, rolegate } = deps.stores
  const creatorRole = teamCreator({ role: 'admin', rolegate })
  const invitations = oneTimeTokens<Invitation>({ ttlMs: WEEK_MS })
  const team = (ctx: { params: Record<string, string> }): string => ctx.params.team ?? ''

  router.post('/teams', authz.requirePermission('teams:create'), async (ctx) => {
    const name = requiredText(ctx, 'name')
    const id = `t_${randomBytes(4).toString('hex')}`
    const { subjectId, role, scope } = creatorRole({ subjectId: currentUser(ctx).id, teamId: id })
    // The Admin first: should the store fail, there is no team without one.
    await assignments.assign(subjectId, role, { scope })
    directory.addTeam({ id, name })
    ctx.status = 201
    ctx.body = { id, name, role }
  })

  router.get(
    '/teams/:team/members',
    authz.requirePermission('settings.users:read', inTeam),
    async (ctx) => {
      ctx.body = await teamMembers(assignments, directory, team(ctx))
    },
  )

  router.post(
    '/teams/:team/invitations',
    authz.requirePermission('settings.users:invite', inTeam),
    async (ctx) => {
      const body = bodyOf(ctx)
      const email = parseEmail(body['email'])
      if (email === undefined)
        throw new ProblemError(
          422,
          'invalid-field',
          'Invalid field',
          '"email" must be an email address.',
          {
            field: 'email',
          },
        )
      const role = teamRoleFrom(body['role'], 'standard')
      const existing = directory.userByEmail(email)
      if (
        existing !== undefined &&
        (await teamRoleOf(assignments, existing.id, team(ctx))) !== null
      )
        throw new ProblemError(
          409,
          'already-member',
          'Already a member',
          `${email} is already a member of this team.`,
        )
      const token = invitations.issue({ email, team: team(ctx), role })
      const teamName = directory.team(team(ctx))?.name ?? team(ctx)
      await mailer({
        to: email,
        subject: `You are invited to ${teamName} on Billy as ${role}`,
        text: `Accept: POST /invitations/accept {"token":"${token}"}`,
        token,
      })
      ctx.status = 201
      ctx.body = { email, team: team(ctx), role }
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
    const known = directory.userByEmail(invitation.email)
    if (known !== undefined) {
      // An existing user joins one more team with the role they were invited with (not if they
      // are in it already). No session: they log in as they always do.
      await joinTeam(assignments, known, invitation.team, invitation.role)
      ctx.body = { user: publicUser(known), team: invitation.team, role: invitation.role }
      return
    }
    const password = body['password']
    if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH)
      throw new ProblemError(
        422,
        'invalid-field',
        'Invalid field',
        `A "password" of at least ${MIN_PASSWORD_LENGTH} characters is required.`,
        { field: 'password' },
      )
    const { email } = invitation
    const user = {
      id: `u_${randomBytes(6).toString('hex')}`,
      email,
      name: textField(body, 'name') ?? email.slice(0, email.indexOf('@')),
      passwordHash: await hashPassword(password),
    }
    if (!directory.addUser(user))
      throw new ProblemError(409, 'already-user', 'Already a user', `${email} has just signed up.`)
    await joinTeam(assignments, user, invitation.team, invitation.role)
    ctx.status = 201
    ctx.body = {
      user: publicUser(user),
      team: invitation.team,
      role: invitation.role,
      token: sessions.issue(user.id),
    }
  })

  router.put(
    '/teams/:team/members/:user/role',
    authz.requirePermission('settings.users:write', inTeam),
    async (ctx) => {
      const role = teamRoleFrom(bodyOf(ctx)['role'])
      const id = ctx.params.user ?? ''
      const user = directory.user(id)
      if (user === undefined || (await teamRoleOf(assignments, id, team(ctx))) === null)
        throw notFoundIn('member', id, team(ctx))
      await changeTeamRole(assignments, id, team(ctx), role)
      ctx.body = { ...publicUser(user), role }
    },
  )

  const settings = [
    ['/teams/:team/legal-entities', 'settings.legal_entities:write', 'legal_entities'],
    ['/teams/:team/requirement-groups', 'settings.requirement_groups:write', 'requirement_groups'],
    ['/teams/:team/requirements', 'requirements:write', 'requirements'],
  ] as const
  for (const [path, permission, kind] of settings) {
    router.post(
      path,
      authz.requirePermission(permission, inTeam),
      (ctx: ParameterizedContext & { params: Record<string, string> }) => {
        ctx.status = 201
        ctx.body = records.add(`${team(ctx)}/${kind}`, { name: requiredText(ctx, 'name') })
      },
    )
  }

  router.get('/teams/:team/digest/recipients', authz.requireRole('admin', inTeam), async (ctx) => {
    const to = await recipients({ rolegate, assignments, directory }, team(ctx), 'digest')
    ctx.body = { notification: 'digest', recipients: to }
  })
}
