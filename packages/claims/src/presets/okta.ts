import type { ClaimRule, ValueMap } from '../rules.js'
import { presetRule, presetRules } from './preset-rule.js'

/** Options of {@link okta}. */
export interface OktaPresetOptions {
  /** Okta group names to rolegate roles. `Everyone` is refused: every user is in it. */
  readonly groups: ValueMap
  /** The claim the authorization server's groups claim is named. @defaultValue `'groups'` */
  readonly claim?: string
}

const OKTA = { name: 'okta', known: ['groups', 'claim'], maps: ['groups'] }

/**
 * Rules for Okta tokens with a groups claim (set up on the authorization server or app).
 *
 * @throws `ClaimMappingError` for an unknown option, a map given as `undefined`, or options that
 *   make no rule.
 * @example
 * ```ts
 * okta({ groups: { 'Billing Admins': 'admin', 'Billing Readers': 'read' } })
 * ```
 */
export function okta(options: OktaPresetOptions): ClaimRule[] {
  return presetRules(OKTA, options, ({ groups, claim = 'groups' }) =>
    presetRule('okta.groups', claim, groups),
  )
}
