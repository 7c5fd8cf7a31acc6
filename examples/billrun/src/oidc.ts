import { createClaimMapper, keycloak, type ValueMap } from '@rolegate/claims'
import { oidcVerify } from '@rolegate/claims/passport-oidc'
import type { Rolegate } from '@rolegate/core'
import type { Express, RequestHandler } from 'express'
import session from 'express-session'
import type { Configuration } from 'openid-client'
import { Strategy } from 'openid-client/passport'
import passport from 'passport'
import type { BillRunPolicy } from './policy.js'
import { sendProblem } from './send-problem.js'

/**
 * Keycloak realm roles to BillRun roles: the explicit, deterministic mapping BillRun asks for. A
 * value not listed here gives no role, and nothing gives a role by default.
 */
export const REALM_ROLES = {
  'billrun-admin': 'admin',
  'billrun-write': 'write',
  'billrun-read': 'read',
  'billrun-reports': 'reports',
} as const satisfies ValueMap

/** Logging in with an OpenID Provider (Keycloak's claim layout). */
export interface OidcOptions {
  /** The provider's configuration, from openid-client's `discovery()`. */
  readonly config: Configuration
  /** This app's `/login/callback` URL, as registered at the provider. */
  readonly callbackURL: string
  /** Signs the session cookie. */
  readonly sessionSecret: string
  /** @defaultValue {@link REALM_ROLES} */
  readonly realmRoles?: ValueMap
}

type Auth = passport.Authenticator<RequestHandler, RequestHandler>

/**
 * Mounts the session, Passport and `GET /login`, `GET /login/callback`, `POST /logout`. After
 * login, `req.user` is a rolegate subject (`keycloak:<sub>`) whose roles are the mapped claims; the
 * app's store may add local roles to it.
 */
export function mountOidcLogin(
  app: Express,
  rg: Rolegate<BillRunPolicy>,
  { config, callbackURL, sessionSecret, realmRoles = REALM_ROLES }: OidcOptions,
): void {
  const mapper = createClaimMapper({
    rolegate: rg, // every role the mapping names is checked against the policy now
    connections: {
      keycloak: {
        protocol: 'oidc',
        issuer: config.serverMetadata().issuer,
        rules: keycloak({ realmRoles }),
      },
    },
  })
  const auth = new passport.Passport() as Auth
  const verify = oidcVerify({ mapper, connection: 'keycloak' })
  auth.use(new Strategy({ config, callbackURL, name: 'oidc', scope: 'openid' }, verify))
  auth.serializeUser((user, done) => done(null, user))
  auth.deserializeUser((user: Express.User, done) => done(null, user))

  app.use(session({ secret: sessionSecret, resave: false, saveUninitialized: false }))
  app.use(auth.initialize(), auth.session())
  app.get('/login', auth.authenticate('oidc'))
  app.get('/login/callback', function callback(req, res, next) {
    const done = (error: unknown, user: Express.User | false | undefined, info: unknown): void => {
      if (error == null && user !== false && user !== undefined) {
        req.logIn(user, (failed) => (failed == null ? res.redirect('/me') : next(failed)))
        return
      }
      const message = (info as { message?: unknown } | undefined)?.message
      const detail =
        error instanceof Error ? error.message : typeof message === 'string' ? message : 'Refused.'
      sendProblem(res, {
        type: 'urn:rolegate-example:problem:login-failed',
        title: 'Login failed',
        status: 401,
        detail,
      })
    }
    ;(auth.authenticate('oidc', done) as RequestHandler)(req, res, next)
  })
  app.post('/logout', function logout(req, res, next) {
    req.logOut((error) => (error == null ? res.status(204).end() : next(error)))
  })
}
