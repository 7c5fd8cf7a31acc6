import { ClaimMappingError } from '../errors.js'
import type { ClaimRule, ValueMap } from '../rules.js'
import { presetRule, presetRules } from './preset-rule.js'

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

const GOOGLE = {
  name: 'googleWorkspace',
  known: ['hostedDomains', 'groups', 'groupsClaim'],
  maps: ['hostedDomains', 'groups'],
}

/**
 * Rules for Google Workspace: the hosted domain `hd`, and optionally groups.
 *
 * @throws {@link ClaimMappingError} for an unknown option, a map given as `undefined`, a
 *   `groupsClaim` without `groups`, or options that make no rule.
 * @example
 * ```ts
 * googleWorkspace({ hostedDomains: { 'example.com': 'analyst' } })
 * ```
 */
export function googleWorkspace(options: GoogleWorkspacePresetOptions): ClaimRule[] {
  return presetRules(GOOGLE, options, ({ hostedDomains, groups, groupsClaim }) => {
    // groupsClaim only says where groups are: without groups it would be dropped in silence.
    if (groupsClaim !== undefined && groups === undefined)
      throw new ClaimMappingError('googleWorkspace: "groupsClaim" is given without "groups"')
    return [
      ...presetRule('google.hosted-domain', 'hd', hostedDomains),
      ...presetRule('google.groups', groupsClaim ?? 'groups', groups),
    ]
  })
}
