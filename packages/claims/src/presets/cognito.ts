import type { ClaimRule, ValueMap } from '../rules.js'
import { presetRule, presetRules } from './preset-rule.js'

/** Options of {@link cognito}. */
export interface CognitoPresetOptions {
  /** User pool group names (`cognito:groups`) to rolegate roles. */
  readonly groups: ValueMap
}

const COGNITO = { name: 'cognito', known: ['groups'], maps: ['groups'] }

/**
 * Rules for AWS Cognito user pool tokens: `cognito:groups`.
 *
 * @throws `ClaimMappingError` for an unknown option, a map given as `undefined`, or options that
 *   make no rule.
 * @example
 * ```ts
 * cognito({ groups: { 'billing-admins': 'admin' } })
 * ```
 */
export function cognito(options: CognitoPresetOptions): ClaimRule[] {
  return presetRules(COGNITO, options, ({ groups }) =>
    presetRule('cognito.groups', 'cognito:groups', groups),
  )
}
