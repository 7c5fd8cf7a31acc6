import {
  createRolegate,
  type Condition,
  type PolicyInput,
  type Rolegate,
  pathStep,
} from '@rolegate/core'
import { UsageError } from './cli-io.js'

/** Where a grant names a condition. */
export interface ConditionUse {
  /** The condition's name, as written in `when`. */
  readonly name: string
  /** The path of the `when` key, e.g. `policy.roles.self_service.grants.profile.when`. */
  readonly path: string
}

/** Every grant that names a condition, in policy order. */
export function conditionUses(policy: PolicyInput): ConditionUse[] {
  const uses: ConditionUse[] = []
  for (const [role, { grants }] of Object.entries(policy.roles)) {
    for (const [resource, grant] of Object.entries(grants ?? {})) {
      if (typeof grant === 'object' && !Array.isArray(grant)) {
        const path = `policy.roles${pathStep(role)}.grants${pathStep(resource)}.when`
        uses.push({ name: (grant as { when: string }).when, path })
      }
    }
  }
  return uses
}

/**
 * The value of a `--type` flag, checked against the subject types the policy's roles name. A type
 * no role names drops every typed role, as leaving `--type` out does, so such a type (a misspelt
 * `stafff`, say) is refused rather than answered as if the policy had decided it.
 */
export function declaredSubjectType(
  policy: PolicyInput,
  value: string | undefined,
  command: string,
): string | undefined {
  if (value === undefined) return undefined
  const named = new Set(Object.values(policy.roles).flatMap((role) => role.subjectTypes ?? []))
  if (named.has(value)) return value
  const which =
    named.size === 0 ? 'no role names a subject type' : `they name ${[...named].sort().join(', ')}`
  throw new UsageError(
    `--type: the policy's roles name no subject type "${value}" (${which}); leave --type out to ask for a subject of a type no role names`,
    command,
  )
}

/** How {@link policyRolegate} treats default roles and conditions. */
export interface PolicyRolegateOptions {
  /**
   * Keep the policy's default roles. Without them a context holds only the roles it is given,
   * which is how the matrix shows a role's own rights.
   * @defaultValue true
   */
  readonly withDefaults?: boolean
  /**
   * Whether a named condition holds. Core only calls conditions when a check passes a resource
   * instance, so without one every conditional grant is left out, whatever this says.
   * @defaultValue every condition holds
   */
  readonly holds?: (condition: string) => boolean
}

/**
 * A rolegate for a policy whose conditions the CLI cannot know: each condition named in the policy
 * gets a stand-in function answering `holds(name)`. Every decision is then core's own.
 */
export function policyRolegate(
  policy: PolicyInput,
  { withDefaults = true, holds = () => true }: PolicyRolegateOptions = {},
): Rolegate {
  const conditions: Record<string, Condition> = {}
  for (const { name } of conditionUses(policy)) {
    const answer = holds(name)
    conditions[name] = () => answer
  }
  const source = withDefaults ? policy : { ...policy, defaults: [] }
  return createRolegate({ policy: source, conditions })
}
