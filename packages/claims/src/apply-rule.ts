import { claimValues } from './claim-values.js'
import { sortStrings, type ClaimTrace, type ClaimWarning } from './mapping.js'
import type { CompiledRule } from './rules.js'

/** What one rule made of one claim value. */
export interface RuleOutcome {
  readonly trace: readonly ClaimTrace[]
  readonly warnings: readonly ClaimWarning[]
  /** Values that matched nothing (values every user has are not counted). */
  readonly unmapped: readonly string[]
}

const SHOWN = 40

/** Quotes a value for a message, cut short: a warning must stay small whatever the claim holds. */
function shown(value: string): string {
  return JSON.stringify(value.length > SHOWN ? `${value.slice(0, SHOWN)}…` : value)
}

/** Applies a compiled rule to the raw value read at its claim path. */
export function applyRule(rule: CompiledRule, raw: unknown): RuleOutcome {
  const warn = (code: ClaimWarning['code'], message: string): ClaimWarning => ({
    code,
    rule: rule.id,
    claim: rule.label,
    message,
  })
  const read = claimValues(raw, { split: rule.split, maxValues: rule.maxValues })
  if (read.unsupported) {
    const shape = raw === null ? 'null' : typeof raw
    return empty([warn('unsupported-shape', `claim is ${shape}, not a string or an array`)])
  }
  if (read.tooMany) {
    const message = `claim has ${read.count} values, more than ${rule.maxValues}: the rule gives nothing`
    return empty([warn('too-many-values', message)])
  }
  const warnings: ClaimWarning[] = []
  if (read.ignored > 0)
    warnings.push(warn('non-string-values', `${read.ignored} value(s) not strings were ignored`))
  const trace: ClaimTrace[] = []
  const unmapped: string[] = []
  const refused: string[] = []
  for (const value of read.values) {
    const folded = rule.fold(value)
    if (rule.map !== undefined) {
      const grants = rule.map.get(folded)
      if (grants !== undefined) {
        for (const grant of grants) trace.push(traceOf(grant.role, grant.scope, rule, value))
      } else if (!rule.isUniversal(folded)) unmapped.push(value)
    } else if (rule.scopes !== undefined) {
      const { prefix, roles, pattern } = rule.scopes
      if (pattern.test(folded)) {
        for (const role of roles) trace.push(traceOf(role, prefix + folded, rule, value))
      } else if (!rule.isUniversal(folded)) {
        unmapped.push(value)
        refused.push(value)
      }
    }
  }
  if (refused.length > 0) {
    // The smallest by code point, so the message does not depend on the order of the values.
    const first = shown(sortStrings(refused)[0] as string)
    const more = refused.length > 1 ? ` and ${refused.length - 1} more` : ''
    warnings.push(warn('scope-value-refused', `${first}${more}: not valid scope id(s)`))
  }
  return { trace, warnings, unmapped }
}

function traceOf(
  role: string,
  scope: string | undefined,
  rule: CompiledRule,
  value: string,
): ClaimTrace {
  return scope === undefined
    ? { role, rule: rule.id, claim: rule.label, value }
    : { role, scope, rule: rule.id, claim: rule.label, value }
}

function empty(warnings: readonly ClaimWarning[]): RuleOutcome {
  return { trace: [], warnings, unmapped: [] }
}
