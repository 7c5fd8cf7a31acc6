/** A Billy user. Users are global; what they may do is per team, in the assignment store. */
export interface User {
  readonly id: string
  /** Lower-cased. */
  readonly email: string
  readonly name: string
  /** `null`: cannot log in with a password (the demo users). */
  readonly passwordHash: string | null
}

/** A team: the scope its members' roles are held in. */
export interface Team {
  readonly id: string
  readonly name: string
}

/** Users and teams. In memory here; in your app, your database. */
export interface Directory {
  /** Adds a user; `false` (and nothing added) when the id or the email is taken. */
  addUser(user: User): boolean
  user(id: string): User | undefined
  userByEmail(email: string): User | undefined
  /** Changes a user's name or password hash. */
  updateUser(id: string, fields: Partial<Pick<User, 'name' | 'passwordHash'>>): User | undefined
  addTeam(team: Team): void
  team(id: string): Team | undefined
}

/** An in-memory {@link Directory}. */
export function memoryDirectory(): Directory {
  const users = new Map<string, User>()
  const emails = new Map<string, string>()
  const teams = new Map<string, Team>()
  return {
    addUser(user) {
      if (users.has(user.id) || emails.has(user.email)) return false
      users.set(user.id, user)
      emails.set(user.email, user.id)
      return true
    },
    user: (id) => users.get(id),
    userByEmail(email) {
      const id = emails.get(email.toLowerCase())
      return id === undefined ? undefined : users.get(id)
    },
    updateUser(id, fields) {
      const user = users.get(id)
      if (user === undefined) return undefined
      const updated = { ...user, ...fields }
      users.set(id, updated)
      return updated
    },
    addTeam: (team) => void teams.set(team.id, team),
    team: (id) => teams.get(id),
  }
}

/** A user as the API shows it: never the password hash. */
export function publicUser({ id, email, name }: User): { id: string; email: string; name: string } {
  return { id, email, name }
}

const EMAIL = /^[^\s@]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/

/** A lower-cased email address, or `undefined` when `value` is not one. */
export function parseEmail(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 254) return undefined
  const email = value.trim().toLowerCase()
  return EMAIL.test(email) ? email : undefined
}
