import { isCluster, type RedisClient } from './client-options.js'
import { withDeadline } from './deadline.js'

/**
 * Invalidation messages, one per change, on the channel `<prefix>changes`:
 *
 * - `s:<epoch>:<subject id>`: the subject's record changed (epoch empty when it was deleted);
 * - `p:<etag>`: the custom roles changed.
 *
 * They are published by the same script that writes the change, with classic PUBLISH, which a
 * Redis Cluster forwards to every node: a subscriber connected to any shard hears every change.
 * Pub/sub is at-most-once: a subscriber that is disconnected misses what was published meanwhile,
 * so messages only make an instance drop entries *sooner*; the bounded mode's time bound is what
 * limits staleness, and a reconnect makes the instance revalidate everything it holds.
 */
export function subjectMessage(subjectId: string, epoch: string | null): string {
  return `s:${epoch ?? ''}:${subjectId}`
}

/** The message announcing a change of the custom roles. */
export function policyMessage(etag: string): string {
  return `p:${etag}`
}

/** What an instance does when it hears of changes. */
export interface ChangeHandlers {
  /** A subject's record changed; `epoch` is its new epoch (`null`: deleted). */
  subject(subjectId: string, epoch: string | null): void
  /** The custom roles changed. */
  policy(): void
  /** Messages may have been missed (a disconnect, a resubscription, a node change): revalidate everything. */
  resync(): void
}

/** Options of {@link listenForChanges}. */
export interface ListenOptions {
  /** A connection for pub/sub only: in subscriber mode it can run no other command. */
  readonly subscriber: RedisClient
  readonly channel: string
  readonly handlers: ChangeHandlers
  /** How long one SUBSCRIBE may take. */
  readonly timeoutMs: number
  /** How long {@link Listener.ready} waits for the first subscription. */
  readonly readyTimeoutMs: number
  /** Whether {@link Listener.close} should disconnect the subscriber (it was made for us). */
  readonly owned: boolean
  readonly onError: (error: unknown) => void
}

/** A subscription that renews itself whenever its connection comes back. */
export interface Listener {
  /** Resolves once subscribed for the first time; rejects at once if closed before that. */
  ready(): Promise<void>
  /** Unsubscribes, and disconnects the subscriber if it was made for us. */
  close(): Promise<void>
}

// Any of these means the subscription may have had a gap. On a Cluster the subscriber connection is
// ioredis's own and moves between nodes without an event of its own, so node trouble counts too.
const GAP_EVENTS = ['close', 'reconnecting', 'end']
const CLUSTER_GAP_EVENTS = ['node error', '-node', '+node']

/**
 * Subscribes to the change channel now and again every time the connection becomes ready, and
 * dispatches messages to `handlers`. ioredis resubscribes by itself after a reconnect, but does not
 * say when that is done; our own SUBSCRIBE (a no-op if already subscribed) does, and `resync` runs
 * again once it has, since messages published before it were missed.
 */
export function listenForChanges({
  subscriber,
  channel,
  handlers,
  timeoutMs,
  readyTimeoutMs,
  owned,
  onError,
}: ListenOptions): Listener {
  let closed = false
  let resolveFirst: () => void = () => {}
  let rejectFirst: (error: Error) => void = () => {}
  const first = new Promise<void>((resolve, reject) => {
    resolveFirst = resolve
    rejectFirst = reject
  })
  // Only ready() waits for it: a close before anyone asked is nobody's failure.
  first.catch(() => {})
  // After close() the subscriber's commands fail because we closed it: nothing to report.
  const report = (error: unknown): void => {
    if (!closed) onError(error)
  }
  const onMessage = (from: string, message: string): void => {
    if (from !== channel) return
    if (message.startsWith('s:')) {
      const end = message.indexOf(':', 2)
      const epoch = message.slice(2, end)
      handlers.subject(message.slice(end + 1), epoch === '' ? null : epoch)
    } else if (message.startsWith('p:')) handlers.policy()
  }
  const onGap = (): void => handlers.resync()
  const subscribe = (): void => {
    if (closed) return
    withDeadline(subscriber.subscribe(channel), timeoutMs).then(() => {
      handlers.resync()
      resolveFirst()
    }, report)
  }
  const onReady = (): void => {
    handlers.resync()
    subscribe()
  }
  const gapEvents = isCluster(subscriber) ? [...GAP_EVENTS, ...CLUSTER_GAP_EVENTS] : GAP_EVENTS
  // Without an 'error' listener ioredis logs every failed reconnection attempt to the console.
  const onConnectionError = (error: unknown): void => onError(error)
  subscriber.on('error', onConnectionError)
  subscriber.on('message', onMessage)
  subscriber.on('ready', onReady)
  for (const event of gapEvents) subscriber.on(event, onGap)
  if (subscriber.status === 'ready') subscribe()
  else if (subscriber.status === 'wait') subscriber.connect().catch(report)

  return {
    ready: () => withDeadline(first, readyTimeoutMs),
    async close() {
      if (closed) return
      closed = true
      // A ready() still waiting fails now, not when its deadline fires; after the first
      // subscription this changes nothing.
      rejectFirst(new Error('The change listener was closed before it first subscribed.'))
      subscriber.off('error', onConnectionError)
      subscriber.off('message', onMessage)
      subscriber.off('ready', onReady)
      for (const event of gapEvents) subscriber.off(event, onGap)
      if (owned) subscriber.disconnect()
      else await withDeadline(subscriber.unsubscribe(channel), timeoutMs).catch(onError)
    },
  }
}

/**
 * Resolves once the client is ready, connecting it if it was created with `lazyConnect`. With the
 * offline queue off, a command sent before that fails. Rejects when `stopped` does (the caller was
 * closed meanwhile), and then stops waiting and clears its timer at once.
 */
export function whenReady(
  client: RedisClient,
  timeoutMs: number,
  stopped: Promise<never>,
): Promise<void> {
  if (client.status === 'ready') return Promise.resolve()
  let onReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (onReady = resolve))
  client.once('ready', onReady)
  if (client.status === 'wait') client.connect().catch(() => {})
  return withDeadline(Promise.race([ready, stopped]), timeoutMs).finally(() =>
    client.off('ready', onReady),
  )
}
