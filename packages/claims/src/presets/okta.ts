import type { ClaimRule, ValueMap } from '../rules.js'
import { presetRule } from './preset-rule.js'

/** Options of {@link okta}. */
export interface OktaPresetOptions {
  /** Okta group names to rolegate roles. `Everyone` is refused: every user is in it. */
  readonly groups: ValueMap
  /** The claim the authorization server's groups claim is named. @defaultValue `'groups'` */
  readonly claim?: string
}

/**
 * Rules for Okta tokens with a groups claim (set up on the authorization server or app).
 *
 * @example
 * ```ts
 * okta({ groups: { 'Billing Admins': 'admin', 'Billing Readers': 'read' } })
 * ```
 */
export function okta({ groups, claim = 'groups' }: OktaPresetOptions): ClaimRule[] {
  return presetRule('okta.groups', claim, groups)
}
