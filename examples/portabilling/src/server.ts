/**
 * Starts the PortaBilling example: the only file with side effects. In memory unless `REDIS_URL` is
 * set; in demo mode (unless `NODE_ENV=production`) with a demo custom role, demo users and their
 * tokens. In production, `createApp`'s `authenticate` option is where your login goes.
 *
 * Environment: `PORT` (3000), `HOST` (localhost), `NODE_ENV`, `REDIS_URL`, `REDIS_KEY_PREFIX`
 * (portabilling:rg:).
 */
import type { AddressInfo } from 'node:net'
import { createApp } from './app.js'
import { demoInstructions, seedDemo } from './demo-users.js'
import { openStores } from './stores.js'

const env = process.env
const demo = env.NODE_ENV !== 'production'
const host = env.HOST ?? 'localhost'
const port = Number(env.PORT ?? 3000)

const stores = await openStores({
  redisUrl: env.REDIS_URL,
  ...(env.REDIS_KEY_PREFIX === undefined ? {} : { keyPrefix: env.REDIS_KEY_PREFIX }),
})
const { app, store } = createApp({
  roles: stores.roles,
  store: stores.store,
  resolve: stores.resolve,
  demo,
})
if (demo) await seedDemo({ store, roles: stores.roles })

const server = app.listen(port, host, () => {
  const { port: bound } = server.address() as AddressInfo
  const url = `http://${host}:${bound}`
  const mode = demo ? demoInstructions(url) : 'Production mode: demo tokens are refused.'
  console.log(
    `PortaBilling example listening on ${url}: roles and users ${stores.where}.\n\n${mode}\n\nPress Ctrl+C to stop.`,
  )
})

function stop(): void {
  server.close()
  server.closeAllConnections()
  void stores.close().finally(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
