import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import type { InProcess } from './in-process.js'
import type { ServerMessage } from './server.js'

/** A server child process for one variant: its port, its CPU time on request, a full GC. */
export interface Server {
  readonly url: string
  readonly pid: number
  /** With {@link Launch.count}: resolves once the counted requests have arrived. */
  readonly counted: Promise<void>
  usage(): Promise<Usage>
  gc(): Promise<void>
  /** One request through the server's app in its own process, without sockets: ns and bytes. */
  timeInProcess(): Promise<InProcess>
  stop(): Promise<void>
}

interface Usage {
  readonly cpuMicros: number
  readonly idle: number
  readonly active: number
}

const serverScript = fileURLToPath(new URL('./server.ts', import.meta.url))

/** Waits for the child's next message of `type`; rejects if the child exits first. */
function nextMessage<T extends ServerMessage['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<ServerMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ServerMessage): void => {
      if (message.type !== type) return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(message as Extract<ServerMessage, { type: T }>)
    }
    const onExit = (code: number | null): void => {
      child.off('message', onMessage)
      reject(new Error(`a bench server exited with ${String(code)}`))
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

/** How to start a server other than as a plain child process of this Node. */
export interface Launch {
  /** A program that runs Node under it, with its arguments, e.g. `['valgrind', '-q']`. */
  readonly under?: readonly string[]
  /** Requests to let through before counting, and requests to count (counted-listener.ts). */
  readonly count?: readonly [warm: number, counted: number]
  /** Node options added to the bench's own, e.g. `['--single-threaded']`. */
  readonly nodeArgs?: readonly string[] | undefined
}

/** Node's options for every server: full GCs on request, and the bench's sources through tsx. */
const NODE_OPTIONS = ['--expose-gc', '--import', 'tsx']

/** Forks `server.ts` for one framework and variant (sources through tsx) and waits for its port. */
export async function startServer(
  framework: 'express' | 'koa',
  variant: string,
  path: string,
  { under, count, nodeArgs = [] }: Launch = {},
): Promise<Server> {
  const [program, ...programArgs] = under ?? []
  const nodeOptions = [...NODE_OPTIONS, ...nodeArgs]
  const child: ChildProcess = fork(
    serverScript,
    [framework, variant, ...(count === undefined ? [] : ['--count', count.join(',')])],
    {
      // No source condition: the servers run rolegate's built packages, as users do.
      ...(program === undefined
        ? { execArgv: nodeOptions }
        : { execPath: program, execArgv: [...programArgs, process.execPath, ...nodeOptions] }),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  )
  const counted = count === undefined ? new Promise<never>(() => {}) : nextMessage(child, 'counted')
  counted.catch(() => {}) // the caller awaits it; an exit before it is reported there
  const { port } = await nextMessage(child, 'ready')
  const ask = async <T extends 'usage' | 'gc' | 'time'>(
    type: T,
  ): Promise<Extract<ServerMessage, { type: T }>> => {
    const reply = nextMessage(child, type)
    child.send(type)
    return reply
  }
  return {
    url: `http://127.0.0.1:${port}${path}`,
    pid: child.pid as number,
    counted: counted.then(() => undefined),
    usage: () => ask('usage'),
    gc: async () => void (await ask('gc')),
    timeInProcess: async () => {
      const { ns, bytes } = await ask('time')
      return { ns, bytes }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.disconnect()
      await exited
    },
  }
}

/** One variant's timed runs of a round, taken together. */
export interface LoadResult {
  readonly requestsPerSecond: number
  /** From every 2xx response's own latency (autocannon's histogram keeps whole milliseconds). */
  readonly p99Ms: number
  /** The server process's CPU time (user + system) per request. */
  readonly cpuMicrosPerRequest: number
  /** The server's event-loop utilization during the runs: near 1 means the server was the bottleneck. */
  readonly utilization: number
  readonly requests: number
  /** One request in the server's own process, without sockets: median ns, and bytes allocated. */
  readonly inProcess: InProcess
}

export interface LoadOptions {
  readonly headers: Readonly<Record<string, string>>
  readonly connections: number
  readonly seconds: number
}

/** How much load: for so many seconds, or so many requests. */
type Limit = { readonly seconds: number } | { readonly amount: number }

/** autocannon's programmatic API; fails on any error, timeout or non-2xx answer. */
function cannon(
  url: string,
  options: Omit<LoadOptions, 'seconds'> & Limit,
  latencies?: number[],
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        headers: { ...options.headers },
        connections: options.connections,
        ...('amount' in options ? { amount: options.amount } : { duration: options.seconds }),
        pipelining: 1,
      },
      (error, result) => {
        if (error !== null && error !== undefined) reject(error as Error)
        else if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0)
          reject(
            new Error(
              `${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`,
            ),
          )
        else resolve(result)
      },
    )
    if (latencies !== undefined)
      instance.on('response', (_client, _status, _bytes, responseTime) => {
        latencies.push(responseTime)
      })
  })
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
}

/** A full GC in the server, then a run whose answers are not kept, while the JIT settles. */
export async function warmUp(server: Server, options: LoadOptions): Promise<void> {
  await server.gc()
  await cannon(server.url, options)
}

/** Sends `amount` requests, all of which must answer 2xx, and resolves when they have answered. */
export async function send(
  server: Server,
  options: Omit<LoadOptions, 'seconds'> & { readonly amount: number },
): Promise<void> {
  await cannon(server.url, options)
}

/** One timed run, with the server's CPU time and event-loop utilization read around it. */
export interface Slice {
  readonly requests: number
  readonly seconds: number
  readonly cpuMicros: number
  readonly active: number
  readonly idle: number
  readonly latencies: readonly number[]
}

/** Runs the load once against a server and reads what it cost the server. */
export async function slice(server: Server, options: LoadOptions): Promise<Slice> {
  const latencies: number[] = []
  const before = await server.usage()
  const result = await cannon(server.url, options, latencies)
  const after = await server.usage()
  return {
    requests: result.requests.total,
    seconds: result.duration,
    cpuMicros: after.cpuMicros - before.cpuMicros,
    active: after.active - before.active,
    idle: after.idle - before.idle,
    latencies,
  }
}

/** A variant's slices of one round taken together, as one run of their total length. */
export function combine(slices: readonly Slice[], inProcess: InProcess): LoadResult {
  const sum = (pick: (s: Slice) => number): number => slices.reduce((t, s) => t + pick(s), 0)
  const requests = sum((s) => s.requests)
  const active = sum((s) => s.active)
  const latencies = slices.flatMap((s) => s.latencies).sort((a, b) => a - b)
  return {
    requestsPerSecond: requests / sum((s) => s.seconds),
    p99Ms: percentile(latencies, 99),
    cpuMicrosPerRequest: sum((s) => s.cpuMicros) / requests,
    utilization: active / (active + sum((s) => s.idle)),
    requests,
    inProcess,
  }
}
