/** A member of an Amberflo account. Roles are not here: they live in the assignment store. */
export interface Member {
  readonly id: string
  /** Lower-cased. */
  readonly email: string
  readonly name: string
  /** The account's domain, e.g. `acme.example`: the account the member belongs to. */
  readonly account: string
}

/**
 * Accounts and their members. In memory here; in your app, your database. Every call is
 * synchronous, so "is this the first user of the domain?" and "create the account" happen in one
 * step that no other request can interleave with.
 */
export interface Directory {
  /**
   * Creates the account of `domain` unless it exists. `true` when this call created it: the
   * caller is the first user of the domain.
   */
  claimAccount(domain: string): boolean
  /** Undoes {@link Directory.claimAccount} when admitting its first user failed. */
  releaseAccount(domain: string): void
  /** Adds a member; `false` (and nothing added) when the id or the email is taken. */
  add(member: Member): boolean
  get(id: string): Member | undefined
  byEmail(email: string): Member | undefined
  /** The account's members, by email. */
  list(account: string): Member[]
  remove(id: string): boolean
}

/** An in-memory {@link Directory}. */
export function memoryDirectory(): Directory {
  const accounts = new Set<string>()
  const members = new Map<string, Member>()
  const emails = new Map<string, string>()
  return {
    claimAccount(domain) {
      if (accounts.has(domain)) return false
      accounts.add(domain)
      return true
    },
    releaseAccount(domain) {
      if (![...members.values()].some((m) => m.account === domain)) accounts.delete(domain)
    },
    add(member) {
      if (members.has(member.id) || emails.has(member.email)) return false
      accounts.add(member.account)
      members.set(member.id, member)
      emails.set(member.email, member.id)
      return true
    },
    get: (id) => members.get(id),
    byEmail(email) {
      const id = emails.get(email.toLowerCase())
      return id === undefined ? undefined : members.get(id)
    },
    list: (account) =>
      [...members.values()]
        .filter((m) => m.account === account)
        .sort((a, b) => a.email.localeCompare(b.email)),
    remove(id) {
      const member = members.get(id)
      if (member === undefined) return false
      members.delete(id)
      emails.delete(member.email)
      return true
    },
  }
}

const EMAIL = /^[^\s@]+@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)$/

/** A lower-cased email address and its domain, or `undefined` when `value` is not one. */
export function parseEmail(value: unknown): { email: string; domain: string } | undefined {
  if (typeof value !== 'string' || value.length > 254) return undefined
  const email = value.trim().toLowerCase()
  const domain = EMAIL.exec(email)?.[1]
  return domain === undefined ? undefined : { email, domain }
}
