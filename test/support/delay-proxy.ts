import { connect, createServer, type Socket } from 'node:net'

/** Options for {@link startDelayProxy}. */
export interface DelayProxyOptions {
  /** The loopback port to forward to, e.g. a Redis server's. */
  readonly targetPort: number
  /** Initial delay per chunk, in both directions. @defaultValue 0 */
  readonly delayMs?: number
}

/** A TCP proxy on 127.0.0.1 that can make its target slow or hung. */
export interface DelayProxy {
  readonly host: '127.0.0.1'
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** Delays every chunk read from now on by `ms`, in both directions; order is kept. */
  setDelay(ms: number): void
  /**
   * While on, connections are still accepted but nothing is forwarded either way, as with a hung
   * server. Bytes are held, not dropped: turning it off delivers them in order, so the Redis
   * protocol stream stays intact and a client recovers.
   */
  blackhole(on: boolean): void
  /** Stops listening and drops every connection. */
  close(): Promise<void>
}

/** One direction of one connection: a queue of chunks, each released when it is due. */
interface Relay {
  pump(): void
  cancel(): void
}

/**
 * Starts a proxy on a free loopback port in front of 127.0.0.1:`targetPort`.
 *
 * @example
 * const proxy = await startDelayProxy({ targetPort: redis.port })
 * proxy.setDelay(300) // every reply now takes at least 600 ms
 */
export async function startDelayProxy(opts: DelayProxyOptions): Promise<DelayProxy> {
  const state = { delayMs: opts.delayMs ?? 0, held: false }
  const sockets = new Set<Socket>()
  const relays = new Set<Relay>()
  // Half-open sockets, so that an end in one direction waits behind the delayed data in it.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host: '127.0.0.1', port: opts.targetPort, allowHalfOpen: true })
    const pair = [relay(client, upstream, state), relay(upstream, client, state)]
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    for (const r of pair) relays.add(r)
    client.once('close', () => upstream.destroy())
    upstream.once('close', () => {
      client.destroy()
      for (const r of pair) relays.delete(r)
      for (const socket of [client, upstream]) sockets.delete(socket)
    })
  })
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address()
      if (address !== null && typeof address !== 'string') resolve(address.port)
      else reject(new Error('delay proxy: the listener has no TCP address'))
    })
  })
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    setDelay(ms) {
      state.delayMs = ms
    },
    blackhole(on) {
      state.held = on
      if (!on) for (const r of relays) r.pump()
    },
    close() {
      for (const r of relays) r.cancel()
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/** Forwards `from` to `to`; each chunk (or the end) waits `delayMs` and while `held`. */
function relay(from: Socket, to: Socket, state: { delayMs: number; held: boolean }): Relay {
  // `null` marks the end of the stream.
  const queue: { due: number; data: Buffer | null }[] = []
  let timer: NodeJS.Timeout | undefined
  const pump = () => {
    clearTimeout(timer)
    timer = undefined
    if (state.held || to.destroyed) return
    const now = performance.now()
    for (let head = queue[0]; head !== undefined && head.due <= now; head = queue[0]) {
      queue.shift()
      if (head.data === null) to.end()
      else to.write(head.data)
    }
    const next = queue[0]
    if (next !== undefined) timer = setTimeout(pump, Math.ceil(next.due - now))
  }
  const enqueue = (data: Buffer | null) => {
    queue.push({ due: performance.now() + state.delayMs, data })
    if (timer === undefined) pump()
  }
  from.on('data', (data: Buffer) => enqueue(data))
  from.once('end', () => enqueue(null))
  return { pump, cancel: () => clearTimeout(timer) }
}
