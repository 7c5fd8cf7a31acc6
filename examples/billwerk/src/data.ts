/** A user's personal data: what every user may see and change for themselves, and only that. */
export interface PersonalData {
  readonly id: string
  readonly name: string
  readonly email: string
}

/** A user account, as the User Accounts page lists it. */
export interface UserAccount extends PersonalData {
  /** `invited` until the user completes registration. */
  readonly status: 'invited' | 'active'
}

/** The app's data, in memory: a real app keeps it in its database. */
export interface BillwerkData {
  users(): UserAccount[]
  user(id: string): UserAccount | undefined
  /** Adds a user, `invited` unless given a status. */
  addUser(user: PersonalData & { readonly status?: UserAccount['status'] }): UserAccount
  /** The user's personal data; a user the directory does not know yet starts empty. */
  personalData(id: string): PersonalData
  setPersonalData(id: string, change: Partial<Omit<PersonalData, 'id'>>): PersonalData
  /** What is stored for an area of the app (its settings, its records…), `{}` at first. */
  area(resource: string): Readonly<Record<string, unknown>>
  setArea(resource: string, value: Readonly<Record<string, unknown>>): void
}

/** Fresh, empty data. */
export function createData(): BillwerkData {
  const users = new Map<string, UserAccount>()
  const areas = new Map<string, Readonly<Record<string, unknown>>>()
  const personal = ({ id, name, email }: PersonalData): PersonalData => ({ id, name, email })
  return {
    users: () => [...users.values()].sort((a, b) => a.id.localeCompare(b.id)),
    user: (id) => users.get(id),
    addUser({ status = 'invited', ...user }) {
      const account = { ...personal(user), status }
      users.set(account.id, account)
      return account
    },
    personalData(id) {
      const user = users.get(id)
      return user === undefined ? { id, name: '', email: '' } : personal(user)
    },
    setPersonalData(id, change) {
      const current = users.get(id) ?? { id, name: '', email: '', status: 'active' as const }
      const updated = { ...current, ...change }
      users.set(id, updated)
      return personal(updated)
    },
    area: (resource) => areas.get(resource) ?? {},
    setArea: (resource, value) => void areas.set(resource, value),
  }
}
