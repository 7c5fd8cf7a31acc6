import type Router from '@koa/router'
import { inTeam, type Deps } from '../deps.js'
import { bodyOf } from '../request-body.js'
import { requiredText } from './projects.js'

/** Coverages and Directory: every role acts fully on both, Read-Only included. */
export function coverageAndDirectoryRoutes(router: Router, { authz, records }: Deps): void {
  const team = (ctx: { params: Record<string, string> }): string => ctx.params.team ?? ''

  router.get('/teams/:team/coverages', authz.requirePermission('coverages:read', inTeam), (ctx) => {
    ctx.body = records.list(`${team(ctx)}/coverages`)
  })
  router.post(
    '/teams/:team/coverages',
    authz.requirePermission('coverages:write', inTeam),
    (ctx) => {
      const limit = bodyOf(ctx)['limit']
      ctx.status = 201
      ctx.body = records.add(`${team(ctx)}/coverages`, {
        name: requiredText(ctx, 'name'),
        limit: typeof limit === 'number' ? limit : null,
      })
    },
  )

  router.get('/teams/:team/directory', authz.requirePermission('directory:read', inTeam), (ctx) => {
    ctx.body = records.list(`${team(ctx)}/directory`)
  })
  router.post(
    '/teams/:team/directory',
    authz.requirePermission('directory:write', inTeam),
    (ctx) => {
      const email = bodyOf(ctx)['email']
      ctx.status = 201
      ctx.body = records.add(`${team(ctx)}/directory`, {
        name: requiredText(ctx, 'name'),
        email: typeof email === 'string' ? email : null,
      })
    },
  )
}
