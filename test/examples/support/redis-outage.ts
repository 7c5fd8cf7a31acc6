import type { RequestListener } from 'node:http'
import { vi } from 'vitest'
import { startRedisServer } from '../../support/redis-server.js'
import { bodyOf, sendAsDemoUser } from './send-as-demo-user.js'

/** An example app on stores of its own, as its `server.ts` builds it with `REDIS_URL` set. */
export interface AppOnRedis {
  readonly app: RequestListener
  close(): Promise<void>
}

/**
 * What an example answers a demo user's GETs once its Redis has stopped: the app is made on a
 * Redis server of its own (`open`), which is then stopped, a real outage rather than a store
 * that pretends to fail. Returns each answer's status, `content-type`, `retry-after` and body, and
 * the messages `console.error` heard.
 */
export async function answersAfterRedisStops(
  open: (redisUrl: string) => Promise<AppOnRedis>,
  user: string,
  paths: readonly string[],
): Promise<{ readonly answers: readonly unknown[][]; readonly reported: readonly string[] }> {
  const server = await startRedisServer()
  const reported = vi.spyOn(console, 'error').mockImplementation(() => {})
  let opened: AppOnRedis | undefined
  try {
    opened = await open(server.url)
    await server.stop()
    const { app } = opened
    const responses = await Promise.all(
      paths.map((path) => sendAsDemoUser(app, { user, method: 'GET', path })),
    )
    const answers = responses.map((res) => [
      res.status,
      res.headers['content-type'],
      res.headers['retry-after'],
      bodyOf(res),
    ])
    return { answers, reported: reported.mock.calls.map(([error]) => (error as Error).message) }
  } finally {
    reported.mockRestore()
    await opened?.close()
    await server.stop()
  }
}
