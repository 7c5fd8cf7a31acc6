import type { ClaimRule, ValueMap } from '../rules.js'
import { presetRule, presetRules } from './preset-rule.js'

/** Common SAML attribute names for roles, groups, email and tenant. */
export const SAML_ATTRIBUTES = {
  /** Role claim type of Entra ID app roles and AD FS. */
  role: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
  /** Group object ids from Entra ID (and AD FS group SIDs). */
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
  /** Sent by Entra ID instead of `groups` when a user has too many (overage). */
  groupsLink: 'http://schemas.microsoft.com/claims/groups.link',
  /** AD FS "Group" claim type. */
  group: 'http://schemas.xmlsoap.org/claims/Group',
  /** Active Directory `memberOf` (distinguished names). */
  memberOf: 'urn:oid:1.2.840.113556.1.2.102',
  eduPersonEntitlement: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.7',
  eduPersonAffiliation: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.1',
  eduPersonScopedAffiliation: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.9',
  /** Entra ID's tenant id. */
  tenantId: 'http://schemas.microsoft.com/identity/claims/tenantid',
  emailAddress: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  mail: 'urn:oid:0.9.2342.19200300.100.1.3',
} as const

/** Options of {@link samlAttribute}. */
export interface SamlAttributePresetOptions {
  /** The attribute's `Name` as the IdP sends it, e.g. `'Role'` or {@link SAML_ATTRIBUTES}`.role`. */
  readonly attribute: string
  /** Attribute values to rolegate roles. */
  readonly map: ValueMap
}

const SAML_ATTRIBUTE = { name: 'samlAttribute', known: ['attribute', 'map'], maps: ['map'] }

/**
 * A rule for any SAML IdP that sends roles or groups in one attribute.
 *
 * @throws `ClaimMappingError` for an unknown option, a map given as `undefined`, or options that
 *   make no rule.
 * @example
 * ```ts
 * samlAttribute({ attribute: SAML_ATTRIBUTES.memberOf, map: { 'CN=Billing Admins,OU=Groups,DC=example,DC=com': 'admin' } })
 * ```
 */
export function samlAttribute(options: SamlAttributePresetOptions): ClaimRule[] {
  return presetRules(SAML_ATTRIBUTE, options, ({ attribute, map }) =>
    presetRule(`saml.${attribute}`, [attribute], map),
  )
}
