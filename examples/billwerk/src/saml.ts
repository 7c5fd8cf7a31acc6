import { Strategy, ValidateInResponseTo } from '@node-saml/passport-saml'
import {
  createClaimMapper,
  samlAttribute,
  type ClaimsSubject,
  type ValueMap,
} from '@rolegate/claims'
import { samlStrategyOptions, samlVerify } from '@rolegate/claims/passport-saml'
import { checkAssignments, type Rolegate } from '@rolegate/core'
import express, { type Express, type RequestHandler } from 'express'
import session from 'express-session'
import passport from 'passport'
import { sendProblem } from './send-problem.js'

/**
 * Values of the IdP's group attribute to billwerk roles. A group not listed gives no role: a user
 * in no listed group logs in with no rights but their own personal data, like an invited user.
 */
export const GROUP_ROLES = {
  'billwerk-admins': 'admin',
  'billwerk-products': 'products',
  'billwerk-operations': 'operations',
  'billwerk-finance': 'finance',
  'billwerk-read-only-operations': 'read_only_operations',
  'billwerk-reports': 'reports',
  'billwerk-templates': 'templates',
} as const satisfies ValueMap

/** Logging in with a SAML 2.0 IdP whose assertions carry the user's groups. */
export interface SamlOptions {
  /** The IdP's entity ID: the assertion's `Issuer` must be exactly this. */
  readonly idpIssuer: string
  /** The IdP's signing certificate(s), PEM: the only ones that can validate a response. */
  readonly idpCert: string | readonly string[]
  /** This app's entity ID, the audience of the assertions. */
  readonly spEntityId: string
  /** This app's `/saml/acs` URL, as registered at the IdP. */
  readonly callbackUrl: string
  /** The IdP's sign-on URL, for `GET /login`. @defaultValue no `/login` route (IdP-initiated only) */
  readonly entryPoint?: string
  /** @defaultValue `'groups'` */
  readonly groupAttribute?: string
  /** @defaultValue {@link GROUP_ROLES} */
  readonly groups?: ValueMap
  /** Signs the session cookie. */
  readonly sessionSecret: string
}

type Auth = passport.Authenticator<RequestHandler, RequestHandler>

/**
 * Mounts the session, Passport, `POST /saml/acs` (and `GET /login` with an entry point) and
 * `POST /logout`. After login, `req.user` is a rolegate subject (`saml:<NameID>`) whose roles are
 * the mapped groups. A combination billwerk forbids (Admin or ReadOnlyOperations with another
 * role) refuses the login, as it would be refused at assignment.
 */
export function mountSamlLogin(
  app: Express,
  rg: Rolegate,
  options: SamlOptions,
  /** Called after each accepted login, e.g. to add the user to the User Accounts list. */
  onLogin: (user: ClaimsSubject) => void = () => undefined,
): void {
  const { groupAttribute = 'groups', groups = GROUP_ROLES, sessionSecret } = options
  const mapper = createClaimMapper({
    rolegate: rg, // every role the mapping names is checked against the policy now
    connections: {
      saml: {
        protocol: 'saml',
        issuer: options.idpIssuer,
        certificates: typeof options.idpCert === 'string' ? options.idpCert : [...options.idpCert],
        rules: samlAttribute({ attribute: groupAttribute, map: groups }),
      },
    },
  })
  const verify = samlVerify({
    mapper,
    connection: 'saml',
    provision(subject) {
      checkAssignments(rg.policy, subject.id, { roles: subject.roles, scoped: subject.scoped })
      onLogin(subject)
      return subject
    },
  })
  const strategy = new Strategy(
    {
      ...samlStrategyOptions({ mapper, connection: 'saml' }),
      name: 'saml',
      callbackUrl: options.callbackUrl,
      issuer: options.spEntityId,
      audience: options.spEntityId,
      ...(options.entryPoint === undefined ? {} : { entryPoint: options.entryPoint }),
      // Many IdPs sign the assertion only; samlStrategyOptions requires that signature.
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.never,
    },
    verify,
    verify,
  )
  const auth = new passport.Passport() as Auth
  // passport-saml 5's types use @types/express 4 (node-saml/passport-saml#963).
  auth.use(strategy as unknown as passport.Strategy)
  auth.serializeUser((user, done) => done(null, user))
  auth.deserializeUser((user: Express.User, done) => done(null, user))

  app.use(session({ secret: sessionSecret, resave: false, saveUninitialized: false }))
  app.use(auth.initialize(), auth.session())
  if (options.entryPoint !== undefined) app.get('/login', auth.authenticate('saml'))
  app.post(
    '/saml/acs',
    express.urlencoded({ extended: false, limit: '2mb' }),
    function acs(req, res, next) {
      const done = (
        error: unknown,
        user: Express.User | false | undefined,
        info: unknown,
      ): void => {
        if (error == null && user !== false && user !== undefined) {
          req.logIn(user, (failed) => (failed == null ? res.redirect('/me') : next(failed)))
          return
        }
        const message = (info as { message?: unknown } | undefined)?.message
        const detail =
          error instanceof Error
            ? error.message
            : typeof message === 'string'
              ? message
              : 'Refused.'
        sendProblem(res, {
          type: 'urn:rolegate-example:problem:login-failed',
          title: 'Login failed',
          status: 401,
          detail,
        })
      }
      ;(auth.authenticate('saml', done) as RequestHandler)(req, res, next)
    },
  )
  app.post('/logout', function logout(req, res, next) {
    req.logOut((error) => (error == null ? res.status(204).end() : next(error)))
  })
}
