/** A price plan (BillRun's operational data). Prices are in cents. */
export interface Plan {
  readonly id: string
  readonly name: string
  readonly monthlyPrice: number
}

/** A CRM customer on a plan. */
export interface Customer {
  readonly id: string
  readonly name: string
  readonly planId: string
}

/** One invoice of one billing cycle (`YYYY-MM`). */
export interface Invoice {
  readonly id: string
  readonly customerId: string
  readonly cycle: string
  readonly amount: number
}

/** A billing run: who started it, when, and the invoices it produced. */
export interface BillingRun {
  readonly id: string
  readonly cycle: string
  readonly startedBy: string
  readonly startedAt: string
  readonly invoices: readonly string[]
}

/** System configuration: only an admin may see or change it. */
export interface Config {
  readonly currency: string
  readonly invoiceDay: number
}

/** The app's data, in memory: a real app keeps it in its database. */
export interface BillRunData {
  plans(): Plan[]
  plan(id: string): Plan | undefined
  updatePlan(id: string, change: Partial<Omit<Plan, 'id'>>): Plan | undefined
  customers(): Customer[]
  addCustomer(customer: Omit<Customer, 'id'>): Customer
  invoices(): Invoice[]
  runs(): BillingRun[]
  /** Invoices every customer for the cycle (once per cycle and customer) and records the run. */
  runBilling(run: { cycle: string; startedBy: string; startedAt: Date }): BillingRun
  config(): Config
  setConfig(config: Config): Config
}

/** Fresh sample data: two plans, three customers, no invoices yet. */
export function createData(): BillRunData {
  const plans = new Map<string, Plan>([
    ['basic', { id: 'basic', name: 'Basic', monthlyPrice: 1500 }],
    ['pro', { id: 'pro', name: 'Pro', monthlyPrice: 4900 }],
  ])
  const customers = new Map<string, Customer>([
    ['c-1', { id: 'c-1', name: 'Acme Ltd', planId: 'pro' }],
    ['c-2', { id: 'c-2', name: 'Globex', planId: 'basic' }],
    ['c-3', { id: 'c-3', name: 'Initech', planId: 'basic' }],
  ])
  const invoices: Invoice[] = []
  const runs: BillingRun[] = []
  let config: Config = { currency: 'EUR', invoiceDay: 1 }

  return {
    plans: () => [...plans.values()],
    plan: (id) => plans.get(id),
    updatePlan(id, change) {
      const plan = plans.get(id)
      if (plan === undefined) return undefined
      const updated = { ...plan, ...change }
      plans.set(id, updated)
      return updated
    },
    customers: () => [...customers.values()],
    addCustomer(customer) {
      const created = { id: `c-${customers.size + 1}`, ...customer }
      customers.set(created.id, created)
      return created
    },
    invoices: () => [...invoices],
    runs: () => [...runs],
    runBilling({ cycle, startedBy, startedAt }) {
      const billed = new Set(invoices.filter((i) => i.cycle === cycle).map((i) => i.customerId))
      const created: Invoice[] = []
      for (const customer of customers.values()) {
        if (billed.has(customer.id)) continue
        const amount = plans.get(customer.planId)?.monthlyPrice ?? 0
        created.push({
          id: `inv-${invoices.length + created.length + 1}`,
          customerId: customer.id,
          cycle,
          amount,
        })
      }
      invoices.push(...created)
      const run = {
        id: `run-${runs.length + 1}`,
        cycle,
        startedBy,
        startedAt: startedAt.toISOString(),
        invoices: created.map((i) => i.id),
      }
      runs.push(run)
      return run
    },
    config: () => config,
    setConfig(next) {
      config = next
      return config
    },
  }
}
