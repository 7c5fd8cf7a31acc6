import type { Redis } from 'ioredis'

/** What one connection sent while some work ran. */
export interface Traffic {
  /** Writes to the socket: each is one round trip's worth of commands (auto-pipelining batches). */
  readonly writes: number
  /** Commands, by name. */
  readonly commands: ReadonlyMap<string, number>
  /** Commands the Redis server saw from this connection (MONITOR), as a cross-check. */
  readonly seenByServer: number
}

export const commandTotal = (traffic: Traffic): number =>
  [...traffic.commands.values()].reduce((a, b) => a + b, 0)

/**
 * Puts `spy` in front of `object[key]` (a method found on its prototype) as an own property;
 * the returned function removes it again.
 */
function spyOn<T extends object, K extends keyof T>(
  object: T,
  key: K,
  spy: (args: unknown[]) => void,
): () => void {
  const original = object[key] as (...args: unknown[]) => unknown
  if (Object.hasOwn(object, key) || typeof original !== 'function')
    throw new Error(`expected ${String(key)} to be a method on the prototype`)
  Object.defineProperty(object, key, {
    configurable: true,
    writable: true,
    value(this: T, ...args: unknown[]) {
      spy(args)
      return original.apply(this, args)
    },
  })
  return () => {
    Reflect.deleteProperty(object, key)
  }
}

/** Counts the commands the server receives from `source` until it sees `marker` echoed. */
async function monitorFrom(client: Redis, source: string, marker: string) {
  const monitor = await client.monitor()
  let seen = 0
  let markerSeen: () => void = () => {}
  const ended = new Promise<void>((resolve) => (markerSeen = resolve))
  monitor.on('monitor', (_time: string, args: string[], from: string) => {
    if (from !== source) return
    if (args[1] === marker) markerSeen()
    else seen++
  })
  return {
    async count(): Promise<number> {
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())
      await Promise.race([ended, timeout])
      monitor.disconnect()
      return seen
    },
  }
}

/**
 * Counts socket writes and commands on `client` while `work` runs, by wrapping the socket's
 * `write` and the client's `sendCommand` (auto-pipelined commands go through both: ioredis
 * builds one buffer per pipeline and writes it once). A MONITOR connection counts the commands
 * the server received from the client's address, to check the wrapper.
 */
export async function countTraffic(client: Redis, work: () => Promise<void>): Promise<Traffic> {
  const stream = client.stream
  const marker = `rolegate-bench-end-${Math.random()}`
  const monitor = await monitorFrom(client, `${stream.localAddress}:${stream.localPort}`, marker)
  let writes = 0
  const commands = new Map<string, number>()
  const restore = [
    spyOn(stream, 'write', () => writes++),
    spyOn(client, 'sendCommand', ([command]) => {
      const name = (command as { name: string }).name
      commands.set(name, (commands.get(name) ?? 0) + 1)
    }),
  ]
  try {
    await work()
  } finally {
    for (const undo of restore) undo()
  }
  // MONITOR lines arrive after the replies: an ECHO of a marker on the client marks the end.
  await client.echo(marker)
  return { writes, commands, seenByServer: await monitor.count() }
}
