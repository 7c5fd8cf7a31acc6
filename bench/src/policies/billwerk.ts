import type { Level, NeutralPolicy, NeutralRole, User } from './neutral.js'

/**
 * billwerk's role matrix (shared/seeds/004): seven roles, "rw" / "r" / "-" per area. Rows whose
 * label was lost in the copy are named `unlabeled_*` and kept where they stood. The page's
 * "all other areas" row of the accounting section becomes the parent `accounting`, so its
 * specific rows (audit log, reconciliation, …) override it: most specific wins, both ways
 * (Operations may read accounting but not its audit log; Finance may not read accounting but
 * may write reconciliation).
 */
const ROLES = [
  'admin',
  'products',
  'operations',
  'finance',
  'read_only_operations',
  'reports',
  'templates',
] as const

const MATRIX: readonly (readonly [area: string, levels: string])[] = [
  ['settings.company', 'rw r r r r r r'],
  ['settings.sales_entities', 'rw r r r r r r'],
  ['settings.user_accounts', 'rw - - - - - -'],
  ['settings.payment_settings', 'rw - - - - - -'],
  ['settings.payment_escalation', 'rw - - - - - -'],
  ['settings.unlabeled_6', 'rw r r rw r r r'],
  ['settings.billing', 'rw r r r r r r'],
  ['settings.general_document_settings', 'rw r r r r r r'],
  ['settings.sequences', 'rw r r r r r r'],
  ['settings.unlabeled_10', 'rw r r r r r rw'],
  ['settings.accounts', 'rw r r rw r r r'],
  ['settings.debitor_ids', 'rw r r rw r r r'],
  ['settings.export_settings', 'rw r r rw r r r'],
  ['settings.custom_fields', 'rw r r r r r r'],
  ['settings.webhooks', 'rw - - - - - -'],
  ['settings.self_service', 'rw r r r r r rw'],
  ['kpi_charts', 'r - - - - r -'],
  ['log_lists', 'r - r - r - -'],
  ['products', 'rw rw r r r r -'],
  ['customers', 'rw - rw r r r -'],
  ['unlabeled_payments', 'rw - rw rw r - -'],
  ['accounting', 'r - r - r - -'],
  ['accounting.audit_log', 'r - - - - - -'],
  ['accounting.reconciliation', 'rw - rw rw r - -'],
  ['accounting.export', 'r - - r - - -'],
  ['accounting.reporting', 'r - - r - r -'],
  ['accounting.handling_fees', 'rw - rw - r - -'],
]

const LEVELS: Readonly<Record<string, Level>> = { rw: 'write', r: 'read', '-': 'none' }

function buildPolicy(): NeutralPolicy {
  const grants = new Map<string, Record<string, Level>>(ROLES.map((role) => [role, {}]))
  const levelAt = new Map<string, readonly Level[]>()
  for (const [area, row] of MATRIX) {
    const levels = row.split(' ').map((cell) => LEVELS[cell] as Level)
    levelAt.set(area, levels)
    const parent = area.includes('.')
      ? levelAt.get(area.slice(0, area.lastIndexOf('.')))
      : undefined
    ROLES.forEach((role, i) => {
      const level = levels[i] as Level
      // Write only what the page says beyond what the area above already gives.
      const inherited = parent?.[i] ?? 'none'
      if (level !== inherited) (grants.get(role) as Record<string, Level>)[area] = level
    })
  }
  const roles: Record<string, NeutralRole> = {}
  for (const role of ROLES) {
    const exclusive = role === 'admin' || role === 'read_only_operations'
    roles[role] = {
      grants: grants.get(role) as Record<string, Level>,
      ...(exclusive ? { exclusive } : {}),
    }
  }
  return { name: 'billwerk', resources: MATRIX.map(([area]) => area), roles }
}

export const billwerk: NeutralPolicy = buildPolicy()

/** One user per role. */
export const oneRoleUsers: readonly User[] = ROLES.map((role) => ({
  id: `one-${role}`,
  roles: [role],
}))

/**
 * Every three-role user the page allows: Admin and ReadOnlyOperations stand alone, so these are the
 * ten combinations of the five other roles.
 */
export const threeRoleUsers: readonly User[] = (() => {
  const free = ROLES.filter((role) => role !== 'admin' && role !== 'read_only_operations')
  const users: User[] = []
  for (let a = 0; a < free.length; a++)
    for (let b = a + 1; b < free.length; b++)
      for (let c = b + 1; c < free.length; c++) {
        const roles = [free[a], free[b], free[c]] as string[]
        users.push({ id: `three-${roles.join('+')}`, roles })
      }
  return users
})()
