import type { RedisContextResolver, RedisStore } from '@rolegate/redis'
import type { Redis } from 'ioredis'
import { bestOfRounds, type Timing } from '../measure.js'
import type { Runner } from '../peers/peer.js'
import {
  assignAll,
  benchStore,
  boundedResolver,
  redisChecks,
  redisUsers,
  type RedisCheck,
} from '../redis/fixture.js'
import { decisions, pings, verify } from '../redis/runners.js'
import { commandTotal, countTraffic, type Traffic } from '../redis/traffic.js'
import { duration, printTable, rate } from '../report.js'
import { judge } from '../targets.js'

/** Subjects in Redis, decisions drawn over them, and how many run at once in the concurrent rows. */
const SUBJECTS = 256
const CHECKS = 4096
const IN_FLIGHT = 64
/** A bound no measurement outlasts, and one every request has outlived. */
const LONG_BOUND_MS = 600_000
const EXPIRED_BOUND_MS = 1e-6

export const LOCAL_HIT_TARGET_NS = 1_000
export const ISSUE = 'issue 4: Redis'

interface Row {
  readonly label: string
  readonly how: string
  /** Decisions per batch: 1 runs them one after another, more run concurrently. */
  readonly width: number
  readonly runner: Runner
  /** How many runner indices to time (a power of two). */
  readonly count: number
  /** The baseline row this one is compared with. */
  readonly ping?: boolean
}

interface Resolvers {
  readonly store: RedisStore
  readonly local: RedisContextResolver
  readonly expired: RedisContextResolver
  readonly miss: RedisContextResolver
}

/** Four ways to resolve over one client: strict (the store's), and three bounded resolvers. */
function resolversOver(client: Redis, prefix: string): Resolvers {
  const store = benchStore(client, prefix)
  return {
    store,
    local: boundedResolver(store, LONG_BOUND_MS),
    expired: boundedResolver(store, EXPIRED_BOUND_MS),
    miss: boundedResolver(store, LONG_BOUND_MS, 1),
  }
}

function rowsOf(client: Redis, r: Resolvers, checks: readonly RedisCheck[]): Row[] {
  const rows: Row[] = []
  const add = (
    label: string,
    how: string,
    make: (width: number) => Runner,
    widths: number[],
  ): void => {
    for (const width of widths)
      rows.push({
        label,
        how,
        width,
        runner: make(width),
        count: width === 1 ? CHECKS : CHECKS / width,
      })
  }
  add('PING (the round-trip floor)', 'PING', (w) => pings(client, w), [1, IN_FLIGHT])
  add('local hit', 'bounded, within the bound: nothing', (w) => decisions(r.local, checks, w), [1])
  add(
    'Redis hit, bounded past its bound',
    "HGET epoch ‖ HGET custom roles' etag",
    (w) => decisions(r.expired, checks, w),
    [1, IN_FLIGHT],
  )
  add(
    'Redis hit, strict',
    "HGET epoch ‖ HGET custom roles' etag",
    (w) => decisions(r.store.resolve, checks, w),
    [1, IN_FLIGHT],
  )
  add(
    'miss (not cached; LRU of 1)',
    "HMGET epoch + assignments ‖ HGET custom roles' etag",
    (w) => decisions(r.miss, checks, w),
    [1, IN_FLIGHT],
  )
  return rows
}

const perDecision = (n: number): string => (n / SUBJECTS).toFixed(2)
const names = (t: Traffic): string =>
  [...t.commands].map(([name, n]) => `${name} ×${perDecision(n)}`).join(', ') || 'none'

/**
 * Decisions through the cache: a local hit, a Redis hit (bounded past its bound, and strict), and
 * a miss, each one at a time and 64 at once, beside a PING on the same client. Round trips are
 * counted on the socket for each row over 256 decisions, one at a time.
 */
export async function cacheScenario(client: Redis, prefix: string): Promise<void> {
  const r = resolversOver(client, prefix)
  const all = [r.store.resolve, r.local, r.expired, r.miss]
  try {
    await Promise.all([r.store.ready(), r.local.ready(), r.expired.ready(), r.miss.ready()])
    const users = redisUsers(SUBJECTS)
    await assignAll(r.store, users)
    const checks = redisChecks(users, CHECKS)
    for (const [label, resolve] of [
      ['strict', r.store.resolve],
      ['local', r.local],
      ['expired', r.expired],
      ['miss', r.miss],
    ] as const)
      await verify(label, resolve, checks, IN_FLIGHT)
    const rows = rowsOf(client, r, checks)
    const traffic = new Map<Row, Traffic>()
    for (const row of rows.filter((row) => row.width === 1))
      traffic.set(
        row,
        await countTraffic(client, async () => void (await row.runner.run(0, SUBJECTS))),
      )
    const timings = await bestOfRounds(
      rows.map((row) => ({ runner: row.runner, count: row.count, async: true })),
    )
    report(rows, timings, traffic)
  } finally {
    await Promise.all(all.map((resolve) => resolve.close()))
  }
}

function report(
  rows: readonly Row[],
  timings: readonly Timing[],
  traffic: ReadonlyMap<Row, Traffic>,
): void {
  const nsOf = (row: Row): number => (timings[rows.indexOf(row)] as Timing).ns / row.width
  const find = (label: string, width: number): Row =>
    rows.find((row) => row.label.startsWith(label) && row.width === width) as Row
  const local = find('local hit', 1)
  const strict = find('Redis hit, strict', 1)
  const strictTraffic = traffic.get(strict) as Traffic
  const localResult = judge({
    group: ISSUE,
    scenario: 'local hit (bounded mode, within the bound): resolve + can',
    target: `< ${duration(LOCAL_HIT_TARGET_NS)}`,
    measured: duration(nsOf(local)),
    pass: nsOf(local) < LOCAL_HIT_TARGET_NS,
  })
  const strictResult = judge({
    group: ISSUE,
    scenario: 'strict mode: Redis traffic per request',
    target: '≤ 1 round trip (auto-pipelined)',
    measured: `${perDecision(strictTraffic.writes)} round trips, ${perDecision(commandTotal(strictTraffic))} commands (${names(strictTraffic)}); ${duration(nsOf(strict))} vs PING ${duration(nsOf(find('PING', 1)))}`,
    pass: strictTraffic.writes <= SUBJECTS,
  })
  const table = rows.map((row) => {
    const t = traffic.get(row)
    const ping = find('PING', row.width)
    const ns = nsOf(row)
    return [
      row.label,
      row.how,
      String(row.width),
      t === undefined ? '' : perDecision(t.writes),
      t === undefined ? '' : names(t),
      duration(ns),
      rate(1e9 / ns),
      row === ping ? '—' : row === local ? '' : `${(ns / nsOf(ping)).toFixed(2)}x`,
      row === local ? `< ${duration(LOCAL_HIT_TARGET_NS)}` : row === strict ? '≤ 1 round trip' : '',
      row === local ? localResult : row === strict ? strictResult : '',
    ]
  })
  printTable(
    'Redis: decisions through the context cache (resolve + can), billwerk policy, 256 subjects',
    [
      'what',
      'Redis is asked',
      'in flight',
      'round trips/decision',
      'commands/decision',
      'time/decision (median)',
      'decisions/s',
      'vs PING',
      'target',
      'result',
    ],
    table,
    [
      'one at a time: time per decision = latency; 64 in flight: wall time / 64 = throughput (auto-pipelining batches concurrent requests)',
      `round trips = writes on the client's socket, commands = ioredis sendCommand calls, over ${SUBJECTS} sequential decisions;`,
      `  the server saw ${strictTraffic.seenByServer} commands from the strict row's connection (MONITOR), the client counted ${commandTotal(strictTraffic)}`,
      `"‖": sent in the same tick, so auto-pipelining writes both in one round trip`,
    ],
  )
}
