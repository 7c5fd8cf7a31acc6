import { applyRule, scopeRefusedWarning } from './apply-rule.js'
import type { ClaimRead } from './claim-path.js'
import type { ClaimRejection, ClaimTrace, ClaimWarning } from './mapping.js'
import type { CompiledRule } from './rules.js'

/** The values of one claim that no rule reading it mapped. */
export interface UnmappedValues {
  /** The claim, as traces and warnings name it. */
  readonly claim: string
  readonly values: readonly string[]
}

/** What a connection's rules made of one set of claims. */
export interface RulesOutcome {
  readonly trace: readonly ClaimTrace[]
  /** The rules' warnings, in rule order. */
  readonly warnings: readonly ClaimWarning[]
  /** Per claim that has any, in the order of the first rule reading it. */
  readonly unmapped: readonly UnmappedValues[]
}

/**
 * Applies every rule to the value `read` gives it, and judges unmapped values per claim: a value
 * is unmapped only when no rule reading the same claim maps it. Two rules on `groups`, one for
 * `billing-admins` and one for `billing-readers`, leave neither unmapped; a rule on another claim
 * never vouches for a value. A scope rule warns only of refused values no other rule mapped.
 */
export function applyRules(
  rules: readonly CompiledRule[],
  read: (rule: CompiledRule) => ClaimRead,
): RulesOutcome {
  const outcomes = rules.map((rule) => ({ rule, outcome: applyRule(rule, read(rule)) }))
  // Keyed by the segments, so ['groups'] and 'groups' are one claim and ['a.b'] is not ['a', 'b'].
  const pathOf = (rule: CompiledRule): string => JSON.stringify(rule.segments)
  const matched = new Map<string, Set<string>>()
  for (const { rule, outcome } of outcomes) {
    const set = matched.get(pathOf(rule)) ?? new Set<string>()
    for (const value of outcome.matched) set.add(value)
    matched.set(pathOf(rule), set)
  }
  const trace: ClaimTrace[] = []
  const warnings: ClaimWarning[] = []
  const unmapped = new Map<string, { claim: string; values: Set<string> }>()
  for (const { rule, outcome } of outcomes) {
    const mapped = matched.get(pathOf(rule)) ?? new Set<string>()
    const left = (values: readonly string[]) => values.filter((value) => !mapped.has(value))
    trace.push(...outcome.trace)
    warnings.push(...outcome.warnings)
    const refused = left(outcome.refused)
    if (refused.length > 0) warnings.push(scopeRefusedWarning(rule, refused))
    const values = left(outcome.unmapped)
    if (values.length === 0) continue
    const entry = unmapped.get(pathOf(rule)) ?? { claim: rule.label, values: new Set<string>() }
    for (const value of values) entry.values.add(value)
    unmapped.set(pathOf(rule), entry)
  }
  return {
    trace,
    warnings,
    unmapped: [...unmapped.values()].map(({ claim, values }) => ({ claim, values: [...values] })),
  }
}

/**
 * The rejection `onUnmapped: 'reject'` makes of an outcome: for values no rule maps, and for any
 * warning of the rules (a claim they could not fully read). `undefined` when there is neither.
 */
export function unmappedRejection(outcome: RulesOutcome): ClaimRejection | undefined {
  const reasons = outcome.unmapped.map(
    ({ claim, values }) => `claim "${claim}" has ${values.length} value(s) that no rule maps`,
  )
  if (outcome.warnings.length > 0)
    reasons.push(`the rules left ${outcome.warnings.length} warning(s)`)
  return reasons.length === 0 ? undefined : { code: 'unmapped-value', message: reasons.join('; ') }
}
