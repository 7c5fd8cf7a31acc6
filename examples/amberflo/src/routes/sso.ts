import type Router from '@koa/router'
import { claimsSubject, createClaimMapper } from '@rolegate/claims'
import * as client from 'openid-client'
import { currentMember } from '../authenticate.js'
import { inOwnAccount, type Deps } from '../deps.js'
import { parseEmail } from '../directory.js'
import { admitMember, viewOf } from '../members.js'
import { oneTimeTokens } from '../one-time-tokens.js'
import { ROLES } from '../policy.js'
import { ProblemError } from '../problem.js'
import { bodyOf } from '../request-body.js'
import type { SsoOptions } from '../sso.js'

const STATE_COOKIE = 'amberflo_sso'
const LOGIN_MS = 10 * 60 * 1000

const ssoOff = (): ProblemError =>
  new ProblemError(404, 'sso-off', 'SSO is off', 'Single sign-on is not enabled for this account.')

/**
 * SSO login (authorization code with PKCE) and the Administrator's SSO switch. The provider's
 * claims go through a claim mapper whose connection has no rules and one default role: every SSO
 * user signs up as an Analyst, whatever groups or roles the provider asserts. An Administrator may
 * change that role afterwards; later SSO logins keep it.
 */
export function ssoRoutes(router: Router, deps: Deps, sso: SsoOptions | undefined): void {
  const { authz, directory, sessions } = deps
  const { assignments, rolegate } = deps.stores
  const settings = { enabled: sso !== undefined }
  const issuer = sso?.config.serverMetadata().issuer
  const mapper =
    issuer === undefined
      ? undefined
      : createClaimMapper({
          rolegate, // checks at start-up that 'analyst' is a role of the policy
          connections: { sso: { protocol: 'oidc', issuer, rules: [], defaultRoles: ['analyst'] } },
        })
  const logins = oneTimeTokens<{ verifier: string }>({ ttlMs: LOGIN_MS })
  const ownSso = (account: string): boolean => sso !== undefined && sso.account === account

  router.get('/sso/login', async (ctx) => {
    if (sso === undefined || !settings.enabled) throw ssoOff()
    const verifier = client.randomPKCECodeVerifier()
    const state = logins.issue({ verifier })
    ctx.cookies.set(STATE_COOKIE, state, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/sso',
      maxAge: LOGIN_MS,
    })
    ctx.redirect(
      client
        .buildAuthorizationUrl(sso.config, {
          redirect_uri: sso.redirectUri,
          scope: 'openid email profile',
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
        })
        .toString(),
    )
  })

  router.get('/sso/callback', async (ctx) => {
    if (sso === undefined || mapper === undefined || !settings.enabled) throw ssoOff()
    const state = ctx.cookies.get(STATE_COOKIE) ?? ''
    ctx.cookies.set(STATE_COOKIE, null, { path: '/sso' })
    const login = logins.take(state)
    if (login === undefined)
      throw new ProblemError(400, 'sso-state', 'Login expired', 'Start again at /sso/login.')
    const refused = (detail: string): ProblemError =>
      new ProblemError(401, 'sso-refused', 'SSO login refused', detail)
    const tokens = await client
      .authorizationCodeGrant(sso.config, new URL(ctx.originalUrl, sso.redirectUri), {
        pkceCodeVerifier: login.verifier,
        expectedState: state,
      })
      .catch(() => {
        throw refused("The provider's answer did not verify.")
      })
    const claims = tokens.claims()
    if (claims === undefined) throw refused('The provider sent no ID token.')
    const mapping = await mapper.map({ connection: 'sso', kind: 'id_token', claims })
    if (mapping.rejection !== undefined) throw refused(mapping.rejection.message)
    const subject = claimsSubject(mapping, {
      sub: claims.sub,
      issuer: claims.iss,
      email: claims['email'],
    })
    const known = directory.get(subject.id)
    // A returning SSO user keeps the role an Administrator gave them; a new one gets the mapping's.
    const member =
      known !== undefined
        ? await viewOf(assignments, known)
        : await admitMember(
            { directory, assignments },
            {
              id: subject.id,
              email: parseEmail(subject.attributes.email)?.email ?? `${claims.sub}@${sso.account}`,
              name: typeof claims['name'] === 'string' ? claims['name'] : claims.sub,
              account: sso.account,
            },
            ROLES.find((role) => mapping.roles.includes(role)) ?? null,
          )
    ctx.body = { member, token: sessions.issue(member.id), mapping: mapping.trace }
  })

  router.get('/settings/sso', authz.requirePermission('settings.sso:read', inOwnAccount), (ctx) => {
    ctx.body = ownSso(currentMember(ctx).account)
      ? { configured: true, enabled: settings.enabled, issuer }
      : { configured: false, enabled: false }
  })

  router.put(
    '/settings/sso',
    authz.requirePermission('settings.sso:write', inOwnAccount),
    (ctx) => {
      const enabled = bodyOf(ctx)['enabled']
      if (typeof enabled !== 'boolean')
        throw new ProblemError(
          422,
          'invalid-field',
          'Invalid field',
          '"enabled" must be true or false.',
          {
            field: 'enabled',
          },
        )
      if (!ownSso(currentMember(ctx).account))
        throw new ProblemError(
          404,
          'sso-not-configured',
          'SSO not configured',
          'No identity provider is configured for this account.',
        )
      settings.enabled = enabled
      ctx.body = { configured: true, enabled, issuer }
    },
  )
}
