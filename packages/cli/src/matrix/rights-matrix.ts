import type { PolicyInput } from '@rolegate/core'
import { cellOf, type Cell } from '../cell.js'
import { policyRolegate } from '../policy-file.js'
import { resourceTree, type ResourceRow } from '../resource-tree.js'
import { subjectRights, subjectTypeFor, type SubjectRights } from '../rights.js'

/** Options of {@link rightsMatrix}. */
export interface RightsMatrixOptions {
  /**
   * Add the policy's default roles to every column, as core does for every real subject. Off by
   * default, so each column shows the role's own rights (with what it inherits).
   * @defaultValue false
   */
  readonly withDefaults?: boolean
  /** Decide in this scope, with each column's role held in it. */
  readonly scope?: string | undefined
  /** The subject type for every column; by default each role's first `subjectTypes` entry. */
  readonly type?: string | undefined
  /** The roles to show, in this order; by default every role in policy order. */
  readonly roles?: readonly string[] | undefined
}

/** A column: one role, and what core said about holding it alone. */
export interface MatrixColumn {
  readonly role: string
  readonly description: string | undefined
  /** The subject type the column was computed for. */
  readonly type: string | undefined
  /** Why the column is empty, when holding the role alone yields nothing: a conflict or a dropped role. */
  readonly note: string | undefined
}

/** A row: one resource, and one cell per column. */
export interface MatrixRow extends ResourceRow {
  readonly cells: readonly Cell[]
  /** Per column, the conditions named by conditional grants on this resource, for conditional cells. */
  readonly conditions: readonly (readonly string[])[]
}

/** The effective rights matrix of a policy: resources down, roles across. */
export interface RightsMatrix {
  readonly actions: readonly string[]
  readonly columns: readonly MatrixColumn[]
  readonly rows: readonly MatrixRow[]
  readonly withDefaults: boolean
  readonly scope: string | undefined
  /** The policy's default roles. */
  readonly defaults: readonly string[]
}

/**
 * Computes the effective rights matrix: for every resource (in tree order) and every role, what a
 * subject holding only that role may do, each action decided by core's `can`.
 *
 * @throws UnknownRoleError from core when `roles` names a role the policy does not declare.
 */
export function rightsMatrix(policy: PolicyInput, options: RightsMatrixOptions = {}): RightsMatrix {
  const { withDefaults = false, scope, type } = options
  const rg = policyRolegate(policy, { withDefaults })
  const roles = options.roles?.map((role) => rg.role(role)) ?? Object.keys(policy.roles)
  const actions = rg.policy.actions
  const columns: MatrixColumn[] = []
  const rights: SubjectRights[] = []
  for (const role of roles) {
    const subjectType = subjectTypeFor(policy, role, type)
    const held = scope === undefined ? { roles: [role] } : { scoped: { [scope]: [role] } }
    const column = subjectRights(rg, { id: 'matrix', type: subjectType, ...held }, scope)
    rights.push(column)
    columns.push({
      role,
      description: policy.roles[role]?.description,
      type: subjectType,
      note: columnNote(column, role, subjectType) ?? typeNote(subjectType, type),
    })
  }
  const rows = resourceTree(policy.resources).map((row): MatrixRow => {
    const cells = rights.map((column) =>
      cellOf((action) => column.right(row.path, action), actions),
    )
    const conditions = rights.map((column, i) =>
      cells[i]?.conditional === true ? column.conditionsAt(row.path) : [],
    )
    return { ...row, cells, conditions }
  })
  return { actions, columns, rows, withDefaults, scope, defaults: policy.defaults ?? [] }
}

function columnNote(
  column: SubjectRights,
  role: string,
  type: string | undefined,
): string | undefined {
  const { conflict, dropped } = column.roles
  if (conflict !== undefined) {
    const [a, b] = conflict.roles
    const why =
      conflict.kind === 'exclusive'
        ? `"${a}" is exclusive and comes with "${b}"`
        : `"${a}" conflicts with "${b}"`
    return `holding "${role}" denies everything (exclusive-conflict: ${why})`
  }
  if (dropped.some((d) => d.role === role)) {
    return `"${role}" cannot be given to ${type === undefined ? 'a subject without a type' : `subject type "${type}"`}`
  }
  return undefined
}

function typeNote(subjectType: string | undefined, asked: string | undefined): string | undefined {
  if (subjectType === undefined || asked !== undefined) return undefined
  return `computed for subject type "${subjectType}", the first the role may be given to`
}

/** The notes under a rendered matrix: one per conditional cell, then one per noted column. */
export function matrixNotes(matrix: RightsMatrix): string[] {
  const notes: string[] = []
  for (const row of matrix.rows) {
    row.cells.forEach((cell, i) => {
      if (!cell.conditional) return
      const role = matrix.columns[i]?.role ?? ''
      const names = row.conditions[i] ?? []
      const when = `when ${names.map((c) => `"${c}"`).join(' and ')} ${names.length === 1 ? 'holds' : 'hold'}`
      const what =
        cell.plain === '-'
          ? `${cell.withConditions} only ${when}`
          : `${cell.plain}, and ${cell.withConditions} ${when}`
      notes.push(`${row.path} × ${role}: ${what}`)
    })
  }
  for (const column of matrix.columns) {
    if (column.note !== undefined) notes.push(`${column.role}: ${column.note}`)
  }
  return notes
}

/** One sentence saying what the cells are: own rights or with defaults, and the scope. */
export function matrixCaption(matrix: RightsMatrix): string {
  const defaults = matrix.defaults.join(', ')
  const what =
    matrix.defaults.length === 0
      ? "Rights of a subject holding only the column's role (with what it inherits)"
      : matrix.withDefaults
        ? `Rights of a subject holding the column's role and the default roles (${defaults})`
        : `Rights of a subject holding only the column's role (with what it inherits; default roles not added: ${defaults})`
  return matrix.scope === undefined ? `${what}.` : `${what}, in scope "${matrix.scope}".`
}

const LEGEND: readonly (readonly [string, string])[] = [
  ['rw', 'read and write'],
  ['r', 'read only'],
  ['-', 'no access'],
  ['+action', 'a declared action is allowed too'],
  ['*', 'allowed only when a condition holds (see the notes)'],
]

/** The legend of the cell notation: every symbol the matrix can show, as `[symbol, meaning]`. */
export function matrixLegend(matrix: RightsMatrix): (readonly [string, string])[] {
  const conditional = matrix.rows.some((row) => row.cells.some((cell) => cell.conditional))
  return LEGEND.filter(
    ([symbol]) =>
      (symbol !== '+action' || matrix.actions.length > 2) && (symbol !== '*' || conditional),
  )
}
