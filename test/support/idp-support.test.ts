import {
  Strategy as SamlStrategy,
  ValidateInResponseTo,
  type Profile,
  type VerifiedCallback,
} from '@node-saml/passport-saml'
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express'
import session from 'express-session'
import * as client from 'openid-client'
import { Strategy as OidcStrategy, type VerifyFunction } from 'openid-client/passport'
import passport from 'passport'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { listenOnLoopback, type LoopbackListener } from './loopback-listener.js'
import { loginWithOidc } from './oidc-login.js'
import { startOidcProvider, type OidcProvider } from './oidc-provider.js'
import {
  buildSamlResponse,
  generateSigningKey,
  tamperSamlAttribute,
  testIdpKey,
  type SamlResponseOptions,
} from './saml-idp.js'

const CLIENT_ID = 'rolegate-app'
const CLIENT_SECRET = 'rolegate-app-secret'
const GROUPS_URI = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups'
const SP_ENTITY_ID = 'https://app.rolegate.test/saml'
const IDP_ENTITY_ID = 'https://idp.rolegate.test'

/** A Passport instance of its own per app, with `authenticate` typed as Express middleware. */
type Auth = passport.Authenticator<RequestHandler, RequestHandler>

/** An Express 5 app with sessions, one Passport instance, `/me` and failures as 401 JSON. */
function sessionApp(auth: Auth, routes: (app: Express) => void): Express {
  const app = express()
  app.use(session({ secret: 'rolegate-test', resave: false, saveUninitialized: false }))
  app.use(auth.initialize())
  app.use(auth.session())
  auth.serializeUser((user, done) => done(null, user))
  auth.deserializeUser((user: Express.User, done) => done(null, user))
  routes(app)
  app.get('/me', (req, res) => {
    if (req.user === undefined) res.status(401).json({ error: 'not logged in' })
    else res.json(req.user)
  })
  const onError: ErrorRequestHandler = (err: Error, _req, res, next) => {
    if (res.headersSent) next(err)
    else res.status(401).json({ error: err.message })
  }
  app.use(onError)
  return app
}

// ID token claims that change with every login; the tests compare everything else exactly.
const VOLATILE_CLAIMS = new Set(['iat', 'exp', 'auth_time'])

function oidcVerify(config: client.Configuration): VerifyFunction {
  return (tokens, done) => {
    const claims = Object.entries(tokens.claims() ?? {}).filter(([k]) => !VOLATILE_CLAIMS.has(k))
    const sub = tokens.claims()?.sub ?? client.skipSubjectCheck
    client.fetchUserInfo(config, tokens.access_token, sub).then(
      (userinfo) => {
        done(null, { idToken: Object.fromEntries(claims), userinfo })
      },
      (err: unknown) => {
        done(err)
      },
    )
  }
}

async function oidcStrategy(op: OidcProvider, name: string, callbackURL: string) {
  const config = await client.discovery(
    new URL(op.issuer),
    CLIENT_ID,
    undefined,
    client.ClientSecretBasic(CLIENT_SECRET),
    // openid-client refuses plain http unless told; the provider is on loopback.
    { execute: [client.allowInsecureRequests] },
  )
  return new OidcStrategy({ config, name, callbackURL, scope: 'openid email' }, oidcVerify(config))
}

describe('OIDC: oidc-provider on loopback, openid-client/passport in an Express app', () => {
  let app: LoopbackListener
  let op: OidcProvider
  let otherOp: OidcProvider

  beforeAll(async () => {
    app = await listenOnLoopback()
    const clients = (path: string) => [
      { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [app.url + path] },
    ]
    op = await startOidcProvider({
      accounts: {
        alice: { groups: ['billing-admins'], email: 'alice@example.test', email_verified: true },
        bob: {
          realm_access: { roles: ['support'] },
          resource_access: { [CLIENT_ID]: { roles: ['viewer'] } },
          tid: 'tenant-1',
          'cognito:groups': ['ops'],
          'https://example.com/roles': ['auditor'],
          hd: 'example.test',
        },
      },
      clients: clients('/login/callback'),
      scopes: { email: ['email', 'email_verified'] },
    })
    otherOp = await startOidcProvider({
      accounts: { alice: { groups: ['billing-admins'] } },
      clients: clients('/other/callback'),
    })
    const auth = new passport.Passport() as Auth
    auth.use(await oidcStrategy(op, 'oidc', `${app.url}/login/callback`))
    auth.use(await oidcStrategy(otherOp, 'other', `${app.url}/other/callback`))
    app.serve(
      sessionApp(auth, (routes) => {
        routes.get('/login', auth.authenticate('oidc'))
        routes.get('/login/callback', auth.authenticate('oidc', { successRedirect: '/me' }))
        routes.get('/other/login', auth.authenticate('other'))
        routes.get('/other/callback', auth.authenticate('other', { successRedirect: '/me' }))
      }),
    )
  })

  afterAll(async () => {
    await Promise.all([app.close(), op.close(), otherOp.close()])
  })

  test('logs alice in; her ID token and userinfo carry her groups', async () => {
    const { agent, callback } = await loginWithOidc({ appUrl: app.url, accountId: 'alice' })
    expect([callback.status, callback.headers['location']]).toEqual([302, '/me'])
    const me = await agent.get('/me')
    expect(me.status).toBe(200)
    expect(me.body).toEqual({
      idToken: {
        iss: op.issuer,
        aud: CLIENT_ID,
        sub: 'alice',
        groups: ['billing-admins'],
        email: 'alice@example.test',
        email_verified: true,
      },
      userinfo: {
        sub: 'alice',
        groups: ['billing-admins'],
        email: 'alice@example.test',
        email_verified: true,
      },
    })
  })

  test('gives a second account its own claims, nested and URI-named ones included', async () => {
    const { agent } = await loginWithOidc({ appUrl: app.url, accountId: 'bob' })
    const me = await agent.get('/me')
    expect(me.body).toEqual({
      idToken: {
        iss: op.issuer,
        aud: CLIENT_ID,
        sub: 'bob',
        realm_access: { roles: ['support'] },
        resource_access: { [CLIENT_ID]: { roles: ['viewer'] } },
        tid: 'tenant-1',
        'cognito:groups': ['ops'],
        'https://example.com/roles': ['auditor'],
        hd: 'example.test',
      },
      userinfo: {
        sub: 'bob',
        realm_access: { roles: ['support'] },
        resource_access: { [CLIENT_ID]: { roles: ['viewer'] } },
        tid: 'tenant-1',
        'cognito:groups': ['ops'],
        'https://example.com/roles': ['auditor'],
        hd: 'example.test',
      },
    })
  })

  test('a second provider is a second issuer with the same account id', async () => {
    const login = { appUrl: app.url, accountId: 'alice', loginPath: '/other/login' }
    const { agent } = await loginWithOidc(login)
    const me = await agent.get('/me')
    expect(otherOp.issuer).not.toBe(op.issuer)
    expect(me.body).toEqual({
      idToken: { iss: otherOp.issuer, aud: CLIENT_ID, sub: 'alice', groups: ['billing-admins'] },
      userinfo: { sub: 'alice', groups: ['billing-admins'] },
    })
  })

  test('the provider refuses an authorization request without PKCE', async () => {
    const params = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${app.url}/login/callback`,
    })
    const res = await request(op.issuer).get(`/auth?${params.toString()}`)
    const location = new URL(String(res.headers['location']))
    expect([res.status, location.pathname, Object.fromEntries(location.searchParams)]).toEqual([
      303,
      '/login/callback',
      {
        error: 'invalid_request',
        error_description: 'Authorization Server policy requires PKCE to be used for this request',
        iss: op.issuer,
      },
    ])
  })

  test('without a login the app has no user', async () => {
    const me = await request(app.url).get('/me')
    expect([me.status, me.body]).toEqual([401, { error: 'not logged in' }])
  })
})

describe('SAML: signed responses through @node-saml/passport-saml in an Express app', () => {
  let app: LoopbackListener
  let acsUrl: string

  const samlVerify = (profile: Profile | null, done: VerifiedCallback) => {
    if (profile === null) done(null, undefined)
    else
      done(null, {
        issuer: profile.issuer,
        nameID: profile.nameID,
        attributes: profile['attributes'],
      })
  }

  beforeAll(async () => {
    app = await listenOnLoopback()
    acsUrl = `${app.url}/login/callback`
    const auth = new passport.Passport() as Auth
    const options = {
      name: 'saml',
      callbackUrl: acsUrl,
      issuer: SP_ENTITY_ID,
      audience: SP_ENTITY_ID,
      idpCert: (await testIdpKey()).cert,
      idpIssuer: IDP_ENTITY_ID,
      wantAssertionsSigned: true,
      // node-saml 5 defaults this to true; an IdP that signs only the assertion needs false.
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.never,
    }
    const strategy = new SamlStrategy(options, samlVerify, samlVerify)
    // passport-saml 5 depends on @types/express 4, so its Strategy's `authenticate(req)` does not
    // type-check against Express 5's Request (node-saml/passport-saml#963); at run time it is fine.
    auth.use(strategy as unknown as passport.Strategy)
    app.serve(
      sessionApp(auth, (routes) => {
        routes.post(
          '/login/callback',
          express.urlencoded({ extended: false }),
          auth.authenticate('saml', { successRedirect: '/me' }),
        )
      }),
    )
  })

  afterAll(async () => {
    await app.close()
  })

  const response = (overrides: Partial<SamlResponseOptions> = {}) =>
    buildSamlResponse({
      issuer: IDP_ENTITY_ID,
      audience: SP_ENTITY_ID,
      acsUrl,
      nameId: 'alice@example.test',
      attributes: { [GROUPS_URI]: ['billing-admins', 'auditors'], email: 'alice@example.test' },
      sign: 'assertion',
      ...overrides,
    })

  async function post(SAMLResponse: string) {
    const agent = request.agent(app.url)
    const callback = await agent.post('/login/callback').type('form').send({ SAMLResponse })
    const me = await agent.get('/me')
    return { callback: [callback.status, callback.body as unknown], me: [me.status, me.body] }
  }

  const alice = {
    issuer: IDP_ENTITY_ID,
    nameID: 'alice@example.test',
    // node-saml gives one value as a string and several as an array.
    attributes: { [GROUPS_URI]: ['billing-admins', 'auditors'], email: 'alice@example.test' },
  }

  test.each(['assertion', 'both'] as const)(
    'logs in with a response signed on %s',
    async (sign) => {
      const { me } = await post(await response({ sign }))
      expect(me).toEqual([200, alice])
    },
  )

  test.each([
    ['response', 'Invalid signature'],
    ['none', 'Invalid signature'],
  ] as const)('rejects an assertion not signed (sign: %s)', async (sign, error) => {
    expect(await post(await response({ sign }))).toEqual({
      callback: [401, { error }],
      me: [401, { error: 'not logged in' }],
    })
  })

  test('rejects a response whose attribute was changed after signing', async () => {
    const tampered = tamperSamlAttribute(await response(), GROUPS_URI, ['super-admins'])
    expect(await post(tampered)).toEqual({
      callback: [401, { error: 'Invalid signature' }],
      me: [401, { error: 'not logged in' }],
    })
  })

  test('rejects a response signed by another key', async () => {
    const key = await generateSigningKey('attacker')
    expect(await post(await response({ key }))).toEqual({
      callback: [401, { error: 'Invalid signature' }],
      me: [401, { error: 'not logged in' }],
    })
  })

  test('rejects an expired assertion', async () => {
    const now = Date.now()
    const expired = { notBefore: new Date(now - 600_000), notOnOrAfter: new Date(now - 60_000) }
    expect(await post(await response(expired))).toEqual({
      callback: [401, { error: 'SAML assertion expired: clocks skewed too much' }],
      me: [401, { error: 'not logged in' }],
    })
  })

  test('does not check the Issuer of a response (idpIssuer is for logout only)', async () => {
    const { me } = await post(await response({ issuer: 'https://other-idp.test' }))
    expect(me).toEqual([200, { ...alice, issuer: 'https://other-idp.test' }])
  })
})
