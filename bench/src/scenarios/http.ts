import {
  ALLOWED_USER,
  BODY,
  DENIED_USER,
  LABELS,
  ROUTE,
  USER_HEADER,
  VARIANTS,
  chooseVariants,
  unguarded,
  type Variant,
} from '../http/guards.js'
import {
  combine,
  slice,
  startServer,
  warmUp,
  type LoadOptions,
  type LoadResult,
  type Server,
  type Slice,
} from '../http/load.js'
import type { InProcess } from '../http/in-process.js'
import { LOAD_CPU, SERVER_CPU, canPin, pinnedForLoad } from '../http/cpu-pinning.js'
import {
  FRAMEWORKS,
  ISSUE,
  NAMES,
  TARGET_RATIO,
  intervalText,
  judgeKept,
  outcome,
  percent,
  type Framework,
} from '../http/kept-target.js'
import { judgeMedian, median } from '../http/statistics.js'
import { duration, micros, printTable, rate, signed } from '../report.js'
import { judge } from '../targets.js'

/** Timed seconds per variant and round, run as SLICES slices taking turns with the other variants. */
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 2)
const SLICES = Number(process.env.BENCH_HTTP_SLICES ?? 4)
/** Warm-up of each server started for a round, before its first slice: the JIT settles in it. */
const WARMUP_SECONDS = Number(process.env.BENCH_HTTP_WARMUP ?? 1)
/** Six at least: the fewest rounds whose median has a 95% confidence interval. */
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 6)
/**
 * The variants to run, e.g. `none,set,rolegate` for a long run of the ones the 97% target
 * compares; a target whose variants did not run is not judged. `none`, its A/A `control` and
 * `rolegate` always run; by default every guard, and not the `extra-` variants, `core` or
 * `allow-all`, which split a cost and run when named.
 */
const ONLY_WHEN_NAMED: ReadonlySet<Variant> = new Set([
  'extra-use',
  'extra-route',
  'extra-both',
  'core',
  'allow-all',
])
const CHOSEN: readonly Variant[] = chooseVariants(
  'BENCH_HTTP_VARIANTS',
  process.env.BENCH_HTTP_VARIANTS,
  VARIANTS.filter((v) => !ONLY_WHEN_NAMED.has(v)),
)
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 10)

/** The variant answers 200 with the handler's body for the allowed user, 403 for the denied one, 401 with no user. */
async function verify(framework: Framework, variant: Variant, server: Server): Promise<void> {
  const guarded = !unguarded(variant)
  const expected = [
    [ALLOWED_USER, 200],
    [DENIED_USER, guarded ? 403 : 200],
    [undefined, guarded ? 401 : 200],
  ] as const
  for (const [user, status] of expected) {
    const headers: Record<string, string> = user === undefined ? {} : { [USER_HEADER]: user }
    const res = await fetch(server.url, { headers })
    const body = await res.text()
    if (res.status !== status || (status === 200 && body !== JSON.stringify(BODY)))
      throw new Error(
        `${NAMES[framework]} ${LABELS[variant]}: user ${String(user)} got ${res.status} ${body}, expected ${status}`,
      )
  }
}

/** Per framework and variant, the run of each round. */
type Runs = Map<Framework, Map<Variant, LoadResult[]>>

interface Job {
  readonly framework: Framework
  readonly variant: Variant
}

/** Starts a server per job, two at a time (each child loads its sources through tsx on start). */
async function startServers(jobs: readonly Job[]): Promise<Map<Job, Server>> {
  const servers = new Map<Job, Server>()
  try {
    for (let i = 0; i < jobs.length; i += 2)
      await Promise.all(
        jobs.slice(i, i + 2).map(async (job) => {
          servers.set(job, await startServer(job.framework, job.variant, ROUTE))
        }),
      )
  } catch (error) {
    await stopServers(servers)
    throw error
  }
  return servers
}

const stopServers = (servers: ReadonlyMap<Job, Server>): Promise<unknown> =>
  Promise.all([...servers.values()].map((s) => s.stop()))

/**
 * One round for one framework: warms every variant's server up, then runs SLICES short slices per
 * variant, taking turns (A B C … A B C …), so that every variant is timed across the same stretch
 * of the round: the machine's load drifts over seconds, and a variant timed in one block would
 * carry the drift of its moment into its ratio.
 */
async function runRound(
  own: readonly Job[],
  servers: ReadonlyMap<Job, Server>,
  options: Omit<LoadOptions, 'seconds'>,
  round: number,
): Promise<Map<Job, LoadResult>> {
  for (const job of own)
    await warmUp(servers.get(job) as Server, { ...options, seconds: WARMUP_SECONDS })
  const slices = new Map<Job, Slice[]>(own.map((job) => [job, []]))
  const seconds = SECONDS / SLICES
  for (let s = 0; s < SLICES; s++)
    for (let i = 0; i < own.length; i++) {
      // The order rotates from slice to slice and round to round: no variant always runs first.
      const job = own[(i + s + round) % own.length] as Job
      slices.get(job)?.push(await slice(servers.get(job) as Server, { ...options, seconds }))
    }
  const results = new Map<Job, LoadResult>()
  for (const [job, taken] of slices)
    results.set(job, combine(taken, await (servers.get(job) as Server).timeInProcess()))
  return results
}

/**
 * Issue 3: requests per second through Express 5 and Koa 3 on loopback, one variant of the guard
 * at a time, with autocannon here and each server in a child process of its own. Every round
 * starts a fresh server per variant: a server process can be faster or slower than another
 * running the same code by 20% or more for its whole life (measured: a no-guard server at 41 µs of
 * CPU per request in one run and 71 µs in another), so a process lives one round, and the medians
 * are taken over rounds. Within a round the variants take turns in short slices, and the ratio to
 * no guard is the median of each round's own ratio.
 */
export async function httpScenario(): Promise<void> {
  const jobs: Job[] = FRAMEWORKS.flatMap((framework) =>
    CHOSEN.map((variant) => ({ framework, variant })),
  )
  const runs: Runs = new Map(FRAMEWORKS.map((f) => [f, new Map(CHOSEN.map((v) => [v, []]))]))
  const options = { headers: { [USER_HEADER]: ALLOWED_USER }, connections: CONNECTIONS }
  console.log(
    `\nHTTP: ${ROUNDS} rounds; each starts ${jobs.length} servers and checks that each answers 200 / 403 / 401 for ${ALLOWED_USER} / ${DENIED_USER} / nobody; then per framework, ${WARMUP_SECONDS} s of warm-up per server, and ${SLICES} slices of ${SECONDS / SLICES} s per variant, taking turns`,
  )
  console.log(
    canPin
      ? `pinned: autocannon (this process) on CPU ${LOAD_CPU}, every server on CPU ${SERVER_CPU} (taskset)`
      : 'not pinned: taskset or a second CPU is missing; the scheduler places the processes',
  )
  await runRounds(jobs, runs, options)
  report(runs)
}

async function runRounds(
  jobs: readonly Job[],
  runs: Runs,
  options: Omit<LoadOptions, 'seconds'>,
): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    // Started on every CPU, since starting one loads its sources; pinned for the load only.
    const servers = await startServers(jobs)
    try {
      for (const job of jobs) await verify(job.framework, job.variant, servers.get(job) as Server)
      await pinnedForLoad(servers.values(), async () => {
        for (const framework of FRAMEWORKS) {
          const own = jobs.filter((job) => job.framework === framework)
          for (const [job, result] of await runRound(own, servers, options, round))
            runs.get(framework)?.get(job.variant)?.push(result)
        }
      })
    } finally {
      await stopServers(servers)
    }
    console.log(`[HTTP round ${round + 1}/${ROUNDS} done]`)
  }
}

interface Summary {
  /** Each round's req/s, in the order run. */
  readonly rounds: readonly number[]
  readonly rps: number
  readonly p99: number
  readonly cpu: number
  readonly busy: number
  readonly inProcessNs: number
  readonly inProcessBytes: number
}

function summarize(results: readonly LoadResult[]): Summary {
  return {
    rounds: results.map((r) => r.requestsPerSecond),
    rps: median(results.map((r) => r.requestsPerSecond)),
    p99: median(results.map((r) => r.p99Ms)),
    cpu: median(results.map((r) => r.cpuMicrosPerRequest)),
    busy: median(results.map((r) => r.utilization)),
    inProcessNs: median(results.map((r) => r.inProcess.ns)),
    inProcessBytes: median(results.map((r) => r.inProcess.bytes)),
  }
}

/** The median over rounds of `a`'s in-process ns per request minus `b`'s in the same round. */
const pairedInProcess = (
  a: readonly LoadResult[],
  b: readonly LoadResult[],
  pick: (inProcess: InProcess) => number,
): number => median(a.map((r, i) => pick(r.inProcess) - pick((b[i] as LoadResult).inProcess)))

/** Each round's req/s of `a` over `b`'s in the same round. */
const ratios = (a: readonly LoadResult[], b: readonly LoadResult[]): number[] =>
  a.map((r, i) => r.requestsPerSecond / (b[i] as LoadResult).requestsPerSecond)

/** The median over rounds of `a`'s req/s over `b`'s in the same round. */
const pairedRatio = (a: readonly LoadResult[], b: readonly LoadResult[]): number =>
  median(ratios(a, b))

/** The 95% confidence interval of {@link pairedRatio}, or a dash when too few rounds ran. */
const pairedInterval = (
  a: readonly LoadResult[],
  b: readonly LoadResult[],
  format: (ratio: number) => string = percent,
): string => intervalText(ratios(a, b), format)

/** The median over rounds of `a`'s CPU time per request minus `b`'s in the same round. */
const pairedCpu = (a: readonly LoadResult[], b: readonly LoadResult[]): number =>
  median(a.map((r, i) => r.cpuMicrosPerRequest - (b[i] as LoadResult).cpuMicrosPerRequest))

const times = (ratio: number): string => `${ratio.toFixed(2)}x`
const signedMicros = signed(micros)
const signedNs = signed(duration)
const signedBytes = signed((bytes) => `${Math.round(bytes)} B`)

/** The three targets for one framework, judged on paired ratios; returns the cells for rolegate's row. */
function judgeFramework(framework: Framework, runs: ReadonlyMap<Variant, LoadResult[]>): string[] {
  const of = (v: Variant): LoadResult[] => runs.get(v) as LoadResult[]
  const own = of('rolegate')
  const medians = (v: Variant): string =>
    `medians ${rate(summarize(own).rps)} vs ${rate(summarize(of(v)).rps)} req/s`
  const beats = (v: Variant): string =>
    judge({
      group: ISSUE,
      scenario: `${NAMES[framework]}: rolegate beats ${LABELS[v]}`,
      target: `more req/s than ${LABELS[v]}`,
      measured: `${times(pairedRatio(own, of(v)))}, 95% CI ${pairedInterval(own, of(v), times)} (${medians(v)})`,
      ...outcome(judgeMedian(ratios(own, of(v)), 1, true)),
    })
  const { outcome: keptOutcome, control } = judgeKept(
    ratios(own, of('none')),
    ratios(of('control'), of('none')),
  )
  const kept = judge({
    group: ISSUE,
    scenario: `${NAMES[framework]}: rolegate requirePermission vs no guard`,
    target: `≥ ${percent(TARGET_RATIO)} of no guard's req/s`,
    measured: `${percent(pairedRatio(own, of('none')))}, 95% CI ${pairedInterval(own, of('none'))} (${control}; ${medians('none')})`,
    ...keptOutcome,
  })
  const beatsIfRun = (v: Variant): string => (runs.has(v) ? beats(v) : 'not run')
  return [kept, beatsIfRun('casl'), beatsIfRun('casbin')]
}

function report(runs: Runs): void {
  const rows: string[][] = []
  for (const [framework, byVariant] of runs) {
    const none = byVariant.get('none') as LoadResult[]
    const verdicts = judgeFramework(framework, byVariant)
    for (const [variant, results] of byVariant) {
      const summary = summarize(results)
      rows.push([
        NAMES[framework],
        LABELS[variant],
        rate(summary.rps),
        summary.rounds.map((r) => rate(r)).join(' '),
        `${summary.p99.toFixed(2)} ms`,
        variant === 'none' ? '—' : percent(pairedRatio(results, none)),
        variant === 'none' ? '—' : pairedInterval(results, none),
        micros(summary.cpu),
        variant === 'none' ? '—' : signedMicros(pairedCpu(results, none)),
        `${Math.round(summary.busy * 100)}%`,
        duration(summary.inProcessNs),
        variant === 'none' ? '—' : signedNs(pairedInProcess(results, none, (p) => p.ns)),
        `${Math.round(summary.inProcessBytes)} B`,
        variant === 'none' ? '—' : signedBytes(pairedInProcess(results, none, (p) => p.bytes)),
        ...(variant === 'rolegate' ? verdicts : ['', '', '']),
      ])
    }
  }
  printTable(
    `HTTP: GET ${ROUTE} on loopback, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per variant (${SLICES} slices, taking turns), a fresh server per variant and round`,
    [
      'framework',
      'variant',
      'req/s',
      'each round (req/s)',
      'p99',
      'vs no guard',
      '95% CI',
      'server CPU/req',
      'guard CPU/req',
      'server busy',
      'in process',
      'guard in process',
      'bytes/req',
      'guard bytes',
      `≥ ${percent(TARGET_RATIO)}`,
      '> CASL',
      '> casbin',
    ],
    rows,
    [
      'server: a child process per framework, variant and round, the same route, handler and subject middleware (x-user header → { id, roles }); a full GC in it before the warm-up',
      'load: autocannon in the bench process, keep-alive, no pipelining, only the allowed user; any error or non-2xx answer aborts the run',
      "req/s, p99, CPU: medians over the rounds; p99 from every response's own latency (autocannon's histogram rounds to whole ms); server CPU/req: the child's user+system CPU time / requests",
      "vs no guard: the median over rounds of each round's ratio; 95% CI: the sign test's interval for that median (from 6 rounds; 25 rounds leave out the 7 lowest and 7 highest); guard CPU/req: the median of each round's server CPU/req minus no guard's, the guard's own cost",
      "the targets are judged on the interval: PASS when all of it meets the target, FAIL when none of it does, OPEN when it straddles the line (the run cannot tell); the A/A control, no guard against itself in another server, shows how far this run's measurement moves on its own, and the 97% target is OPEN unless the control's interval lies within 97% to 103%",
      "server busy: the child's event-loop utilization (near 100%: the server is the bottleneck)",
      "in process: the median time of one request through the server's app in its own process, without sockets (after its slices); guard in process: the median of each round's difference from no guard's",
      "bytes/req: what one request allocates in process (2,000 counted after the timing); guard bytes: the median of each round's difference from no guard's",
      "CASL, Ability per request: createMongoAbility(the roles' rules) in the middleware, as CASL's docs do; cached: one Ability per user, kept",
      '> CASL is judged against the per-request Ability; the cached one is shown for comparison',
    ],
  )
}
