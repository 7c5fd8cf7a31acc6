/**
 * A verify function for `@node-saml/passport-saml` v5's `Strategy`, and the Strategy options that
 * bind it to a connection's issuer and certificates.
 *
 * @module
 */
import type { Profile, VerifiedCallback, VerifyWithoutRequest } from '@node-saml/passport-saml'

import { isObject } from './claim-path.js'
import { claimsSubject, type ClaimsSubject, type Provision } from './claims-subject.js'
import type { ClaimMapper } from './create-claim-mapper.js'
import { SAML_ATTRIBUTES } from './presets/saml.js'
import { assertionIssuer, assertionNameId, hasDuplicateAttribute } from './saml-assertion.js'

/** Options of {@link samlVerify}. */
export interface SamlVerifyOptions {
  readonly mapper: ClaimMapper
  /** The mapper's SAML connection for this Strategy. */
  readonly connection: string
  /**
   * Attribute names tried, in order, for the user's email (a single string value only).
   * @defaultValue the `emailaddress` claim URI, `urn:oid:0.9.2342.19200300.100.1.3`, `email`
   */
  readonly emailAttributes?: readonly string[]
  /**
   * Adds to the subject after a successful mapping (stored roles, provisioning rules).
   * @defaultValue none
   */
  readonly provision?: Provision
}

const EMAIL_ATTRIBUTES = [SAML_ATTRIBUTES.emailAddress, SAML_ATTRIBUTES.mail, 'email']

/** The passport-saml options that come from the connection: trust its issuer and certificates. */
export interface SamlTrustOptions {
  /** The connection's entity ID (node-saml checks it on logout only; {@link samlVerify} on login). */
  readonly idpIssuer: string
  /** The connection's certificates: the only ones that can validate a response. */
  readonly idpCert: string | string[]
  /** Always `true`: an assertion must carry its own signature. */
  readonly wantAssertionsSigned: true
}

/**
 * The part of passport-saml's options that says whom to trust, taken from the connection, so the
 * certificate that validates a response is the connection's. Spread it into the Strategy's
 * options.
 *
 * @example
 * ```ts
 * new Strategy({ ...samlStrategyOptions({ mapper, connection: 'adfs' }), callbackUrl, issuer: spEntityId,
 *   audience: spEntityId, wantAuthnResponseSigned: false }, samlVerify({ mapper, connection: 'adfs' }), logoutVerify)
 * ```
 */
export function samlStrategyOptions({
  mapper,
  connection,
}: Pick<SamlVerifyOptions, 'mapper' | 'connection'>): SamlTrustOptions {
  const conn = samlConnection(mapper, connection)
  const certs = [...conn.certificates]
  return {
    idpIssuer: conn.issuer,
    idpCert: certs.length === 1 ? (certs[0] as string) : certs,
    wantAssertionsSigned: true,
  }
}

/**
 * Makes the sign-on verify function for passport-saml's `Strategy`.
 *
 * node-saml has checked the signature, the audience and the time conditions, but not the
 * assertion's `Issuer`. This helper takes that Issuer from the signed assertion itself (never from
 * an attribute, even one named `issuer`), checks it against the connection, and maps only
 * `profile.attributes`. The id is the text of the signed assertion's own `NameID` element, which
 * must not be empty; an `EncryptedID` is refused, as node-saml does not decrypt it on login. A
 * refused mapping fails the login (401 or `failureRedirect`). The user is a {@link ClaimsSubject}
 * with id `<connection>:<NameID>`: use a persistent NameID format.
 *
 * @example
 * ```ts
 * const strategy = new Strategy({ ...samlStrategyOptions({ mapper, connection: 'entra-saml' }), ...spOptions },
 *   samlVerify({ mapper, connection: 'entra-saml' }), logoutVerify)
 * // passport-saml 5's types use @types/express 4 (node-saml/passport-saml#963): hence the cast.
 * passport.use(strategy as unknown as passport.Strategy)
 * ```
 */
export function samlVerify({
  mapper,
  connection,
  emailAttributes = EMAIL_ATTRIBUTES,
  provision,
}: SamlVerifyOptions): VerifyWithoutRequest {
  const conn = samlConnection(mapper, connection)
  return function rolegateSamlVerify(profile: Profile | null, done: VerifiedCallback) {
    verifyProfile(profile).then(
      (user) => {
        // passport-saml types a user as Record<string, unknown>; a subject is a plain object.
        if (typeof user === 'string') done(null, undefined, { message: user })
        else done(null, user as unknown as Record<string, unknown>)
      },
      (err: unknown) => {
        done(err instanceof Error ? err : new Error(String(err)))
      },
    )
  }

  async function verifyProfile(profile: Profile | null): Promise<ClaimsSubject | string> {
    if (profile === null) return 'rolegate: no SAML profile'
    const id = assertionNameId(profile)
    if ('problem' in id) return `rolegate: ${id.problem}`
    const { nameId } = id
    const issuer = assertionIssuer(profile)
    if (issuer === undefined) return 'rolegate: issuer-missing'
    if (hasDuplicateAttribute(profile)) return 'rolegate: duplicate-attribute'
    const attributes = ownAttributes(profile)
    const mapping = await mapper.map({
      connection,
      kind: 'saml_assertion',
      claims: attributes,
      issuer,
    })
    if (mapping.rejection !== undefined) return `rolegate: ${mapping.rejection.code}`
    const email = emailAttributes
      .map((name) => (Object.hasOwn(attributes, name) ? attributes[name] : undefined))
      .find((value) => typeof value === 'string')
    const subject = claimsSubject(mapping, {
      sub: nameId,
      issuer,
      type: conn.subjectType,
      email,
      tenant: Object.hasOwn(attributes, SAML_ATTRIBUTES.tenantId)
        ? attributes[SAML_ATTRIBUTES.tenantId]
        : undefined,
    })
    return provision === undefined ? subject : provision(subject, { claims: attributes, mapping })
  }
}

function samlConnection(mapper: ClaimMapper, connection: string) {
  const conn = mapper.connection(connection)
  if (conn.protocol !== 'saml') {
    throw new TypeError(`@rolegate/claims: connection "${connection}" is not a SAML connection`)
  }
  return conn
}

function ownAttributes(profile: Profile): Readonly<Record<string, unknown>> {
  const attributes = Object.hasOwn(profile, 'attributes') ? profile['attributes'] : undefined
  return isObject(attributes) ? (attributes as Record<string, unknown>) : {}
}
