import { createRolegate, type Subject } from '@rolegate/core'
import { allocatedBytes } from '../heap.js'
import { probe } from '../measure.js'
import { baseline } from '../peers/baseline.js'
import { loadFor, type Peer, type Runner } from '../peers/peer.js'
import { rolegate, rolegatePolicy } from '../peers/rolegate.js'
import { billwerk, oneRoleUsers, threeRoleUsers } from '../policies/billwerk.js'
import { drawChecks } from '../policies/draw.js'
import { internalize, type NeutralPolicy, type User } from '../policies/neutral.js'
import { printTable } from '../report.js'
import { judge } from '../targets.js'

const CHECKS = 1_000_000
const N = 1024
/** Slower libraries get fewer calls, about this much work. */
const MAX_MS = 400

/** At most this many bytes per check still reads as "allocates nothing" (GC bookkeeping noise). */
const ZERO = 0.5

function perCall(runner: Runner, calls: number): number {
  const work = (): void => {
    for (let done = 0; done < calls; done += N) void runner.run(0, N)
  }
  work()
  return allocatedBytes(work) / calls
}

async function callsFor(runner: Runner, fixed: number | undefined): Promise<number> {
  await runner.run(0, N) // first pass: lazy set-up (role sets) and JIT
  if (fixed !== undefined) return fixed
  const ns = await probe(runner, N)
  return Math.max(N, Math.min(CHECKS, Math.floor((MAX_MS * 1e6) / ns / N) * N))
}

function contextRunner(policy: NeutralPolicy, users: readonly User[]): Runner {
  const rg = createRolegate({ policy: rolegatePolicy(policy) })
  const checks = drawChecks(policy, users, { count: N, outcome: 'mixed', seed: 31 })
  const subjects: Subject[] = checks.map((c) => ({ id: c.user.id, roles: [...c.user.roles] }))
  const permissions = checks.map((c) => internalize(`${c.resource}:${c.action}`))
  const one = (i: number): boolean =>
    rg.context(subjects[i] as Subject).can(permissions[i] as string)
  return {
    run(from, to) {
      let allowed = 0
      for (let i = from; i < to; i++) if (one(i)) allowed++
      return allowed
    },
    answer: one,
  }
}

/**
 * Allocation: bytes allocated per check, over up to a million checks between two full GCs
 * (see allocatedBytes: heap growth plus what the GCs in between freed, from v8.GCProfiler).
 */
export async function allocationScenario(
  peers: readonly Peer[],
  large: { policy: NeutralPolicy; users: readonly User[] },
): Promise<void> {
  const rows: string[][] = []
  const row = async (
    name: string,
    what: string,
    runner: Runner,
    options: { readonly target: boolean; readonly calls?: number | undefined },
  ): Promise<void> => {
    const calls = await callsFor(runner, options.calls)
    const bytes = perCall(runner, calls)
    const shown = bytes.toFixed(bytes < 10 ? 3 : 0)
    const result = options.target
      ? judge({
          scenario: `allocation, ${what}`,
          target: 'a check allocates nothing',
          measured: `${shown} B/check`,
          pass: bytes < ZERO,
        })
      : ''
    rows.push([
      name,
      what,
      String(calls),
      `${shown} B`,
      options.target ? `< ${ZERO} B` : '',
      result,
    ])
  }
  const sync = peers.filter((p) => p.api === 'sync')
  const aChecks = {
    one: drawChecks(billwerk, oneRoleUsers, { count: N, outcome: 'mixed', seed: 32 }),
    three: drawChecks(billwerk, threeRoleUsers, { count: N, outcome: 'mixed', seed: 33 }),
  }
  for (const peer of sync) {
    const instance = await loadFor(peer, billwerk, [...oneRoleUsers, ...threeRoleUsers])
    const own = peer === rolegate
    // rolegate and the hand-written Set get the full million; slower libraries about MAX_MS of work.
    const calls = own || peer === baseline ? CHECKS : undefined
    if (own)
      await row(peer.name, 'A, one role', instance.prepare(aChecks.one), { target: true, calls })
    await row(peer.name, 'A, three roles', instance.prepare(aChecks.three), { target: own, calls })
  }
  const big = await loadFor(rolegate, large.policy, large.users)
  const bChecks = drawChecks(large.policy, large.users, { count: N, outcome: 'mixed', seed: 34 })
  await row('rolegate', 'B, 512 users', big.prepare(bChecks), { target: true, calls: CHECKS })
  await row('rolegate', 'context + first check (B)', contextRunner(large.policy, large.users), {
    target: false,
    calls: 100 * N,
  })
  printTable(
    'Allocation: bytes allocated per check',
    ['library', 'checks', 'calls', 'per call', 'target', 'result'],
    rows,
    [
      'method: gc(); v8.GCProfiler on; N calls; allocated = used-heap growth + bytes freed by every GC in between',
      '@rbac/rbac is not measured: its check is async and allocates Promises by construction',
    ],
  )
}
