import { do_not_optimize } from 'mitata'
import { fullGc, liveBytes } from '../heap.js'
import type { Peer } from '../peers/peer.js'
import { rolegate } from '../peers/rolegate.js'
import type { NeutralPolicy } from '../policies/neutral.js'
import { duration, mib, printTable, ratio } from '../report.js'
import { judge } from '../targets.js'

/** Builds slower than this are timed once (cold) and not repeated. */
const REPEAT_BELOW_MS = 1000
const RUNS = 9
/** The first runs warm the JIT; the median is taken over the rest. */
const DISCARD = 2

async function timeBuild(build: () => unknown): Promise<number> {
  const start = process.hrtime.bigint()
  // Awaited and dropped: a build has side effects the JIT cannot remove, and keeping it would
  // distort the next retained-heap reading.
  await build()
  return Number(process.hrtime.bigint() - start)
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/**
 * C. Compile time and retained heap of B's policy (about 40,000 grants). Each library builds its
 * own structure from its own input, prepared untimed: rolegate's policy object, CASL's raw rules
 * (one Ability per role), casbin's policy text, accesscontrol's grants object, @rbac/rbac's roles.
 * Warm: RUNS builds, the median of the last RUNS - DISCARD. Retained: live bytes (heap +
 * ArrayBuffers) after a full GC, with and without one more built structure kept referenced.
 */
export async function compileScenario(
  peers: readonly Peer[],
  policy: NeutralPolicy,
): Promise<void> {
  const rows: string[][] = []
  const notes: string[] = []
  const results = new Map<Peer, { warm: number; retained: number }>()
  for (const peer of peers) {
    const compiler = peer.compiler?.(policy)
    if (compiler === undefined) continue
    fullGc()
    const cold = await timeBuild(() => compiler.build())
    const times = [cold]
    if (cold < REPEAT_BELOW_MS * 1e6) {
      while (times.length < RUNS) times.push(await timeBuild(() => compiler.build()))
    } else {
      notes.push(`${peer.name}: one build took ${duration(cold)}; timed once, not repeated`)
    }
    const warm = times.length > DISCARD ? median(times.slice(DISCARD)) : cold
    do_not_optimize(undefined) // mitata's sink may still hold another library's structure
    fullGc()
    const before = liveBytes()
    let kept: unknown = await compiler.build()
    fullGc()
    const retained = liveBytes() - before
    do_not_optimize(kept)
    kept = undefined
    do_not_optimize(kept)
    results.set(peer, { warm, retained })
    rows.push([
      peer.name,
      compiler.size,
      duration(cold),
      times.length > DISCARD ? duration(warm) : 'n/a',
      mib(retained),
    ])
  }
  const own = results.get(rolegate)
  if (own === undefined) throw new Error('rolegate must be among the peers')
  const targetRows = rows.map((row) => {
    const peer = peers.find((p) => p.name === row[0]) as Peer
    const r = results.get(peer) as { warm: number; retained: number }
    if (peer !== rolegate) return [...row, ratio(r.warm, own.warm), '', '']
    const time = judge({
      scenario: 'C. compile B (warm)',
      target: '< 50 ms',
      measured: duration(r.warm),
      pass: r.warm < 50e6,
    })
    const heap = judge({
      scenario: 'C. retained heap of B',
      target: '< 10 MiB',
      measured: mib(r.retained),
      pass: r.retained < 10 * 2 ** 20,
    })
    return [...row, '—', `< 50 ms, < 10 MiB`, `${time}, ${heap}`]
  })
  printTable(
    "C. compile B's policy: time and retained heap",
    [
      'library',
      'what is built',
      'cold',
      `warm (median of ${RUNS - DISCARD})`,
      'retained',
      'warm vs rolegate',
      'target',
      'result',
    ],
    targetRows,
    [
      'retained = live bytes (JS heap + ArrayBuffers) after gc() with one built structure kept, minus before',
      ...notes,
    ],
  )
}
