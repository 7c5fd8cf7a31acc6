import { fileURLToPath } from 'node:url'
import { loadPolicy, type Condition, type PolicyInput } from '@rolegate/core'

/** Where the policy lives: `rolegate matrix src/policy.yaml` prints billwerk's rights table from it. */
export const POLICY_FILE = fileURLToPath(new URL('./policy.yaml', import.meta.url))

/**
 * billwerk's seven roles and its whole rights matrix (shared/seeds/004), loaded from `policy.yaml`
 * and validated at start-up. Being YAML, its names are not typed: the guards check them when the
 * routes are declared, so a misspelt area fails the start, not a request.
 */
export const policy: PolicyInput = loadPolicy(POLICY_FILE, { conditions: new Set(['self']) })

/** `self`: the personal data is the subject's own. */
export const conditions: Readonly<Record<string, Condition>> = {
  self: (subject, profile) => (profile as { id?: unknown } | undefined)?.id === subject.id,
}

/** The seven roles, in the seed's column order. */
export const ROLES = [
  'admin',
  'products',
  'operations',
  'finance',
  'read_only_operations',
  'reports',
  'templates',
] as const

/** A row of billwerk's rights table: an area of the app, its resource in the policy, its route. */
export interface Area {
  /** The row's label in the seed, or how a row that lost it was read (see the README). */
  readonly label: string
  readonly resource: string
  /** `settings.sales_entities` → `/settings/sales-entities`. */
  readonly path: string
}

const area = (label: string, resource: string): Area => ({
  label,
  resource,
  path: `/${resource.replaceAll('.', '/').replaceAll('_', '-')}`,
})

/** The 27 rows of billwerk's table, in the seed's order. */
export const AREAS: readonly Area[] = [
  area('Company', 'settings.company'),
  area('Sales Entities', 'settings.sales_entities'),
  area('User Accounts', 'settings.user_accounts'),
  area('Payment Settings', 'settings.payment_settings'),
  area('Payment Escalation', 'settings.payment_escalation'),
  area('Taxes (label lost)', 'settings.taxes'),
  area('Billing', 'settings.billing'),
  area('General Document Settings', 'settings.general_document_settings'),
  area('Sequences', 'settings.sequences'),
  area('Templates (label lost)', 'settings.templates'),
  area('Accounts', 'settings.accounts'),
  area('Debitor Ids', 'settings.debitor_ids'),
  area('Export Settings', 'settings.export_settings'),
  area('Custom fields', 'settings.custom_fields'),
  area('Webhooks', 'settings.webhooks'),
  area('Self-Service', 'settings.self_service'),
  area('KPI Charts', 'kpi_charts'),
  area('Log lists', 'log_lists'),
  area('Products: all areas (heading lost)', 'products'),
  area('Customers and Contracts: all areas', 'customers_and_contracts'),
  area('Invoices: all areas (heading lost)', 'invoices'),
  area('Logs: audit log (heading lost)', 'logs.audit_log'),
  area('Logs: all other areas (heading lost)', 'logs'),
  area('Account Reconciliation', 'account_reconciliation'),
  area('Accounting Export', 'accounting_export'),
  area('Reporting', 'reporting'),
  area('Handling Fees', 'handling_fees'),
]
