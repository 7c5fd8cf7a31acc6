import { findPolicyProblems, loadPolicy, PolicyError, type PolicyInput } from '@rolegate/core'
import { conditionUses } from '../policy-file.js'
import { lintContext } from './lint-context.js'
import { LINT_RULES } from './lint-rules.js'

/** One problem `rolegate check` reports. */
export interface CheckProblem {
  readonly file: string
  /** Where in the policy, as core writes paths: `policy.roles.finance.grants["a.b"]`. */
  readonly path: string
  readonly message: string
  readonly severity: 'error' | 'warning'
  /**
   * `invalid` for core's validation, `unknown-condition` and `undeclared-condition` for condition
   * names, else the lint rule's name.
   */
  readonly rule: string
}

/** Options of {@link checkPolicyFile} and {@link lintPolicy}. */
export interface CheckPolicyOptions {
  /**
   * The condition names the application supplies. When given, a `when` naming another one is an
   * error (core's own validation with these names); when absent, each condition used is a warning.
   */
  readonly conditions?: ReadonlySet<string> | undefined
}

/**
 * Validates a policy file with core, then lints it. A policy core refuses is not linted: the lint
 * rules ask core about roles, which needs a policy core accepts.
 */
export function checkPolicyFile(file: string, options: CheckPolicyOptions = {}): CheckProblem[] {
  let policy: PolicyInput
  try {
    policy = loadPolicy(file)
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error
    return error.problems.map((problem) => ({
      file: problem.file ?? file,
      path: problem.path,
      message: problem.message,
      severity: 'error',
      rule: 'invalid',
    }))
  }
  return lintPolicy(policy, options).map((problem) => ({ file, ...problem }))
}

/** Lints a policy core accepts: condition names first, then every rule of {@link LINT_RULES}. */
export function lintPolicy(
  policy: PolicyInput,
  { conditions }: CheckPolicyOptions = {},
): Omit<CheckProblem, 'file'>[] {
  const problems: Omit<CheckProblem, 'file'>[] = []
  if (conditions === undefined) {
    const seen = new Set<string>()
    for (const { name, path } of conditionUses(policy)) {
      if (seen.has(name)) continue
      seen.add(name)
      problems.push({
        path,
        message: `condition "${name}" is not declared: pass --conditions ${name} if the application supplies it`,
        severity: 'warning',
        rule: 'undeclared-condition',
      })
    }
  } else {
    for (const { path, message } of findPolicyProblems(policy, { conditions })) {
      problems.push({ path, message, severity: 'error', rule: 'unknown-condition' })
    }
  }
  const ctx = lintContext(policy)
  for (const rule of LINT_RULES) {
    for (const finding of rule.check(ctx)) {
      problems.push({ ...finding, severity: rule.severity, rule: rule.name })
    }
  }
  return problems
}
