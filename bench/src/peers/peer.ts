import type { Action, Check, NeutralPolicy, User } from '../policies/neutral.js'

/** A timed loop over prepared checks: only the library's own check runs inside it. */
export interface Runner {
  /** Runs checks `from` to `to` (exclusive) and returns how many were allowed. */
  run(from: number, to: number): number | Promise<number>
  /** The answer to check `i`, through the same call the timed loop makes. */
  answer(i: number): boolean | Promise<boolean>
}

/** One library loaded with one policy. */
export interface PeerInstance {
  /** Builds what the library keeps per user (a context, an Ability, `g` lines, a role); untimed. */
  setup(user: User): void | Promise<void>
  /** One check the plain way (may build strings): for readers and spot checks, never timed. */
  check(user: User, resource: string, action: Action): boolean | Promise<boolean>
  /** Pre-builds every argument of every check, then returns the timed loop over them. */
  prepare(checks: readonly Check[]): Runner
}

/** What scenario C times: building the library's structure from its own input, prepared untimed. */
export interface Compiler {
  /** Builds and returns the structure that answers checks; the caller keeps it to weigh it. */
  build(): unknown
  /** Grants the structure holds, in the library's own unit (rules, policy lines, …). */
  readonly size: string
}

export interface Peer {
  readonly name: string
  /** `async` when the library has no synchronous check. */
  readonly api: 'sync' | 'async'
  /** How the neutral policy was mapped, and what the library cannot express. */
  readonly notes: readonly string[]
  load(policy: NeutralPolicy): PeerInstance | Promise<PeerInstance>
  /** Absent for a peer that scenario C does not weigh. */
  compiler?(policy: NeutralPolicy): Compiler
}

/** Sets up every user on a freshly loaded peer. */
export async function loadFor(
  peer: Peer,
  policy: NeutralPolicy,
  users: Iterable<User>,
): Promise<PeerInstance> {
  const instance = await peer.load(policy)
  for (const user of users) await instance.setup(user)
  return instance
}

/** The per-user value a peer built in `setup`, or a loud error if a check names another user. */
export function perUser<T>(map: ReadonlyMap<string, T>, user: User): T {
  const value = map.get(user.id)
  if (value === undefined) throw new Error(`user ${user.id} was not set up`)
  return value
}
