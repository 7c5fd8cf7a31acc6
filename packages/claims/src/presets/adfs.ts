import type { ClaimRule, ValueMap } from '../rules.js'
import { SAML_ATTRIBUTES } from './saml.js'
import { presetRule, presetRules } from './preset-rule.js'

/** Options of {@link adfs}. */
export interface AdfsPresetOptions {
  /** Values of the role claim (`…/identity/claims/role`, often AD group names) to rolegate roles. */
  readonly roles?: ValueMap
  /** Values of the group claim (`http://schemas.xmlsoap.org/claims/Group`) to rolegate roles. */
  readonly groups?: ValueMap
}

const ADFS = { name: 'adfs', known: ['roles', 'groups'], maps: ['roles', 'groups'] }

/**
 * Rules for AD FS SAML assertions: the role and Group claim types that the "Send LDAP Attributes
 * as Claims" and "Send Group Membership as a Claim" rules emit. `Domain Users` is refused.
 *
 * @throws `ClaimMappingError` for an unknown option, a map given as `undefined`, or options that
 *   make no rule.
 * @example
 * ```ts
 * adfs({ roles: { 'Billing Admins': 'admin' } })
 * ```
 */
export function adfs(options: AdfsPresetOptions): ClaimRule[] {
  return presetRules(ADFS, options, ({ roles, groups }) => [
    ...presetRule('adfs.roles', SAML_ATTRIBUTES.role, roles),
    ...presetRule('adfs.groups', SAML_ATTRIBUTES.group, groups),
  ])
}
