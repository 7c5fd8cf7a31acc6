import type { ClaimRule, ValueMap } from '../rules.js'
import { SAML_ATTRIBUTES } from './saml.js'
import { presetRule } from './preset-rule.js'

/** Options of {@link eduPerson}. */
export interface EduPersonPresetOptions {
  /** eduPersonEntitlement URIs (`urn:mace:…`, `https://…`) to rolegate roles. */
  readonly entitlements?: ValueMap
  /** eduPersonAffiliation values (`faculty`, `staff`, `student`, …) to rolegate roles. */
  readonly affiliations?: ValueMap
  /** eduPersonScopedAffiliation values (`staff@example.edu`) to rolegate roles. */
  readonly scopedAffiliations?: ValueMap
}

/**
 * Rules for research and education federations (eduGAIN, InCommon): eduPerson attributes by their
 * SAML 2.0 OID names.
 *
 * @example
 * ```ts
 * eduPerson({ entitlements: { 'urn:mace:example.edu:billing:admin': 'admin' } })
 * ```
 */
export function eduPerson({
  entitlements,
  affiliations,
  scopedAffiliations,
}: EduPersonPresetOptions): ClaimRule[] {
  return [
    ...presetRule('edu-person.entitlement', SAML_ATTRIBUTES.eduPersonEntitlement, entitlements),
    ...presetRule('edu-person.affiliation', SAML_ATTRIBUTES.eduPersonAffiliation, affiliations),
    ...presetRule(
      'edu-person.scoped-affiliation',
      SAML_ATTRIBUTES.eduPersonScopedAffiliation,
      scopedAffiliations,
    ),
  ]
}
