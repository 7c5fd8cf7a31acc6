/**
 * A verify function for `openid-client/passport`'s `Strategy` (openid-client v6): maps the ID
 * token's claims through a claim mapper and gives Passport a rolegate subject as `req.user`.
 *
 * @module
 */
import type { TokenEndpointResponse, TokenEndpointResponseHelpers } from 'openid-client'

import { claimsSubject, type ClaimsSubject, type Provision } from './claims-subject.js'
import type { ClaimMapper } from './create-claim-mapper.js'

/** What `openid-client/passport` passes a verify function. */
export type OidcTokens = TokenEndpointResponse & TokenEndpointResponseHelpers

/** Passport's `verified` callback, as the OIDC helper calls it. */
export type OidcVerified = (
  err: unknown,
  user?: ClaimsSubject | false,
  info?: { readonly message: string },
) => void

/** A verify function for `new Strategy({ config, … }, verify)`. */
export type OidcVerifyFunction = (tokens: OidcTokens, verified: OidcVerified) => void

/** Options of {@link oidcVerify}. */
export interface OidcVerifyOptions {
  readonly mapper: ClaimMapper
  /** The mapper connection whose issuer this Strategy's configuration was discovered from. */
  readonly connection: string
  /**
   * Adds to the subject after a successful mapping (stored roles, provisioning rules).
   * @defaultValue none
   */
  readonly provision?: Provision
}

/**
 * Makes the verify function for `openid-client/passport`'s `Strategy`.
 *
 * openid-client has already checked the ID token's signature, `aud`, `exp` and `nonce`, and that
 * `iss` is the issuer of the configuration. This helper checks that `iss` is the issuer the
 * connection trusts (for a multi-tenant Entra ID issuer: that `tid` is in `tenants`), then maps
 * the claims. A refused mapping, or a token response without an ID token, fails the login: Passport
 * answers 401, or goes to `failureRedirect`. The user is a {@link ClaimsSubject} with id
 * `<connection>:<sub>`.
 *
 * @example
 * ```ts
 * import { Strategy } from 'openid-client/passport'
 * import { oidcVerify } from '@rolegate/claims/passport-oidc'
 *
 * passport.use(new Strategy({ config, callbackURL, scope: 'openid email' }, oidcVerify({ mapper, connection: 'entra' })))
 * ```
 */
export function oidcVerify({
  mapper,
  connection,
  provision,
}: OidcVerifyOptions): OidcVerifyFunction {
  const conn = mapper.connection(connection)
  if (conn.protocol !== 'oidc') {
    throw new TypeError(`@rolegate/claims: connection "${connection}" is not an OIDC connection`)
  }
  return function rolegateOidcVerify(tokens, verified) {
    verifyTokens(tokens).then(
      (user) => {
        if (typeof user === 'string') verified(null, false, { message: user })
        else verified(null, user)
      },
      (err: unknown) => {
        verified(err)
      },
    )
  }

  async function verifyTokens(tokens: OidcTokens): Promise<ClaimsSubject | string> {
    const claims = tokens.claims()
    if (claims === undefined) return 'rolegate: the token response has no ID token'
    const mapping = await mapper.map({ connection, kind: 'id_token', claims })
    if (mapping.rejection !== undefined) return `rolegate: ${mapping.rejection.code}`
    const subject = claimsSubject(mapping, {
      sub: claims.sub,
      issuer: claims.iss,
      type: conn.subjectType,
      email: claims['email'],
      emailVerified: claims['email_verified'],
      tenant: claims['tid'],
    })
    return provision === undefined ? subject : provision(subject, { claims, mapping })
  }
}
