import type { ClaimPath } from '../claim-path.js'
import type { ClaimRule, ValueMap } from '../rules.js'

/** A rule for a preset, or nothing when the preset's caller gave no map for it. */
export function presetRule(id: string, claim: ClaimPath, map: ValueMap | undefined): ClaimRule[] {
  return map === undefined ? [] : [{ id, claim, map }]
}
