import type { ClaimRule, ValueMap } from '../rules.js'
import { presetRule } from './preset-rule.js'

/** Options of {@link cognito}. */
export interface CognitoPresetOptions {
  /** User pool group names (`cognito:groups`) to rolegate roles. */
  readonly groups: ValueMap
}

/**
 * Rules for AWS Cognito user pool tokens: `cognito:groups`.
 *
 * @example
 * ```ts
 * cognito({ groups: { 'billing-admins': 'admin' } })
 * ```
 */
export function cognito({ groups }: CognitoPresetOptions): ClaimRule[] {
  return presetRule('cognito.groups', 'cognito:groups', groups)
}
