import type { ClaimRule, ValueMap } from '../rules.js'
import { presetRule } from './preset-rule.js'

/** Options of {@link googleWorkspace}. */
export interface GoogleWorkspacePresetOptions {
  /**
   * Workspace domains (the `hd` claim, present only for Workspace accounts) to rolegate roles:
   * every user of that Workspace gets them. A consumer Gmail account has no `hd` and gets nothing.
   */
  readonly hostedDomains?: ValueMap
  /**
   * Group emails to rolegate roles, read from `groupsClaim`. Google's ID tokens carry no groups;
   * use this with claims your app added (e.g. from the Directory API).
   */
  readonly groups?: ValueMap
  /** @defaultValue `'groups'` */
  readonly groupsClaim?: string
}

/**
 * Rules for Google Workspace: the hosted domain `hd`, and optionally groups.
 *
 * @example
 * ```ts
 * googleWorkspace({ hostedDomains: { 'example.com': 'analyst' } })
 * ```
 */
export function googleWorkspace({
  hostedDomains,
  groups,
  groupsClaim = 'groups',
}: GoogleWorkspacePresetOptions): ClaimRule[] {
  return [
    ...presetRule('google.hosted-domain', 'hd', hostedDomains),
    ...presetRule('google.groups', groupsClaim, groups),
  ]
}
