/**
 * Serves the example. Environment:
 * - `PORT` (3000; 0 picks a free port), `HOST` (127.0.0.1), `PUBLIC_URL` (http://HOST:PORT)
 * - `NODE_ENV=production`: no demo users, demo tokens refused
 * - `REDIS_URL`: role assignments in Redis, shared by every instance (else in memory)
 */
import type { AddressInfo } from 'node:net'
import { createApp } from './app.js'
import { demoGuide, seedDemo } from './demo-users.js'
import { memoryRecords } from './records.js'
import { memoryStores, redisStores } from './stores.js'
import { memoryDirectory } from './users.js'

const { env } = process
const demo = env.NODE_ENV !== 'production'
const port = Number(env.PORT ?? 3000)
const host = env.HOST ?? '127.0.0.1'
const redisUrl = env.REDIS_URL ?? ''

const stores = redisUrl === '' ? memoryStores() : await redisStores({ url: redisUrl })
const directory = memoryDirectory()
const records = memoryRecords()
if (demo) await seedDemo({ directory, assignments: stores.assignments, records })

const server = createApp({ stores, directory, records, demo }).listen(port, host, () => {
  const { port: actual } = server.address() as AddressInfo
  const url = env.PUBLIC_URL ?? `http://${host}:${actual}`
  if (demo) console.log(`${demoGuide(url)}\n`)
  console.log(`Billy example listening on ${url}`)
  console.log(`Role assignments ${redisUrl === '' ? 'in memory' : 'in Redis'}.`)
  console.log('Press Ctrl+C to stop.')
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close()
    server.closeAllConnections()
    void stores.close().finally(() => process.exit(0))
  })
}
