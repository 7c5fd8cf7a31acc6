import { setImmediate as yieldToIo, setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import { benchStore, boundedResolver } from '../redis/fixture.js'
import { printTable, verdict } from '../report.js'
import { judge } from '../targets.js'
import { ISSUE } from './redis-cache.js'

const SAMPLES = 200
const WARMUP = 10
const TARGET_MS = 10
/** A sample that takes this long is a failure, not a slow sample. */
const GIVE_UP_MS = 2_000

/** `reports` grants kpi_charts read; `operations` does not: toggling `reports` flips the answer. */
const SUBJECT = { id: 'propagation' }
const BASE_ROLE = 'operations'
const TOGGLED_ROLE = 'reports'
const PERMISSION = 'kpi_charts:read'

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
const ms = (value: number): string => `${value.toFixed(2)} ms`

/**
 * Invalidation between two instances: A and B are two `redisStore`s on two ioredis connections
 * (B's resolver is bounded with a 10-minute bound and its own subscriber), so the only way B
 * learns of A's change is the pub/sub message. Per sample: B holds a confirmed copy (checked to
 * be a local hit), A assigns or revokes a role, and B is asked again on every turn of the event
 * loop until its answer changes. The time counts from the start of A's call (judged: an upper
 * bound) and from A's commit (its onChange, right after the compare-and-set script answered).
 */
export async function propagationScenario(
  clients: readonly [Redis, Redis],
  prefix: string,
): Promise<void> {
  let committedAt = NaN
  const a = benchStore(clients[0], prefix, () => (committedAt = performance.now()))
  const bStore = benchStore(clients[1], prefix)
  const b = boundedResolver(bStore, 600_000)
  try {
    await Promise.all([a.ready(), bStore.ready(), b.ready()])
    await a.assignments.assign(SUBJECT.id, BASE_ROLE)
    const seen: number[] = []
    const calls: number[] = []
    const afterCommit: number[] = []
    let early = 0
    let holds = false
    for (let s = 0; s < WARMUP + SAMPLES; s++) {
      await holdCopy(b, holds)
      holds = !holds
      const start = performance.now()
      const change = holds
        ? a.assignments.assign(SUBJECT.id, TOGGLED_ROLE)
        : a.assignments.revoke(SUBJECT.id, TOGGLED_ROLE)
      let acked = Infinity
      void change.then(() => (acked = performance.now()))
      while ((await b(SUBJECT)).can(PERMISSION) !== holds) {
        if (performance.now() - start > GIVE_UP_MS)
          throw new Error(`B did not see change ${s} within ${GIVE_UP_MS} ms`)
        await yieldToIo()
      }
      const visible = performance.now()
      await change
      if (s < WARMUP) continue
      seen.push(visible - start)
      calls.push(acked - start)
      afterCommit.push(visible - committedAt)
      if (visible < acked) early++
      await sleep(1)
    }
    report({ seen, calls, afterCommit }, early)
  } finally {
    await Promise.all([a.close(), bStore.close(), b.close()])
  }
}

/** B answers `holds` from a copy Redis confirmed, and the next request is a local hit. */
async function holdCopy(b: ReturnType<typeof boundedResolver>, holds: boolean): Promise<void> {
  if ((await b(SUBJECT)).can(PERMISSION) !== holds) throw new Error('B answers the wrong thing')
  const hits = b.stats().hits
  await b(SUBJECT)
  if (b.stats().hits !== hits + 1) throw new Error('B did not answer from its copy')
}

interface Samples {
  /** From the start of A's call to B answering with the change. */
  readonly seen: number[]
  /** From the start of A's call to its promise resolving. */
  readonly calls: number[]
  /** From A's commit to B answering with the change; negative when B answered first. */
  readonly afterCommit: number[]
}

function report({ seen, calls, afterCommit }: Samples, early: number): void {
  for (const list of [seen, calls, afterCommit]) list.sort((x, y) => x - y)
  const p99 = quantile(seen, 0.99)
  const pass = p99 < TARGET_MS
  judge({
    group: ISSUE,
    scenario: `invalidation propagation A → B (${SAMPLES} samples)`,
    target: `p99 < ${TARGET_MS} ms`,
    measured: `p50 ${ms(quantile(seen, 0.5))}, p99 ${ms(p99)} (from the start of A's change)`,
    pass,
  })
  const row = (what: string, list: readonly number[]): string[] => [
    what,
    ms(quantile(list, 0.5)),
    ms(quantile(list, 0.99)),
    ms(list.at(-1) ?? NaN),
  ]
  printTable(
    `Redis: invalidation propagation between two instances (${SAMPLES} samples after ${WARMUP} warm-up)`,
    ['interval', 'p50', 'p99', 'max', 'target', 'result'],
    [
      [
        ...row("start of A's change → B answers with it", seen),
        `p99 < ${TARGET_MS} ms`,
        verdict(pass),
      ],
      [...row("A's commit → B answers with it", afterCommit), '', ''],
      [...row("start of A's change → A's call resolves", calls), '', ''],
    ],
    [
      'A and B: separate redisStore objects on separate connections (one process); B bounded, 10-minute bound, its own subscriber',
      "A's change: custom roles' etag read, record read, compare-and-set script that PUBLISHes, then the role index update",
      "A's commit: A's onChange, called when the script has answered (before the role index update)",
      `B answered with the change before A's call resolved in ${early} of ${SAMPLES} samples; a negative time after commit: before A heard its own reply`,
    ],
  )
}
