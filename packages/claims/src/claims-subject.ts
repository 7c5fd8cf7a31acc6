import type { Subject } from '@rolegate/core'

import type { ClaimMapping, ClaimTrace, ClaimWarning } from './mapping.js'

/** What a claims subject's `attributes` hold: where the user came from, for conditions and audit. */
export type ClaimsSubjectAttributes = {
  /** The connection's name. */
  readonly connection: string
  /** The issuer that was checked: the ID token's `iss`, or the SAML assertion's `Issuer`. */
  readonly issuer: string
  /** The provider's own id for the user: the `sub` claim, or the SAML `NameID`. */
  readonly sub: string
  /** The email, when the provider gave one as a single string. */
  readonly email?: string
  /** `email_verified`, when the provider gave a boolean. */
  readonly emailVerified?: boolean
  /** The tenant (`tid`), when the provider gave one. */
  readonly tenant?: string
}

/**
 * The `req.user` the Passport helpers produce: a rolegate {@link Subject} that
 * `@rolegate/express` and `@rolegate/koa` read as it is, plus how its roles were mapped.
 *
 * Its `id` is `<connection>:<sub>`, so the same `sub` from two providers never names one subject.
 * It is plain JSON, so it survives Passport's session serialisation.
 */
export interface ClaimsSubject extends Subject {
  readonly id: string
  readonly roles: readonly string[]
  readonly scoped: Readonly<Record<string, readonly string[]>>
  readonly attributes: ClaimsSubjectAttributes
  /** The mapping's trace and warnings: which rule gave each role, what was left out. */
  readonly mapping: {
    readonly trace: readonly ClaimTrace[]
    readonly warnings: readonly ClaimWarning[]
  }
}

/** What {@link claimsSubject} needs besides the mapping. */
export interface ClaimsSubjectDetails {
  readonly sub: string
  readonly issuer: string
  readonly type?: string | undefined
  readonly email?: unknown
  readonly emailVerified?: unknown
  readonly tenant?: unknown
}

/**
 * Builds a {@link ClaimsSubject} from a successful mapping. Email, `email_verified` and tenant
 * are kept only when they have the right type.
 *
 * @example
 * ```ts
 * const mapping = await mapper.map({ connection: 'okta', kind: 'id_token', claims })
 * if (mapping.rejection === undefined) req.user = claimsSubject(mapping, { sub: claims.sub, issuer: claims.iss })
 * ```
 */
export function claimsSubject(mapping: ClaimMapping, details: ClaimsSubjectDetails): ClaimsSubject {
  const { sub, issuer, type, email, emailVerified, tenant } = details
  return {
    id: `${mapping.connection}:${sub}`,
    ...(type === undefined ? {} : { type }),
    roles: mapping.roles,
    scoped: mapping.scoped,
    attributes: {
      connection: mapping.connection,
      issuer,
      sub,
      ...(typeof email === 'string' ? { email } : {}),
      ...(typeof emailVerified === 'boolean' ? { emailVerified } : {}),
      ...(typeof tenant === 'string' ? { tenant } : {}),
    },
    mapping: { trace: mapping.trace, warnings: mapping.warnings },
  }
}

/**
 * Lets an app add to a subject after mapping: roles from its own assignment store, the
 * first-user-of-a-domain rule, a team creator's role. It may not remove the rejection of a refused
 * mapping: it is only called for mappings that succeeded.
 */
export type Provision = (
  subject: ClaimsSubject,
  context: {
    readonly claims: Readonly<Record<string, unknown>>
    readonly mapping: ClaimMapping
  },
) => ClaimsSubject | Promise<ClaimsSubject>
