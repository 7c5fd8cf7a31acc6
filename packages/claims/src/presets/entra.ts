import type { ClaimRule, ValueMap } from '../rules.js'
import { SAML_ATTRIBUTES } from './saml.js'
import { presetRule, presetRules } from './preset-rule.js'

/** Options of {@link entraId} and {@link entraIdSaml}. Each map is an exact-value allowlist. */
export interface EntraPresetOptions {
  /**
   * Group object ids (GUIDs, as Entra sends them: lower case) to rolegate roles. Group display
   * names are not unique in a tenant; map ids.
   */
  readonly groups?: ValueMap
  /** App role values (the app registration's roles, in `roles`) to rolegate roles. */
  readonly appRoles?: ValueMap
}

/**
 * The issuer of a multi-tenant Entra ID app (v2.0 tokens). Use it with `tenants`, the tenants
 * allowed: the mapper fills `{tenantid}` in from the `tid` claim.
 */
export const ENTRA_ISSUER_TEMPLATE = 'https://login.microsoftonline.com/{tenantid}/v2.0'

const ENTRA = { known: ['groups', 'appRoles'], maps: ['groups', 'appRoles'] }

/**
 * Rules for Microsoft Entra ID OIDC tokens: `groups` and `roles`. When a user is in too many
 * groups, Entra leaves `groups` out and points to Graph (`_claim_names`, `hasgroups`): the mapper
 * then refuses, or asks the connection's `resolveOverage`.
 *
 * @throws `ClaimMappingError` for an unknown option, a map given as `undefined`, or options that
 *   make no rule.
 * @example
 * ```ts
 * entraId({ groups: { '5f0c…-…': 'finance' }, appRoles: { 'Billing.Admin': 'admin' } })
 * ```
 */
export function entraId(options: EntraPresetOptions): ClaimRule[] {
  return presetRules({ name: 'entraId', ...ENTRA }, options, ({ groups, appRoles }) => [
    ...presetRule('entra.groups', 'groups', groups),
    ...presetRule('entra.app-roles', 'roles', appRoles),
  ])
}

/**
 * Rules for Microsoft Entra ID SAML assertions: the groups and role claim URIs. An overage sends
 * `http://schemas.microsoft.com/claims/groups.link` instead of the groups.
 *
 * @throws `ClaimMappingError` for an unknown option, a map given as `undefined`, or options that
 *   make no rule.
 * @example
 * ```ts
 * entraIdSaml({ groups: { '5f0c…-…': 'finance' } })
 * ```
 */
export function entraIdSaml(options: EntraPresetOptions): ClaimRule[] {
  return presetRules({ name: 'entraIdSaml', ...ENTRA }, options, ({ groups, appRoles }) => [
    ...presetRule('entra-saml.groups', SAML_ATTRIBUTES.groups, groups),
    ...presetRule('entra-saml.app-roles', SAML_ATTRIBUTES.role, appRoles),
  ])
}
