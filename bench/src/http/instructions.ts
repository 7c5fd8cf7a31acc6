/**
 * Instructions per HTTP request, counted by valgrind's callgrind in a server under real load on
 * loopback. Unlike requests per second, the count depends little on what else the machine is
 * doing: callgrind counts the instructions the server executes, not the time they take. It is the
 * instrument for a difference of a few percent on a host whose timings move by more than that.
 * Little is not nothing: V8 sizes its heap by how fast the program allocates per millisecond, so a
 * server starved of CPU collects more often (seen: 15 to 20% more with four valgrinds on 2 cores).
 *
 * What it sees: every instruction the server process executes in user space, on all its threads
 * (JavaScript, V8's compilers and garbage collector, Node's HTTP parser), between two marks
 * (counted-listener.ts). What it does not see: time in the kernel (the socket calls, the same for
 * every variant), and what an instruction costs (cache misses). The first makes a guard's share of
 * the count larger than its share of the server's CPU time; the second can make it smaller, and on
 * Koa it does: CPU time reads a route guard at 4 to 6% of a request, the count at 3% (bench README,
 * session 8), and on Express it read rolegate at 96.4% of no guard where the count read 98.0%. So
 * a ratio read from counts is the throughput a CPU-bound server keeps only if a guard's instruction
 * costs what an average one does; on Koa it is an upper bound, not a floor.
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DUMP_AT, ZERO_AT } from './counted-listener.js'
import { ROUTE, type Variant } from './guards.js'
import { send, startServer, type LoadOptions } from './load.js'

/** Whether valgrind is installed (Debian's `valgrind` package). */
export const hasValgrind: boolean =
  spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0

export interface CountOptions extends Omit<LoadOptions, 'seconds'> {
  /** Requests before the count: the JIT settles in them (under valgrind it needs thousands). */
  readonly warm: number
  /** Requests counted. */
  readonly counted: number
  /** Node options for the counted server, beside the bench's own. */
  readonly nodeArgs?: readonly string[]
  /** Whether callgrind simulates the caches too (`--cache-sim=yes`, about twice as slow). */
  readonly cacheSim?: boolean
}

/** What callgrind counted, by event: `Ir` always, and the simulated caches' misses when asked. */
export type DumpTotals = { readonly Ir: number } & Readonly<Record<string, number | undefined>>

/**
 * The `totals:` line of callgrind's dump, by event (`Ir`, and with `--cache-sim=yes` the simulated
 * caches' misses: `I1mr`, `D1mr`, `D1mw` and the last level's): every event counted since the zero
 * mark.
 */
export function dumpTotals(dump: string): DumpTotals {
  if (!dump.includes(`Trigger: --dump-before=${DUMP_AT.slice(0, -1)}`))
    throw new Error(`the callgrind dump was not made at ${DUMP_AT}`)
  const totals = /^totals: ([\d ]+)$/m.exec(dump)?.[1]?.trim().split(' ')
  if (totals === undefined) throw new Error('the callgrind dump has no totals line')
  const events = /^events: (.+)$/m.exec(dump)?.[1]?.trim().split(' ') ?? ['Ir']
  if (events.length !== totals.length)
    throw new Error(`the callgrind dump has ${totals.length} totals for ${events.length} events`)
  const byEvent: Record<string, number> = Object.fromEntries(
    events.map((event, i) => [event, Number(totals[i])]),
  )
  const { Ir } = byEvent
  if (Ir === undefined) throw new Error('the callgrind dump counted no instructions')
  return { ...byEvent, Ir }
}

/**
 * The V8 runtime functions an inline-cache miss calls: a property load or store whose cache did
 * not know the object's shape (`Runtime_LoadIC_Miss`, `Runtime_KeyedStoreIC_Miss`, …).
 */
const MISS_HANDLER = /\bRuntime_\w*IC_Miss\(/

/**
 * The inline-cache misses in a callgrind dump: the calls into V8's miss handlers. A miss costs
 * thousands of instructions (about 4,000 on Express, whose requests get their prototype per
 * request, so that nearly every read of a `req` or `res` property misses), and unlike the totals
 * the count barely moves with timing: the A/A control reads within ±0.1 per request.
 */
export function inlineCacheMisses(dump: string): number {
  let misses = 0
  let callsMissHandler = false
  for (const line of dump.split('\n')) {
    // A call is written `cfn=<callee>`, then `calls=<count> <target>`, then its cost; `fn=`
    // starts the next caller.
    if (line.startsWith('cfn=')) callsMissHandler = MISS_HANDLER.test(line)
    else if (line.startsWith('fn=')) callsMissHandler = false
    else if (line.startsWith('calls=') && callsMissHandler)
      misses += Number(line.slice('calls='.length).split(' ')[0])
  }
  return misses
}

/** What one counted server executed per counted request. */
export interface PerRequest {
  readonly instructions: number
  readonly inlineCacheMisses: number
  /** Misses of the simulated L1 instruction cache, when the caches were simulated. */
  readonly instructionCacheMisses: number | undefined
}

/**
 * Starts a server for one framework and variant under callgrind, sends it `warm + counted`
 * requests (and a few more, so that the last counted one arrives), and gives the instructions it
 * executed, and the inline-cache misses it took, per counted request.
 */
export async function instructionsPerRequest(
  framework: 'express' | 'koa',
  variant: Variant,
  { warm, counted, nodeArgs, cacheSim = false, ...load }: CountOptions,
): Promise<PerRequest> {
  const dir = await mkdtemp(join(tmpdir(), 'rolegate-callgrind-'))
  const out = join(dir, 'callgrind.out')
  try {
    const server = await startServer(framework, variant, ROUTE, {
      under: [
        'valgrind',
        '--quiet',
        '--tool=callgrind',
        `--callgrind-out-file=${out}`,
        `--zero-before=${ZERO_AT}`,
        `--dump-before=${DUMP_AT}`,
        '--dump-instr=no',
        '--compress-strings=no',
        ...(cacheSim ? ['--cache-sim=yes'] : []),
      ],
      count: [warm, counted],
      nodeArgs,
    })
    try {
      await send(server, { ...load, amount: warm + counted + load.connections })
      await server.counted
    } finally {
      await server.stop()
    }
    // The first dump (`.1`) is the one the mark made; the process writes the rest at exit.
    const dump = await readFile(`${out}.1`, 'utf8')
    const { Ir, I1mr } = dumpTotals(dump)
    return {
      instructions: Ir / counted,
      inlineCacheMisses: inlineCacheMisses(dump) / counted,
      instructionCacheMisses: I1mr === undefined ? undefined : I1mr / counted,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
