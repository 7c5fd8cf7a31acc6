import { affordable, bestOfRounds, type Timing } from '../measure.js'
import { loadFor, type Peer, type PeerInstance, type Runner } from '../peers/peer.js'
import { rolegate } from '../peers/rolegate.js'
import { allows, type Check, type NeutralPolicy, type User } from '../policies/neutral.js'
import { duration, printTable, rate, ratio } from '../report.js'
import { judge } from '../targets.js'

/** One list of drawn checks, timed for every library. */
export interface Case {
  readonly label: string
  readonly checks: readonly Check[]
  /** rolegate's target for this case, in ns per check. */
  readonly targetNs?: number
}

/** Per case label, per library name: the timing. */
export type Timings = ReadonlyMap<string, ReadonlyMap<string, Timing>>

interface Prepared {
  readonly peer: Peer
  readonly runner: Runner
  /** How many of the case's checks this library is verified and timed on. */
  readonly count: number
}

/**
 * Loads every library with `policy` and `users`, verifies that each answers every drawn check as
 * rolegate does (and rolegate as the reference), fails loudly if one does not, then times each
 * case for each library and prints one table per case.
 */
export async function compare(
  scenario: string,
  policy: NeutralPolicy,
  users: readonly User[],
  cases: readonly Case[],
  peers: readonly Peer[],
): Promise<Timings> {
  const loaded = new Map<Peer, PeerInstance>()
  const loadRows: string[][] = []
  for (const peer of peers) {
    const start = performance.now()
    loaded.set(peer, await loadFor(peer, policy, users))
    loadRows.push([peer.name, `${(performance.now() - start).toFixed(0)} ms`])
  }
  const prepared = new Map<Case, Prepared[]>()
  for (const c of cases) {
    const list: Prepared[] = []
    for (const peer of peers) {
      const runner = (loaded.get(peer) as PeerInstance).prepare(c.checks)
      list.push({ peer, runner, count: await affordable(runner, c.checks.length) })
    }
    prepared.set(c, list)
  }
  await verify(scenario, policy, cases, prepared)
  printTable(
    `${scenario}: set-up of ${users.length} users (untimed in checks)`,
    ['library', 'load + set-up'],
    loadRows,
  )

  const rows = cases.flatMap((c) => (prepared.get(c) ?? []).map((p) => ({ c, ...p })))
  const best = await bestOfRounds(
    rows.map(({ peer, runner, count }) => ({ runner, count, async: peer.api === 'async' })),
  )
  const timings = new Map<string, Map<string, Timing>>()
  rows.forEach(({ c, peer }, i) => {
    const byPeer = timings.get(c.label) ?? new Map<string, Timing>()
    byPeer.set(peer.name, best[i] as Timing)
    timings.set(c.label, byPeer)
  })
  for (const c of cases)
    printCase(scenario, c, prepared.get(c) ?? [], timings.get(c.label) ?? new Map())
  return timings
}

function printCase(
  scenario: string,
  c: Case,
  list: readonly Prepared[],
  byPeer: ReadonlyMap<string, Timing>,
): void {
  const own = byPeer.get(rolegate.name) as Timing
  const rows = list.map(({ peer, count }) => {
    const t = byPeer.get(peer.name) as Timing
    const isRolegate = peer === rolegate
    const target = isRolegate && c.targetNs !== undefined ? `≤ ${c.targetNs} ns` : ''
    const result =
      target === ''
        ? ''
        : judge({
            scenario: `${scenario}, ${c.label}`,
            target: `${target} per check`,
            measured: duration(t.ns),
            pass: t.ns <= (c.targetNs as number),
          })
    const name =
      peer.name +
      (peer.api === 'async' ? ' (async)' : '') +
      (count < c.checks.length ? ` (first ${count} checks)` : '')
    return [
      name,
      duration(t.ns),
      rate(t.perSecond),
      isRolegate ? '—' : ratio(t.ns, own.ns),
      target,
      result,
    ]
  })
  printTable(
    `${scenario}: ${c.label} (${c.checks.length} checks drawn beforehand)`,
    ['library', 'ns/check (median)', 'checks/s', 'vs rolegate', 'target', 'result'],
    rows,
  )
}

async function verify(
  scenario: string,
  policy: NeutralPolicy,
  cases: readonly Case[],
  prepared: ReadonlyMap<Case, readonly Prepared[]>,
): Promise<void> {
  const totals = new Map<Peer, { checked: number; disagree: number; partial: boolean }>()
  const examples: string[] = []
  for (const c of cases) {
    const list = prepared.get(c) ?? []
    const own = list.find((p) => p.peer === rolegate)
    if (own === undefined) throw new Error('rolegate must be among the peers')
    const expected: boolean[] = []
    for (let i = 0; i < c.checks.length; i++) {
      const check = c.checks[i] as Check
      const answer = await own.runner.answer(i)
      // rolegate against the reference: a disagreement here is a bench bug or a core bug.
      if (answer !== allows(policy, check.user, check.resource, check.action))
        examples.push(`rolegate vs reference: ${describe(check)} → ${answer}`)
      expected.push(answer)
    }
    for (const { peer, runner, count } of list) {
      const total = totals.get(peer) ?? { checked: 0, disagree: 0, partial: false }
      for (let i = 0; i < count; i++) {
        const answer = await runner.answer(i)
        if (answer === expected[i]) continue
        total.disagree++
        if (examples.length < 10)
          examples.push(
            `${peer.name}: ${describe(c.checks[i] as Check)} → ${answer}, rolegate says ${expected[i]}`,
          )
      }
      total.checked += count
      total.partial ||= count < c.checks.length
      totals.set(peer, total)
    }
  }
  printTable(
    `${scenario}: verification — every library against rolegate on the drawn checks, before timing`,
    ['library', 'checks compared', 'disagreements'],
    [...totals].map(([peer, t]) => [
      peer.name + (t.partial ? ' (a prefix of each list: slow)' : ''),
      t.checked,
      t.disagree,
    ]),
  )
  if (examples.length > 0) {
    for (const example of examples) console.log(`  DISAGREEMENT ${example}`)
    throw new Error(
      `${scenario}: libraries disagree on checks they can express; timings would be meaningless`,
    )
  }
}

function describe(check: Check): string {
  return `${check.user.id} [${check.user.roles.join(', ')}] ${check.resource}:${check.action}`
}
