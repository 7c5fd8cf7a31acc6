import { do_not_optimize, measure } from 'mitata'
import type { Runner } from './peers/peer.js'

/** A timed row: the median cost of one check and what it makes per second. */
export interface Timing {
  /** Median over samples of (sample time / checks in the sample). */
  readonly ns: number
  readonly perSecond: number
  /** Checks per measured call. */
  readonly chunk: number
  readonly samples: number
}

/** How long one benchmark may take, in ms of timed work (mitata's min_cpu_time). */
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 100)

/** Each library is timed this many times per row, taking turns with the others; the best median is kept. */
export const ROUNDS = 5

/** About how long one call of the measured function should take: long enough to dwarf the harness. */
const CALL_NS = 40_000

function largestPowerOfTwoAtMost(n: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(1, n)))
}

/**
 * Times `runner` over `n` drawn checks (a power of two). Each measured call runs a chunk of `k`
 * consecutive checks (a power of two, sized so a call takes about 40 µs, at most all `n`) and the
 * next call moves on to the next chunk, so samples cycle through every drawn check. mitata batches
 * fast calls, warms up, runs `gc()` before sampling, and reports the median sample; dividing by
 * `k` gives ns per check. The inner loop is the library's own adapter code, so nothing but
 * its check and an array read sits between two checks.
 */
export async function timeChecks(
  runner: Runner,
  n: number,
  options: { readonly async: boolean; readonly budgetMs?: number },
): Promise<Timing> {
  if (largestPowerOfTwoAtMost(n) !== n) throw new Error(`check count ${n} is not a power of two`)
  const perCheck = await estimate(runner, n)
  const k = Math.min(n, largestPowerOfTwoAtMost(CALL_NS / perCheck))
  let offset = 0
  const next = (): number => {
    const from = offset
    offset = (offset + k) & (n - 1)
    return from
  }
  const sync = (): void => {
    const from = next()
    do_not_optimize(runner.run(from, from + k))
  }
  const async = async (): Promise<void> => {
    const from = next()
    do_not_optimize(await runner.run(from, from + k))
  }
  const stats = await measure(options.async ? async : sync, {
    min_cpu_time: (options.budgetMs ?? BUDGET_MS) * 1e6,
    batch_samples: 64,
    // A call of casbin on B takes tens of ms: fewer samples keep the run within minutes.
    min_samples: perCheck * k > 10e6 ? 4 : 8,
  })
  const ns = stats.p50 / k
  return {
    ns,
    perSecond: 1e9 / ns,
    chunk: k,
    samples: stats.samples.length,
  }
}

/** ns per check of one untimed pass over `count` checks: for sizing, not for reporting. */
export async function probe(runner: Runner, count: number): Promise<number> {
  const start = process.hrtime.bigint()
  await runner.run(0, count)
  return Math.max(1, Number(process.hrtime.bigint() - start) / count)
}

/**
 * A rough ns per check for sizing: one check first (a casbin check on B takes tens of ms, so
 * that is all it gets), then the best of three passes over 16 for everything faster.
 */
async function estimate(runner: Runner, n: number): Promise<number> {
  await runner.run(0, 1) // a library's very first call pays for its JIT
  const one = await probe(runner, 1)
  if (one > 1e6) return one
  // The best of three passes: a sizing pass that another process interrupts would shrink the prefix.
  let best = Infinity
  for (let pass = 0; pass < 3; pass++) best = Math.min(best, await probe(runner, Math.min(n, 16)))
  return best
}

/**
 * How many of the `n` drawn checks a slow library can be verified and timed on within about
 * `maxMs`: all of them for most, a power-of-two prefix (at least 16) for casbin on large policies.
 */
export async function affordable(runner: Runner, n: number, maxMs = 1500): Promise<number> {
  const perCheck = await estimate(runner, n)
  const fits = Math.floor((maxMs * 1e6) / perCheck)
  return Math.max(Math.min(16, n), Math.min(n, largestPowerOfTwoAtMost(fits)))
}

/** One row to time: a runner over `count` drawn checks. */
export interface Job {
  readonly runner: Runner
  readonly count: number
  readonly async: boolean
}

/**
 * Times every job ROUNDS times, going through all of them before starting over, and keeps each
 * job's best median. Rounds of one row are then far apart in time, so a burst of load from another
 * process spoils one round of a row rather than the row.
 */
export async function bestOfRounds(jobs: readonly Job[]): Promise<Timing[]> {
  const best: Timing[] = []
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, job] of jobs.entries()) {
      const timing = await timeChecks(job.runner, job.count, { async: job.async })
      const previous = best[i]
      if (previous === undefined || timing.ns < previous.ns) best[i] = timing
    }
  }
  return best
}
