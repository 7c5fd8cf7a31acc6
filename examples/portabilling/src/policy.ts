import { definePolicy, type Condition } from '@rolegate/core'

/**
 * PortaBilling's role-based security (shared/seeds/002), with its default roles.
 *
 * - The resource tree is PortaBilling's: an entity (`customer`, `account`, `product`), its
 *   parameter panels (`customer.address_info`), and in Advanced mode the items of a panel
 *   (`customer.address_info.bcc`). A grant on a node covers everything below it.
 * - Restrict / Read / Modify are `none` / `read` / `write` (`write` implies `read`).
 * - Role types are subject types: a role says which kind of user may hold it (`admin`,
 *   `customer`, `account`), and a role given to another kind counts for nothing.
 * - Self-care roles (customer, account) act only on the subject's own entity: their grants hold
 *   `when: 'own'`.
 * - Custom roles are added at run time (`POST /admin/roles`), ACLs are direct grants on a user.
 */
export const policy = definePolicy({
  resources: [
    'customer.personal_info.name',
    'customer.personal_info.email',
    'customer.personal_info.phone',
    'customer.address_info.street',
    'customer.address_info.city',
    'customer.address_info.country',
    'customer.address_info.bcc',
    'customer.invoices_taxation.tax_id',
    'customer.invoices_taxation.currency',
    'account.services',
    'account.balance',
    'product',
    'roles',
    'users',
  ],
  actions: {
    /** Logging in to a customer's self-care on the customer's behalf. */
    impersonate: [],
  },
  roles: {
    administrator: {
      description: 'Admin role type: everything, including roles, users and acting for customers.',
      subjectTypes: ['admin'],
      grants: { '*': 'write', customer: ['write', 'impersonate'] },
    },
    support: {
      description: 'Admin role type: customer care. Restrict on the BCC item of Address info.',
      subjectTypes: ['admin'],
      grants: {
        customer: ['write', 'impersonate'],
        'customer.address_info.bcc': 'none',
        account: 'read',
      },
    },
    customer_self_care: {
      description: 'Customer role type, the default: reads its own customer, edits its address.',
      subjectTypes: ['customer'],
      grants: {
        customer: { actions: 'read', when: 'own' },
        'customer.address_info': { actions: 'write', when: 'own' },
      },
    },
    account_self_care: {
      description: 'Account role type, the default: reads its own account, manages its services.',
      subjectTypes: ['account'],
      grants: {
        account: { actions: 'read', when: 'own' },
        'account.services': { actions: 'write', when: 'own' },
      },
    },
  },
})

/** The policy's type: guards and contexts are typed by it. */
export type PortaBillingPolicy = typeof policy

/** PortaBilling's role types, as rolegate subject types. */
export const ROLE_TYPES = ['admin', 'customer', 'account'] as const
export type RoleType = (typeof ROLE_TYPES)[number]

/** The default role of each self-care role type: what an administrator may act with instead of a custom role. */
export const DEFAULT_ROLES = {
  customer: 'customer_self_care',
  account: 'account_self_care',
} as const

/** `own`: the customer or account is the subject itself (self-care users are their entity). */
export const conditions: Readonly<Record<string, Condition>> = {
  own: (subject, entity) => (entity as { id?: unknown } | undefined)?.id === subject.id,
}
