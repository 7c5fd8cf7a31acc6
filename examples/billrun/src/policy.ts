import { definePolicy } from '@rolegate/core'

/**
 * BillRun's four predefined roles (shared/seeds/000), and nothing else.
 *
 * - `admin` is a superuser: it supersedes every other role, including anything added later.
 * - `write` changes operational and CRM data and runs billing, views reports, and has no
 *   configuration or user administration.
 * - `read` views operational, billing and CRM data and the report dashboards.
 * - `reports` sees reports and analytics and exports them, and nothing operational.
 *
 * A user may hold several roles: rolegate takes the union, so the most permissive applies.
 */
export const policy = definePolicy({
  resources: [
    'operations.plans',
    'billing.invoices',
    'billing.runs',
    'crm.customers',
    'reports',
    'config',
    'users',
  ],
  actions: {
    /** Running a billing cycle (BillRun's "execute billing-related actions"). */
    execute: ['read'],
    /** Exporting report data. */
    export: ['read'],
  },
  roles: {
    admin: {
      description: 'Full access, configuration and user administration. Supersedes all roles.',
      superuser: true,
    },
    write: {
      description: 'Operations teams, billing analysts, CRM operators.',
      grants: {
        operations: 'write',
        billing: ['write', 'execute'],
        crm: 'write',
        reports: 'read',
      },
    },
    read: {
      description: 'Support teams, auditors: view-only.',
      grants: { operations: 'read', billing: 'read', crm: 'read', reports: 'read' },
    },
    reports: {
      description: 'Finance, business analysts, management: reports and exports only.',
      grants: { reports: ['read', 'export'] },
    },
  },
})

/** The policy's type: guards and contexts are typed by it. */
export type BillRunPolicy = typeof policy
