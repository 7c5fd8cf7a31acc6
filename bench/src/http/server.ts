/**
 * One HTTP server, run in a child process of the bench (`fork`), so that autocannon in the parent
 * and the server under load do not share an event loop, and so that no variant shares JIT feedback
 * or garbage with another. `node --expose-gc … server.ts express|koa <variant>` listens on
 * 127.0.0.1 (an ephemeral port), sends `{ type: 'ready', port }` over IPC, answers `'usage'` with
 * the process's CPU time and event-loop utilization, runs a full GC on `'gc'`, times a request
 * through its app without sockets on `'time'` (in-process.ts), and exits when the
 * parent disconnects. With `--count <warm>,<counted>` it marks the requests whose instructions
 * callgrind counts (counted-listener.ts) and sends `{ type: 'counted' }` when they have arrived.
 */
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { countedListener } from './counted-listener.js'
import { expressApp } from './express-apps.js'
import { VARIANTS, handWrittenGuards, type Variant } from './guards.js'
import { timeInProcess } from './in-process.js'
import { koaApp } from './koa-apps.js'

/** What the child sends back. */
export type ServerMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'gc' }
  | { readonly type: 'counted' }
  | { readonly type: 'time'; readonly ns: number; readonly bytes: number }
  | {
      readonly type: 'usage'
      readonly cpuMicros: number
      readonly idle: number
      readonly active: number
    }

const isVariant = (v: unknown): v is Variant => (VARIANTS as readonly unknown[]).includes(v)

async function listen(listener: RequestListener): Promise<number> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

function reply(message: unknown, app: RequestListener): void {
  const send = (m: ServerMessage): void => {
    process.send?.(m)
  }
  if (message === 'usage') {
    const { user, system } = process.cpuUsage()
    const { idle, active } = performance.eventLoopUtilization()
    send({ type: 'usage', cpuMicros: user + system, idle, active })
  } else if (message === 'gc') {
    ;(globalThis as { gc?: () => void }).gc?.()
    send({ type: 'gc' })
  } else if (message === 'time') {
    timeInProcess(app).then(
      ({ ns, bytes }) => send({ type: 'time', ns, bytes }),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  }
}

/**
 * `--count <warm>,<counted>`: two whole numbers of at least 1 (with 0 counted, the mark that
 * ends the count would be the one that starts it, and `counted` would never be sent).
 */
function countOption(args: readonly string[]): readonly [number, number] | undefined {
  if (args.length === 0) return undefined
  const match =
    args.length === 2 && args[0] === '--count' ? /^(\d+),(\d+)$/.exec(args[1] ?? '') : null
  const [warm, counted] = [Number(match?.[1]), Number(match?.[2])]
  if (!(warm >= 1 && counted >= 1))
    throw new Error(
      `usage: server.ts express|koa <variant> [--count <warm>,<counted>], got ${args.join(' ')}`,
    )
  return [warm, counted]
}

async function main(): Promise<void> {
  const [framework, variant, ...rest] = process.argv.slice(2)
  if ((framework !== 'express' && framework !== 'koa') || !isVariant(variant))
    throw new Error(
      `usage: server.ts express|koa <variant>, got ${String(framework)} ${String(variant)}`,
    )
  const count = countOption(rest)
  const guards = await handWrittenGuards()
  const app = (framework === 'express' ? expressApp : koaApp)(variant, guards)
  const counted = (): void => void process.send?.({ type: 'counted' } satisfies ServerMessage)
  const port = await listen(count === undefined ? app : countedListener(app, ...count, counted))
  process.on('message', (message) => reply(message, app))
  process.on('disconnect', () => process.exit(0))
  process.send?.({ type: 'ready', port } satisfies ServerMessage)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
