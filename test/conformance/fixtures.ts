import {
  createRolegate,
  definePolicy,
  memoryAssignmentStore,
  type AssignmentStore,
  type AuditEvent,
  type Subject,
} from '@rolegate/core'

/** The policy every conformance app enforces. */
export const policy = definePolicy({
  resources: [
    'invoices',
    'reports',
    'projects',
    'users',
    'profile',
    'customers.address.bcc',
    'customers.notes',
  ],
  actions: { export: ['read'], impersonate: [] },
  roles: {
    admin: { superuser: true, exclusive: true },
    member: { grants: { profile: 'read' } },
    finance: { grants: { invoices: 'write', reports: ['read', 'export'] } },
    viewer: { grants: { invoices: 'read', reports: 'read' } },
    support: {
      grants: {
        customers: ['read', 'impersonate'],
        'customers.address.bcc': 'none',
        'customers.notes': 'none',
      },
    },
    account_manager: { grants: { customers: { actions: 'read', when: 'managed' } } },
    project_lead: { grants: { projects: 'write' } },
  },
  defaults: ['member'],
})

/** A customer record, as the apps load and return it. */
export interface Customer {
  readonly id: string
  readonly name: string
  readonly manager: string
  readonly address: { readonly street: string; readonly bcc: string }
  readonly notes: string
}

export const rg = createRolegate({
  policy,
  conditions: { managed: (subject, customer) => (customer as Customer).manager === subject.id },
})

/** Role names chosen to collide with Object.prototype, permissions, wildcards and paths. */
const hostileRoles = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'admin ',
  'ADMIN',
  'invoices:read',
  '*',
  '../admin',
  'a'.repeat(10_000),
]

/** The subjects the `x-test-user` header names. */
export const users: ReadonlyMap<string, Subject> = new Map<string, Subject>([
  ['root', { id: 'root', roles: ['admin'] }],
  ['fiona', { id: 'fiona', roles: ['finance'] }],
  ['vera', { id: 'vera', roles: ['viewer'] }],
  ['mia', { id: 'mia' }],
  ['sam', { id: 'sam', roles: ['support'] }],
  ['ann', { id: 'ann', roles: ['account_manager'] }],
  // Project lead in team:7 through the assignment store only.
  ['tess', { id: 'tess' }],
  ['carol', { id: 'carol', roles: ['finance'] }],
  ['conflicted', { id: 'conflicted', roles: ['admin', 'viewer'] }],
  [
    'mallory',
    {
      id: 'mallory',
      roles: hostileRoles,
      scoped: JSON.parse('{"__proto__":["admin"],"constructor":["admin"]}') as Record<
        string,
        string[]
      >,
    },
  ],
  [
    'junk',
    { id: 'junk', roles: ['viewer', 42, null, { toString: 'admin' }] as unknown as string[] },
  ],
  [
    'crowd',
    { id: 'crowd', roles: [...Array.from({ length: 50_000 }, (_, i) => `role-${i}`), 'viewer'] },
  ],
  // Admin, a superuser role, in team:7 only: no one without it there may act as this subject.
  ['teamroot', { id: 'teamroot', scoped: { 'team:7': ['admin'] } }],
  // The assignment store fails for this one: 503.
  ['outage', { id: 'outage' }],
  // The audit hook throws on this one's events.
  ['auditbomb', { id: 'auditbomb', roles: ['viewer'] }],
])

export const customers: ReadonlyMap<string, Customer> = new Map([
  [
    'c1',
    {
      id: 'c1',
      name: 'Acme',
      manager: 'ann',
      address: { street: '1 Main St', bcc: 'audit@acme.example' },
      notes: 'pays late',
    },
  ],
  [
    'c2',
    {
      id: 'c2',
      name: 'Globex',
      manager: 'zoe',
      address: { street: '2 Side St', bcc: 'audit@globex.example' },
      notes: 'prefers email',
    },
  ],
])

/** A customer as an ORM hands it over: a class instance, whose address writes itself with toJSON. */
class CustomerEntity {
  constructor(customer: Customer) {
    Object.assign(this, customer, {
      address: { ...customer.address, toJSON: () => customer.address },
    })
  }
}

/** The customers as entities, for the redaction of bodies that are not plain data. */
export const customerEntities = (): CustomerEntity[] =>
  [...customers.values()].map((customer) => new CustomerEntity(customer))

/** What each conformance app is built from: fresh sinks and store per app. */
export interface Deps {
  readonly rg: typeof rg
  readonly store: AssignmentStore
  /** Every audit event, in order. */
  readonly events: AuditEvent[]
  /** Messages of the errors reported to `onError`. */
  readonly errors: string[]
  /** The app's `subject` option, given the `x-test-user` header. */
  /** `later:<name>` answers with a promise, as a session store or token introspection would. */
  subjectFor(name: string | undefined): Subject | undefined | Promise<Subject | undefined>
  audit(event: AuditEvent): void
  onError(error: unknown): void
  loadSubject(id: string): Subject | undefined
  loadCustomer(id: string | undefined): Promise<Customer | undefined>
  readonly customers: ReadonlyMap<string, Customer>
}

export async function createDeps(): Promise<Deps> {
  const memory = memoryAssignmentStore({ rolegate: rg })
  await memory.assign('tess', 'project_lead', { scope: 'team:7' })
  const store: AssignmentStore = {
    ...memory,
    get: (id) =>
      id === 'outage' ? Promise.reject(new Error('ETIMEDOUT reading assignments')) : memory.get(id),
  }
  const events: AuditEvent[] = []
  const errors: string[] = []
  return {
    rg,
    customers,
    store,
    events,
    errors,
    subjectFor(name) {
      if (name === 'throw') throw new Error('session store unreachable')
      if (name === 'reject') return Promise.reject(new Error('token introspection failed'))
      if (name?.startsWith('later:') === true) return Promise.resolve(users.get(name.slice(6)))
      if (name === 'malformed') return { id: 42 } as unknown as Subject
      return name === undefined ? undefined : users.get(name)
    },
    audit(event) {
      events.push(event)
      if (event.subject === 'auditbomb') throw new Error('audit sink down')
    },
    onError: (error) => void errors.push(error instanceof Error ? error.message : String(error)),
    loadSubject: (id) => users.get(id),
    async loadCustomer(id) {
      await Promise.resolve()
      if (id === 'boom') throw new Error('customer database down')
      // Errors that carry a rolegate code: one claiming a 200, one whose problem holds a BigInt.
      if (id === 'lookalike')
        throw Object.assign(new Error('a 200 in disguise'), {
          code: 'ERR_ROLEGATE_FORBIDDEN',
          status: 200,
          headers: {},
          problem: {},
        })
      if (id === 'bigint')
        throw Object.assign(new Error('unwritable'), {
          code: 'ERR_ROLEGATE_FORBIDDEN',
          status: 403,
          headers: {},
          problem: { type: 'urn:x', title: 'x', status: 403, detail: 'x', scope: 5n },
        })
      return id === undefined ? undefined : customers.get(id)
    },
  }
}
