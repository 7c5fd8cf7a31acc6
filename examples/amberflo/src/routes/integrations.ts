import type Router from '@koa/router'
import { currentMember } from '../authenticate.js'
import { inOwnAccount, type Deps } from '../deps.js'
import { ProblemError } from '../problem.js'
import { bodyOf } from '../request-body.js'

const INTEGRATIONS = ['netsuite', 'salesforce', 'snowflake', 'stripe'] as const

/** Third-party integrations: configured by Administrators only. */
export function integrationRoutes(router: Router, { authz }: Deps): void {
  const enabled = new Map<string, Set<string>>()
  const of = (account: string): Set<string> => {
    let set = enabled.get(account)
    if (set === undefined) enabled.set(account, (set = new Set()))
    return set
  }
  const view = (account: string) =>
    Object.fromEntries(INTEGRATIONS.map((name) => [name, of(account).has(name)]))

  router.get(
    '/settings/integrations',
    authz.requirePermission('settings.integrations:read', inOwnAccount),
    (ctx) => {
      ctx.body = view(currentMember(ctx).account)
    },
  )

  router.put(
    '/settings/integrations/:name',
    authz.requirePermission('settings.integrations:write', inOwnAccount),
    (ctx) => {
      const name = ctx.params.name ?? ''
      if (!(INTEGRATIONS as readonly string[]).includes(name))
        throw new ProblemError(404, 'not-found', 'Not found', `There is no integration "${name}".`)
      const on = bodyOf(ctx)['enabled']
      if (typeof on !== 'boolean')
        throw new ProblemError(
          422,
          'invalid-field',
          'Invalid field',
          '"enabled" must be true or false.',
          {
            field: 'enabled',
          },
        )
      const { account } = currentMember(ctx)
      if (on) of(account).add(name)
      else of(account).delete(name)
      ctx.body = view(account)
    },
  )
}
