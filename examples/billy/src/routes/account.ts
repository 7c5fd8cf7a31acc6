import type Router from '@koa/router'
import { UnauthorizedError, unauthorizedProblem } from '@rolegate/core'
import type { GuardContext, PermissionGuardOptions } from '@rolegate/koa'
import { currentUser, userOf } from '../authenticate.js'
import type { Deps } from '../deps.js'
import { MIN_PASSWORD_LENGTH, hashPassword, verifyPassword } from '../passwords.js'
import { teamScope } from '../policy.js'
import { ProblemError } from '../problem.js'
import { bodyOf, textField } from '../request-body.js'
import { publicUser } from '../users.js'
import { requiredText } from './projects.js'

const unauthenticated = (): UnauthorizedError =>
  new UnauthorizedError(unauthorizedProblem(), { 'www-authenticate': 'Bearer' })

/**
 * Logging in, and each user's own account. Changing a name or a password is granted by the
 * default role `everyone` on the condition `self`: on one's own user record, never on another's,
 * whatever one's role in any team.
 */
export function accountRoutes(router: Router, deps: Deps): void {
  const { authz, directory, sessions } = deps
  const { assignments } = deps.stores
  /** The user record the path names: the caller's own for `/me`. */
  const userRecord = (ctx: GuardContext): { readonly id: string } => ({
    id: ctx.params.user ?? currentUser(ctx).id,
  })
  const self: PermissionGuardOptions = { resource: userRecord }

  router.post('/login', async (ctx) => {
    const body = bodyOf(ctx)
    const user = directory.userByEmail(textField(body, 'email') ?? '')
    const password = body['password']
    // One answer for an unknown email and a wrong password: the login tells no one who has an account.
    if (
      user === undefined ||
      typeof password !== 'string' ||
      !(await verifyPassword(password, user.passwordHash))
    )
      throw new ProblemError(
        401,
        'invalid-credentials',
        'Invalid credentials',
        'The email or the password is wrong.',
      )
    ctx.body = { user: publicUser(user), token: sessions.issue(user.id) }
  })

  router.get('/me', async (ctx) => {
    const user = userOf(ctx)
    if (user === undefined) throw unauthenticated()
    const scoped = (await assignments.get(user.id))?.scoped ?? {}
    const teams = Object.fromEntries(
      Object.entries(scoped).flatMap(([scope, roles]) =>
        scope.startsWith(teamScope('')) && roles[0] !== undefined
          ? [[scope.slice(teamScope('').length), roles[0]]]
          : [],
      ),
    )
    ctx.body = { ...publicUser(user), teams }
  })

  for (const path of ['/me/profile', '/users/:user/profile']) {
    router.put(path, authz.requirePermission('users.profile:write', self), (ctx) => {
      const { id } = userRecord(ctx)
      const user = directory.updateUser(id, { name: requiredText(ctx, 'name') })
      ctx.body = user === undefined ? null : publicUser(user)
    })
  }

  for (const path of ['/me/password', '/users/:user/password']) {
    router.put(path, authz.requirePermission('users.password:write', self), async (ctx) => {
      const { id } = userRecord(ctx)
      const password = bodyOf(ctx)['password']
      if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH)
        throw new ProblemError(
          422,
          'invalid-field',
          'Invalid field',
          `A "password" of at least ${MIN_PASSWORD_LENGTH} characters is required.`,
          { field: 'password' },
        )
      directory.updateUser(id, { passwordHash: await hashPassword(password) })
      // Every other session ends with the old password; the caller gets a fresh one.
      sessions.revokeAll(id)
      ctx.body = { token: sessions.issue(id) }
    })
  }
}
