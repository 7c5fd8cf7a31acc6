/**
 * The `rolegate` command line as a library: validate and lint a policy, compute its effective
 * rights matrix and render it as Markdown, HTML or CSV, and diff two policies. Every decision is
 * asked of `@rolegate/core`, so the answers are the ones an Express or Koa guard gives.
 *
 * @module
 */
export { EXIT, UsageError, type CliIo } from './cli-io.js'
export {
  diffPolicies,
  type DiffOptions,
  type PermissionChange,
  type PolicyChange,
  type PolicyDiff,
  type RoleChange,
} from './diff/diff-policies.js'
export {
  checkPolicyFile,
  lintPolicy,
  type CheckPolicyOptions,
  type CheckProblem,
} from './lint/check-policy.js'
export { LINT_RULES, type Finding, type LintRule } from './lint/lint-rules.js'
export type { LintContext } from './lint/lint-context.js'
export { renderCsv } from './matrix/render-csv.js'
export { renderHtml } from './matrix/render-html.js'
export { renderMarkdown } from './matrix/render-markdown.js'
export {
  rightsMatrix,
  type MatrixColumn,
  type MatrixRow,
  type RightsMatrix,
  type RightsMatrixOptions,
} from './matrix/rights-matrix.js'
export type { Cell, CellLevel } from './cell.js'
export { run, processIo } from './run.js'
