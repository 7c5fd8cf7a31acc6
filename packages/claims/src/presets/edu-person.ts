import type { ClaimRule, ValueMap } from '../rules.js'
import { SAML_ATTRIBUTES } from './saml.js'
import { presetRule, presetRules } from './preset-rule.js'

/** Options of {@link eduPerson}. */
export interface EduPersonPresetOptions {
  /** eduPersonEntitlement URIs (`urn:mace:…`, `https://…`) to rolegate roles. */
  readonly entitlements?: ValueMap
  /** eduPersonAffiliation values (`faculty`, `staff`, `student`, …) to rolegate roles. */
  readonly affiliations?: ValueMap
  /** eduPersonScopedAffiliation values (`staff@example.edu`) to rolegate roles. */
  readonly scopedAffiliations?: ValueMap
}

const EDU_PERSON_MAPS = ['entitlements', 'affiliations', 'scopedAffiliations']
const EDU_PERSON = { name: 'eduPerson', known: EDU_PERSON_MAPS, maps: EDU_PERSON_MAPS }

/**
 * Rules for research and education federations (eduGAIN, InCommon): eduPerson attributes by their
 * SAML 2.0 OID names.
 *
 * @throws `ClaimMappingError` for an unknown option, a map given as `undefined`, or options that
 *   make no rule.
 * @example
 * ```ts
 * eduPerson({ entitlements: { 'urn:mace:example.edu:billing:admin': 'admin' } })
 * ```
 */
export function eduPerson(options: EduPersonPresetOptions): ClaimRule[] {
  return presetRules(EDU_PERSON, options, ({ entitlements, affiliations, scopedAffiliations }) => [
    ...presetRule('edu-person.entitlement', SAML_ATTRIBUTES.eduPersonEntitlement, entitlements),
    ...presetRule('edu-person.affiliation', SAML_ATTRIBUTES.eduPersonAffiliation, affiliations),
    ...presetRule(
      'edu-person.scoped-affiliation',
      SAML_ATTRIBUTES.eduPersonScopedAffiliation,
      scopedAffiliations,
    ),
  ])
}
