import { isObject, type ClaimPath } from '../claim-path.js'
import { ClaimMappingError, refuseUnknownKeys } from '../errors.js'
import type { ClaimRule, ValueMap } from '../rules.js'

/** What a preset takes, for checking its options. */
export interface PresetSpec {
  /** The preset's function name, as its errors say it: `keycloak`. */
  readonly name: string
  /** Every option it knows, in the order its options type lists them. */
  readonly known: readonly string[]
  /** The options that map claim values to roles: each makes a rule. */
  readonly maps: readonly string[]
}

/**
 * Checks a preset's options, then builds its rules with `build`. A preset is called before the
 * mapper checks anything, and whatever it leaves out is never seen again: so an unknown key (a
 * misspelt `realmroles` would give no rule and map nothing), a map given as `undefined`, and
 * options that make no rule at all are refused here.
 *
 * @throws {@link ClaimMappingError} naming the preset and the option.
 */
export function presetRules<O>(
  spec: PresetSpec,
  options: O,
  build: (options: O) => ClaimRule[],
): ClaimRule[] {
  if (!isObject(options)) throw new ClaimMappingError(`${spec.name}: the options must be an object`)
  refuseUnknownKeys(options, new Set(spec.known), `the options of ${spec.name}()`, {})
  for (const key of spec.maps) {
    if (Object.hasOwn(options, key) && (options as Record<string, unknown>)[key] === undefined)
      throw new ClaimMappingError(
        `${spec.name}: "${key}" is undefined: give it a map or leave it out`,
      )
  }
  const rules = build(options)
  if (rules.length === 0) {
    const maps = spec.maps.map((key) => `"${key}"`)
    const some = maps.length === 1 ? maps[0] : `one of ${maps.join(', ')}`
    throw new ClaimMappingError(`${spec.name}: the options make no rule: give ${some}`)
  }
  return rules
}

/** A rule for a preset, or nothing when the preset's caller gave no map for it. */
export function presetRule(id: string, claim: ClaimPath, map: ValueMap | undefined): ClaimRule[] {
  return map === undefined ? [] : [{ id, claim, map }]
}
