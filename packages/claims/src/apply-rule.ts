import type { ClaimRead } from './claim-path.js'
import { claimValues } from './claim-values.js'
import { sortStrings, type ClaimTrace, type ClaimWarning } from './mapping.js'
import type { CompiledRule } from './rules.js'

/** What one rule made of one claim value. */
export interface RuleOutcome {
  readonly trace: readonly ClaimTrace[]
  /** What the rule could not read: the claim's shape, its non-string items, its size. */
  readonly warnings: readonly ClaimWarning[]
  /** Values the rule mapped, as sent. */
  readonly matched: readonly string[]
  /** Values that matched nothing (values every user has are not counted), as sent. */
  readonly unmapped: readonly string[]
  /** The unmapped values of a scope rule that are not valid scope ids: worth a warning. */
  readonly refused: readonly string[]
}

const SHOWN = 40

/** Quotes a value for a message, cut short: a warning must stay small whatever the claim holds. */
function shown(value: string): string {
  return JSON.stringify(value.length > SHOWN ? `${value.slice(0, SHOWN)}…` : value)
}

/** Applies a compiled rule to what was read at its claim path. */
export function applyRule(rule: CompiledRule, found: ClaimRead): RuleOutcome {
  if ('wrongShape' in found) {
    const { claim, shape, next } = found.wrongShape
    const message = `claim "${claim}" is ${shape}, not an object holding "${next}"`
    return empty([ruleWarning(rule, 'unsupported-shape', message)])
  }
  const raw = found.value
  const read = claimValues(raw, { split: rule.split, maxValues: rule.maxValues })
  if (read.unsupported) {
    const shape = raw === null ? 'null' : typeof raw
    return empty([
      ruleWarning(rule, 'unsupported-shape', `claim is ${shape}, not a string or an array`),
    ])
  }
  if (read.tooMany) {
    const message = `claim has ${read.count} values, more than ${rule.maxValues}: the rule gives nothing`
    return empty([ruleWarning(rule, 'too-many-values', message)])
  }
  const warnings: ClaimWarning[] = []
  if (read.ignored > 0) {
    const message = `${read.ignored} value(s) not strings were ignored`
    warnings.push(ruleWarning(rule, 'non-string-values', message))
  }
  const trace: ClaimTrace[] = []
  const matched: string[] = []
  const unmapped: string[] = []
  const refused: string[] = []
  for (const value of read.values) {
    const folded = rule.fold(value)
    if (rule.map !== undefined) {
      const grants = rule.map.get(folded)
      if (grants !== undefined) {
        for (const grant of grants) trace.push(traceOf(grant.role, grant.scope, rule, value))
        matched.push(value)
      } else if (!rule.isUniversal(folded)) unmapped.push(value)
    } else if (rule.scopes !== undefined) {
      const { prefix, roles, pattern } = rule.scopes
      const universal = rule.isUniversal(folded)
      // A value every user has would put every user in one scope: it is no signal, as in a map.
      if (universal && !rule.allowUniversalValues) continue
      // Folding is for comparing only: the scope is the value as sent, and the pattern guards it.
      if (pattern.test(value)) {
        for (const role of roles) trace.push(traceOf(role, prefix + value, rule, value))
        matched.push(value)
      } else if (!universal) {
        unmapped.push(value)
        refused.push(value)
      }
    }
  }
  return { trace, warnings, matched, unmapped, refused }
}

/** The warning for a scope rule's values that are not valid scope ids. */
export function scopeRefusedWarning(rule: CompiledRule, refused: readonly string[]): ClaimWarning {
  // The smallest by code point, so the message does not depend on the order of the values.
  const first = shown(sortStrings(refused)[0] as string)
  const more = refused.length > 1 ? ` and ${refused.length - 1} more` : ''
  return ruleWarning(rule, 'scope-value-refused', `${first}${more}: not valid scope id(s)`)
}

function ruleWarning(
  rule: CompiledRule,
  code: ClaimWarning['code'],
  message: string,
): ClaimWarning {
  return { code, rule: rule.id, claim: rule.label, message }
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
  return { trace: [], warnings, matched: [], unmapped: [], refused: [] }
}
