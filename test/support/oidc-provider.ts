import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

import Provider, { type Account, type ClientMetadata, type JWK } from 'oidc-provider'

/** The claims an account's ID token and userinfo carry, besides `sub` (the account id). */
export type AccountClaims = Readonly<Record<string, unknown>>

/** Options of {@link startOidcProvider}. */
export interface OidcProviderOptions {
  /**
   * Account id to the claims its ID token and userinfo response carry: anything JSON, such as
   * `groups`, `realm_access`, `tid`, `cognito:groups` or `https://example.com/roles`.
   */
  readonly accounts: Readonly<Record<string, AccountClaims>>
  /**
   * Registered clients, as oidc-provider client metadata. Every redirect URI must be on
   * `127.0.0.1`. PKCE (S256) is required of every client.
   * @defaultValue none
   */
  readonly clients?: readonly ClientMetadata[]
  /**
   * Scopes that grant claims, e.g. `{ email: ['email', 'email_verified'] }`. A claim that no scope
   * names is granted with `openid`, so it is always in the ID token.
   * @defaultValue `{}`
   */
  readonly scopes?: Readonly<Record<string, readonly string[]>>
}

/** A running OpenID Provider on loopback, from {@link startOidcProvider}. */
export interface OidcProvider {
  /** The issuer identifier, `http://127.0.0.1:<port>`: also the discovery base URL. */
  readonly issuer: string
  readonly port: number
  /** The oidc-provider instance, for tests that need its events or models. */
  readonly provider: Provider
  /** Stops listening and drops open connections. */
  close(): Promise<void>
}

// The provider sets these itself; an account that tried to would not get what it asked for.
const RESERVED_CLAIMS = new Set([
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'nonce',
  'azp',
  'at_hash',
  'c_hash',
  's_hash',
  'auth_time',
  'acr',
  'amr',
  'sid',
])

/**
 * Starts a real `oidc-provider` (plain HTTP on a free `127.0.0.1` port) whose accounts carry the
 * given claims in their ID tokens and userinfo responses.
 *
 * Logging in needs no UI: the provider's development interactions take any account id in a form
 * post (see `loginWithOidc`). Start a second provider for a second issuer: each one has its own
 * port, signing key and issuer.
 *
 * @throws TypeError when an account sets a claim the provider sets itself, or a redirect URI is
 *   not on `127.0.0.1`.
 * @example
 * ```ts
 * const op = await startOidcProvider({
 *   accounts: { alice: { groups: ['billing-admins'] } },
 *   clients: [{ client_id: 'app', client_secret: 's3cret', redirect_uris: [callbackUrl] }],
 * })
 * ```
 */
export async function startOidcProvider({
  accounts,
  clients = [],
  scopes = {},
}: OidcProviderOptions): Promise<OidcProvider> {
  assertLoopbackRedirects(clients)
  const server = createServer()
  const port = await listenOnLoopback(server)
  const issuer = `http://127.0.0.1:${port}`
  const provider = new Provider(issuer, {
    clients: [...clients],
    claims: claimsConfig(accounts, scopes),
    // Scope claims go in the ID token as well as userinfo (Core 5.4 would keep them out).
    conformIdTokenClaims: false,
    findAccount: (_ctx, sub) => findAccount(accounts, sub),
    pkce: { required: () => true },
    jwks: { keys: [signingJwk()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: { devInteractions: { enabled: true } },
    // Explicit lifetimes (seconds); the defaults print a notice for each model.
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
  })
  const handle = provider.callback()
  // Koa settles each request itself (its onerror answers errors), so nothing is left to await.
  server.on('request', (req, res) => void handle(req, res))
  return { issuer, port, provider, close: () => closeServer(server) }
}

function findAccount(accounts: OidcProviderOptions['accounts'], sub: string): Account | undefined {
  const claims = Object.hasOwn(accounts, sub) ? accounts[sub] : undefined
  if (claims === undefined) return undefined
  return { accountId: sub, claims: () => ({ ...claims, sub }) }
}

/** Every claim of every account is supported; those that no scope names go with `openid`. */
function claimsConfig(
  accounts: OidcProviderOptions['accounts'],
  scopes: NonNullable<OidcProviderOptions['scopes']>,
): Record<string, string[] | null> {
  const scoped = new Set(Object.values(scopes).flat())
  const unscoped = new Set<string>()
  for (const [accountId, claims] of Object.entries(accounts)) {
    for (const name of Object.keys(claims)) {
      if (RESERVED_CLAIMS.has(name)) {
        throw new TypeError(`account ${accountId}: the provider sets claim "${name}" itself`)
      }
      if (!scoped.has(name)) unscoped.add(name)
    }
  }
  const byScope = Object.fromEntries(Object.entries(scopes).map(([s, names]) => [s, [...names]]))
  return { ...byScope, acr: null, auth_time: null, sid: null, openid: ['sub', ...unscoped] }
}

function assertLoopbackRedirects(clients: readonly ClientMetadata[]): void {
  for (const client of clients) {
    for (const uri of client.redirect_uris ?? []) {
      if (new URL(uri).hostname !== '127.0.0.1') {
        throw new TypeError(`client ${client.client_id}: redirect URI ${uri} is not on 127.0.0.1`)
      }
    }
  }
}

/** A fresh RS256 key per provider, so two providers never verify each other's tokens. */
function signingJwk(): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' }
}

function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()))
    // openid-client's fetch keeps connections alive; close() alone would wait for them.
    server.closeAllConnections()
  })
}
