import { execFile, spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from './free-port.js'

/** Options for {@link startRedisServer}. */
export interface RedisServerOptions {
  /**
   * Port to listen on. A taken port is an error; without it a port that turns out to be taken
   * is replaced by another one.
   * @defaultValue a free loopback port
   */
  readonly port?: number
  /** Extra `redis-server` arguments, appended after the defaults (e.g. cluster mode). */
  readonly args?: readonly string[]
  /** How long to wait for the first PONG. @defaultValue 10000 */
  readonly startTimeoutMs?: number
}

/** A `redis-server` child process on 127.0.0.1, with no persistence. */
export interface RedisServer {
  readonly host: '127.0.0.1'
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** Shuts down with SIGTERM (SIGKILL after 5 s) and removes the data directory. Idempotent. */
  stop(): Promise<void>
  /** Kills with SIGKILL, as a crash would. Idempotent. */
  kill(): Promise<void>
  /** Stops the server if it runs, then starts an empty one on the same port. */
  restart(): Promise<void>
  /** Sends `CLIENT PAUSE ms`: the server stops answering clients for `ms` milliseconds. */
  pause(ms: number): Promise<void>
}

/** The shared Redis the test environment provides: `REDIS_URL`, else the local default. */
export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
}

/** A key prefix unique to this call, e.g. `rg:test:assignments:9f86d081:`. */
export function uniquePrefix(name: string): string {
  return `rg:test:${name}:${randomBytes(4).toString('hex')}:`
}

/**
 * Spawns `redis-server` on a loopback port with a fresh temp `--dir`, no RDB and no AOF, and
 * resolves once it answers PING. Always `stop()` it; a process-exit hook and a watchdog that
 * notices this process dying kill whatever is left.
 *
 * @example
 * const redis = await startRedisServer()
 * const client = new Redis(redis.port, '127.0.0.1', { commandTimeout: 500 })
 */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const { args = [], startTimeoutMs = 10_000 } = opts
  let port = opts.port ?? (await freePort())
  let proc: RedisProcess | undefined = await spawnRedis(port, args, startTimeoutMs).catch(
    async (error: unknown) => {
      if (opts.port !== undefined || !isAddressInUse(error)) throw error
      port = await freePort()
      return spawnRedis(port, args, startTimeoutMs)
    },
  )
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    await proc?.end(signal)
    proc = undefined
  }
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => kill('SIGTERM'),
    kill: () => kill('SIGKILL'),
    async restart() {
      await kill('SIGTERM')
      proc = await spawnRedis(port, args, startTimeoutMs)
    },
    async pause(ms) {
      await redisCli(port, 'CLIENT', 'PAUSE', String(ms))
    },
  }
}

/**
 * Runs one command with `redis-cli -e` against 127.0.0.1:`port` and returns its raw output,
 * trimmed. Rejects when the command fails or the server does not answer within 5 s.
 */
export function redisCli(port: number, ...args: string[]): Promise<string> {
  const argv = ['-h', '127.0.0.1', '-p', String(port), '-e', ...args]
  return new Promise((resolve, reject) => {
    execFile('redis-cli', argv, { timeout: 5_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`redis-cli ${args.join(' ')}: ${stdout}${stderr}`.trim()))
      else resolve(stdout.trim())
    })
  })
}

interface RedisProcess {
  /** Signals the process and resolves once it has exited and its directory is gone. */
  end(signal: NodeJS.Signals): Promise<void>
}

const live = new Map<ChildProcess, string>()

async function spawnRedis(
  port: number,
  args: readonly string[],
  timeoutMs: number,
): Promise<RedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'rolegate-redis-'))
  // `nosave now`: SIGTERM must not write a dump or wait for lagging replicas.
  const argv = [
    ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    ...['--dir', dir, '--shutdown-on-sigterm', 'nosave', 'now', ...args],
  ]
  const child = spawn('redis-server', argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  track(child, dir)
  let log = ''
  const keepTail = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-2_000))
  child.stdout.on('data', keepTail)
  child.stderr.on('data', keepTail)
  // 'error' (e.g. no redis-server binary) may come without 'exit'.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.once('error', () => resolve())
  })
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject)
    void exited.then(() => reject(new Error(`redis-server on port ${port} exited:\n${log}`)))
  })
  failed.catch(() => {}) // only start-up awaits it: a later exit is the owner's business
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal)
      const forced = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(forced)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await Promise.race([failed, waitForOwnPong(child, port, timeoutMs)])
  } catch (error) {
    await end('SIGKILL')
    throw error
  }
  // A forgotten server must not keep the test process alive; `end` holds a timer while it waits.
  child.unref()
  for (const stream of [child.stdout, child.stderr]) (stream as Socket).unref()
  return { end }
}

/** Waits for PONG on `port`, then checks that it came from `child`, not an older server there. */
async function waitForOwnPong(child: ChildProcess, port: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  while (!(await answersPing(port))) {
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port}: no PONG in time`)
    await sleep(20)
  }
  const pid = /process_id:(\d+)/.exec(await redisCli(port, 'INFO', 'server'))?.[1]
  if (pid !== String(child.pid)) {
    throw new Error(`redis-server on port ${port}: Address already in use (by pid ${pid})`)
  }
}

/** One inline PING over a raw socket; `false` on refusal, an error reply or silence. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

function isAddressInUse(error: unknown): boolean {
  return error instanceof Error && error.message.includes('Address already in use')
}

// Reaping. The exit hook covers a normal exit; a worker that is killed outright runs no hooks,
// so an `awk` watchdog holds our children's pids and kills them when its stdin (ours) closes.
let watchdog: ChildProcessByStdio<Writable, null, null> | undefined

function track(child: ChildProcess, dir: string): void {
  if (child.pid === undefined) return
  const pid = child.pid
  if (watchdog === undefined) {
    process.once('exit', reapAll)
    watchdog = startWatchdog()
  }
  live.set(child, dir)
  watchdog.stdin.write(`+${pid} ${dir}\n`)
  child.once('exit', () => {
    live.delete(child)
    watchdog?.stdin.write(`-${pid}\n`)
  })
}

function startWatchdog(): ChildProcessByStdio<Writable, null, null> {
  // Lines are `+<pid> <dir>` and `-<pid>`; at EOF, kill what is left and remove its directory.
  const script = [
    '/^\\+/ { live[substr($1, 2)] = substr($0, length($1) + 2) }',
    '/^-/ { delete live[substr($1, 2)] }',
    `END { for (pid in live) system("kill -9 " pid "; rm -rf '" live[pid] "'") }`,
  ].join('\n')
  const awk = spawn('awk', [script], { stdio: ['pipe', 'ignore', 'ignore'] })
  // Without awk only the exit hook remains; neither end may keep this process alive.
  awk.on('error', () => {})
  awk.stdin.on('error', () => {})
  awk.unref()
  ;(awk.stdin as Socket).unref()
  return awk
}

function reapAll(): void {
  for (const [child, dir] of live) {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}
