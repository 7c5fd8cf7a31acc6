import {
  ALLOWED_USER,
  BODY,
  DENIED_USER,
  LABELS,
  ROUTE,
  USER_HEADER,
  VARIANTS,
  type Variant,
} from '../http/guards.js'
import { load, startServer, type LoadResult, type Server } from '../http/load.js'
import { printTable, rate } from '../report.js'
import { judge } from '../targets.js'

const FRAMEWORKS = ['express', 'koa'] as const
type Framework = (typeof FRAMEWORKS)[number]
const NAMES: Readonly<Record<Framework, string>> = { express: 'Express 5', koa: 'Koa 3' }

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 2)
/** Warm-up before each run; the first round's is longer, while the JIT settles. */
const WARMUP_SECONDS = Number(process.env.BENCH_HTTP_WARMUP ?? 0.5)
const FIRST_WARMUP_SECONDS = 2
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 5)
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 10)
const TARGET_RATIO = 0.97
const ISSUE = 'issue 3: HTTP'

/** The variant answers 200 with the handler's body for the allowed user, 403 for the denied one, 401 with no user. */
async function verify(framework: Framework, variant: Variant, server: Server): Promise<void> {
  const guarded = variant !== 'none'
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

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Per framework and variant, the run of each round. */
type Runs = Map<Framework, Map<Variant, LoadResult[]>>

/**
 * Issue 3: requests per second through Express 5 and Koa 3 on loopback, one variant of the guard
 * at a time. Servers run in a child process per framework; autocannon runs here. Every variant is
 * run once per round, in an order that rotates from round to round, and the median of the rounds
 * is reported.
 */
export async function httpScenario(): Promise<void> {
  const jobs = FRAMEWORKS.flatMap((framework) =>
    VARIANTS.map((variant) => ({ framework, variant })),
  )
  const servers = new Map<string, Server>()
  const key = (framework: Framework, variant: Variant): string => `${framework}/${variant}`
  try {
    // Two at a time: each child compiles the sources through tsx on start.
    for (let i = 0; i < jobs.length; i += 2)
      await Promise.all(
        jobs.slice(i, i + 2).map(async ({ framework, variant }) => {
          servers.set(key(framework, variant), await startServer(framework, variant, ROUTE))
        }),
      )
    for (const { framework, variant } of jobs)
      await verify(framework, variant, servers.get(key(framework, variant)) as Server)
    console.log(
      `\nHTTP: every variant answered 200 / 403 / 401 for ${ALLOWED_USER} / ${DENIED_USER} / nobody; timing ${ROUNDS} rounds × ${jobs.length} servers × (${WARMUP_SECONDS} s warm-up, ${FIRST_WARMUP_SECONDS} s in round 1, + ${SECONDS} s)`,
    )
    const runs: Runs = new Map(FRAMEWORKS.map((f) => [f, new Map(VARIANTS.map((v) => [v, []]))]))
    const options = {
      headers: { [USER_HEADER]: ALLOWED_USER },
      connections: CONNECTIONS,
      seconds: SECONDS,
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const framework of FRAMEWORKS)
        for (let i = 0; i < VARIANTS.length; i++) {
          // The order rotates from round to round, so no variant always runs first or last.
          const variant = VARIANTS[(i + round) % VARIANTS.length] as Variant
          const server = servers.get(key(framework, variant)) as Server
          runs
            .get(framework)
            ?.get(variant)
            ?.push(await load(server, options, WARMUP_SECONDS))
        }
      console.log(`[HTTP round ${round + 1}/${ROUNDS} done]`)
    }
    report(runs)
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()))
  }
}

interface Summary {
  /** Each round's req/s, in the order run. */
  readonly rounds: readonly number[]
  readonly rps: number
  readonly p99: number
  readonly cpu: number
  readonly busy: number
}

function summarize(results: readonly LoadResult[]): Summary {
  return {
    rounds: results.map((r) => r.requestsPerSecond),
    rps: median(results.map((r) => r.requestsPerSecond)),
    p99: median(results.map((r) => r.p99Ms)),
    cpu: median(results.map((r) => r.cpuMicrosPerRequest)),
    busy: median(results.map((r) => r.utilization)),
  }
}

const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`
const micros = (us: number): string => `${us.toFixed(1)} µs`
const signed = (us: number): string => `${us >= 0 ? '+' : '−'}${Math.abs(us).toFixed(1)} µs`

/** The three targets for one framework, judged on the medians; returns the cells for rolegate's row. */
function judgeFramework(framework: Framework, s: ReadonlyMap<Variant, Summary>): string[] {
  const at = (v: Variant): Summary => s.get(v) as Summary
  const own = at('rolegate')
  const ratio = own.rps / at('none').rps
  const beats = (v: Variant): string =>
    judge({
      group: ISSUE,
      scenario: `${NAMES[framework]}: rolegate beats ${LABELS[v]}`,
      target: `more req/s than ${LABELS[v]}`,
      measured: `${rate(own.rps)} vs ${rate(at(v).rps)} req/s (${(own.rps / at(v).rps).toFixed(2)}x)`,
      pass: own.rps > at(v).rps,
    })
  const kept = judge({
    group: ISSUE,
    scenario: `${NAMES[framework]}: rolegate requirePermission vs no guard`,
    target: `≥ ${percent(TARGET_RATIO)} of no guard's req/s`,
    measured: `${percent(ratio)} (${rate(own.rps)} vs ${rate(at('none').rps)} req/s)`,
    pass: ratio >= TARGET_RATIO,
  })
  return [kept, beats('casl'), beats('casbin')]
}

function report(runs: Runs): void {
  const rows: string[][] = []
  for (const [framework, byVariant] of runs) {
    const s = new Map([...byVariant].map(([v, results]) => [v, summarize(results)]))
    const none = s.get('none') as Summary
    const verdicts = judgeFramework(framework, s)
    for (const [variant, summary] of s) {
      rows.push([
        NAMES[framework],
        LABELS[variant],
        rate(summary.rps),
        summary.rounds.map((r) => rate(r)).join(' '),
        `${summary.p99.toFixed(2)} ms`,
        variant === 'none' ? '—' : percent(summary.rps / none.rps),
        micros(summary.cpu),
        variant === 'none' ? '—' : signed(summary.cpu - none.cpu),
        `${Math.round(summary.busy * 100)}%`,
        ...(variant === 'rolegate' ? verdicts : ['', '', '']),
      ])
    }
  }
  printTable(
    `HTTP: GET ${ROUTE} on loopback, ${CONNECTIONS} connections, median of ${ROUNDS} rounds of ${SECONDS} s`,
    [
      'framework',
      'variant',
      'req/s',
      'each round (req/s)',
      'p99',
      'vs no guard',
      'server CPU/req',
      'guard CPU/req',
      'server busy',
      `≥ ${percent(TARGET_RATIO)}`,
      '> CASL',
      '> casbin',
    ],
    rows,
    [
      'server: a child process per framework and variant, the same route, handler and subject middleware (x-user header → { id, roles }); a full GC in it before each warm-up',
      'load: autocannon in the bench process, keep-alive, no pipelining, only the allowed user; any error or non-2xx answer aborts the run',
      "req/s, p99, CPU: medians over the rounds; p99 from every response's own latency (autocannon's histogram rounds to whole ms); server CPU/req: the child's user+system CPU time / requests",
      "guard CPU/req: server CPU/req minus no guard's, the guard's own cost; server busy: the child's event-loop utilization (near 100%: the server is the bottleneck)",
      "CASL, Ability per request: createMongoAbility(the roles' rules) in the middleware, as CASL's docs do; cached: one Ability per user, kept",
      '> CASL is judged against the per-request Ability; the cached one is shown for comparison',
    ],
  )
}
