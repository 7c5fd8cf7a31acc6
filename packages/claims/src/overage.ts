import { isObject } from './claim-path.js'
import type { ClaimKind } from './connections.js'
import { SAML_ATTRIBUTES } from './presets/saml.js'

/** Stands for "every claim" when the overage signal itself is malformed. */
export const ALL_CLAIMS = '*'

/**
 * The claims a provider says it left out of these claims because there were too many:
 *
 * - OIDC distributed claims: every key of `_claim_names` (Entra ID puts `groups` there, with a
 *   Graph URL in `_claim_sources`);
 * - Entra ID's implicit-flow marker `hasgroups: true` (any value but `false`): `groups`;
 * - SAML: the `http://schemas.microsoft.com/claims/groups.link` attribute: the groups attribute.
 *
 * Such a claim may be absent, or present and incomplete: either way it is missing data. A
 * `_claim_names` that is not an object gives {@link ALL_CLAIMS}: every rule is affected.
 */
export function overageClaims(kind: ClaimKind, claims: object): readonly string[] {
  const own = (name: string): unknown =>
    Object.hasOwn(claims, name) ? (claims as Record<string, unknown>)[name] : undefined
  if (kind === 'saml_assertion') {
    return own(SAML_ATTRIBUTES.groupsLink) === undefined ? [] : [SAML_ATTRIBUTES.groups]
  }
  const names = new Set<string>()
  const distributed = own('_claim_names')
  if (isObject(distributed)) for (const name of Object.keys(distributed)) names.add(name)
  else if (distributed !== undefined) names.add(ALL_CLAIMS)
  // Anything but an explicit "no" is read as the marker: 'True' or 1 must not slip through.
  const hasGroups = own('hasgroups')
  if (hasGroups !== undefined && hasGroups !== false && hasGroups !== 'false') names.add('groups')
  return [...names]
}
