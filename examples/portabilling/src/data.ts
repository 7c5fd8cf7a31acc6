/** A customer: PortaBilling's entity, with its parameter panels as nested objects. */
export interface Customer {
  readonly id: string
  readonly personal_info: { readonly name: string; readonly email: string; readonly phone: string }
  readonly address_info: {
    readonly street: string
    readonly city: string
    readonly country: string
    /** The BCC address invoices are copied to: the item PortaBilling's Advanced mode can hide. */
    readonly bcc: string
  }
  readonly invoices_taxation: { readonly tax_id: string; readonly currency: string }
}

/** A customer's parameter panels, each with the items it holds. */
export const PANELS = {
  personal_info: ['name', 'email', 'phone'],
  address_info: ['street', 'city', 'country', 'bcc'],
  invoices_taxation: ['tax_id', 'currency'],
} as const
export type Panel = keyof typeof PANELS

/** An account of a customer (a phone line, a PBX extension…). */
export interface Account {
  readonly id: string
  readonly customer: string
  readonly services: readonly string[]
  readonly balance: number
}

/** A product in the catalogue. Prices are in cents. */
export interface Product {
  readonly id: string
  readonly name: string
  readonly price: number
}

/** The app's data, in memory: a real app keeps it in its database. */
export interface PortaBillingData {
  customers(): Customer[]
  customer(id: string): Customer | undefined
  updatePanel(id: string, panel: Panel, items: Readonly<Record<string, string>>): Customer
  account(id: string): Account | undefined
  setServices(id: string, services: readonly string[]): Account
  products(): Product[]
  setPrice(id: string, price: number): Product | undefined
}

/** Fresh sample data: two customers, an account each, two products. */
export function createData(): PortaBillingData {
  const customers = new Map<string, Customer>(
    [
      {
        id: 'acme',
        personal_info: { name: 'Acme Ltd', email: 'billing@acme.test', phone: '+1 555 0100' },
        address_info: {
          street: '1 Main St',
          city: 'Springfield',
          country: 'US',
          bcc: 'audit@acme.test',
        },
        invoices_taxation: { tax_id: 'US-123456', currency: 'USD' },
      },
      {
        id: 'globex',
        personal_info: { name: 'Globex', email: 'ap@globex.test', phone: '+44 20 7946 0000' },
        address_info: {
          street: '2 High St',
          city: 'London',
          country: 'GB',
          bcc: 'finance@globex.test',
        },
        invoices_taxation: { tax_id: 'GB-987654', currency: 'GBP' },
      },
    ].map((c) => [c.id, c]),
  )
  const accounts = new Map<string, Account>([
    [
      'acme-001',
      { id: 'acme-001', customer: 'acme', services: ['voice', 'cloud_pbx'], balance: 1250 },
    ],
    ['globex-001', { id: 'globex-001', customer: 'globex', services: ['voice'], balance: 0 }],
  ])
  const products = new Map<string, Product>([
    ['cloud-pbx', { id: 'cloud-pbx', name: 'Cloud PBX', price: 2500 }],
    ['sip-trunk', { id: 'sip-trunk', name: 'SIP trunk', price: 900 }],
  ])
  return {
    customers: () => [...customers.values()],
    customer: (id) => customers.get(id),
    updatePanel(id, panel, items) {
      const customer = customers.get(id) as Customer
      const updated = { ...customer, [panel]: { ...customer[panel], ...items } }
      customers.set(id, updated)
      return updated
    },
    account: (id) => accounts.get(id),
    setServices(id, services) {
      const updated = { ...(accounts.get(id) as Account), services }
      accounts.set(id, updated)
      return updated
    },
    products: () => [...products.values()],
    setPrice(id, price) {
      const product = products.get(id)
      if (product === undefined) return undefined
      const updated = { ...product, price }
      products.set(id, updated)
      return updated
    },
  }
}
