import { definePolicy } from '@rolegate/core'

/**
 * Amberflo's four system roles over its two services, as its RBAC page describes them. The roles
 * are fixed ("cannot be modified or customized in any way"), so the policy lives in code.
 *
 * Roles are held per account (`account:<domain>`): the first user of a domain creates that
 * account, and everything below is decided in the caller's account.
 */
export const policy = definePolicy({
  resources: [
    // Metering Cloud
    'metering.meters',
    'metering.usage',
    'metering.reports',
    'metering.customers.billing', // a customer's plan and balance: Billing data on a Metering object
    // Billing Cloud
    'billing.plans',
    'billing.promotions',
    'billing.invoices',
    'billing.metrics', // revenue: "Billing Metrics"
    // Settings
    'members',
    'settings.sso',
    'settings.integrations',
  ],
  actions: { invite: [], delete: [] },
  roles: {
    administrator: {
      description:
        'Unrestricted read and edit on both services; adds users, assigns roles, SSO, integrations',
      superuser: true,
    },
    analyst: {
      description: 'Views and queries both services; creates nothing',
      grants: { metering: 'read', billing: 'read' },
    },
    developer: {
      description: 'Everything in Metering, including customers; nothing in Billing',
      grants: { metering: 'write', 'metering.customers.billing': 'none' },
    },
    product_manager: {
      description: 'Everything in Billing; reads Metering',
      grants: { billing: 'write', metering: 'read', 'metering.customers.billing': 'write' },
    },
  },
})

/** The roles an Administrator can choose from when inviting a member or changing a role. */
export const ROLES = Object.keys(policy.roles) as (keyof typeof policy.roles)[]

/** One of Amberflo's four roles. */
export type Role = (typeof ROLES)[number]

/** Whether `value` names one of the four roles. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

/** The scope an account's roles are held in. */
export function accountScope(account: string): string {
  return `account:${account}`
}
