/**
 * Starts the BillRun example: the only file with side effects. In memory unless `REDIS_URL` is set;
 * in demo mode (unless `NODE_ENV=production`) with demo users and their tokens; with OIDC login when
 * `OIDC_ISSUER` is set.
 *
 * Environment: `PORT` (3000), `HOST` (localhost), `NODE_ENV`, `REDIS_URL`, `REDIS_KEY_PREFIX`
 * (billrun:rg:), `OIDC_ISSUER`, `OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET`, `PUBLIC_URL`
 * (http://<host>:<port>), `SESSION_SECRET` (required in production with OIDC).
 */
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import * as client from 'openid-client'
import { createApp } from './app.js'
import { demoInstructions, seedDemoUsers } from './demo-users.js'
import type { OidcOptions } from './oidc.js'
import { openStores } from './stores.js'

const env = process.env
const demo = env.NODE_ENV !== 'production'
const host = env.HOST ?? 'localhost'
const port = Number(env.PORT ?? 3000)

async function oidcFromEnv(publicUrl: string): Promise<OidcOptions | undefined> {
  const issuer = env.OIDC_ISSUER
  if (issuer === undefined || issuer === '') return undefined
  const { OIDC_CLIENT_ID: id, OIDC_CLIENT_SECRET: secret, SESSION_SECRET: sessionSecret } = env
  if (id === undefined || secret === undefined)
    throw new Error('OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET')
  if (!demo && (sessionSecret === undefined || sessionSecret === ''))
    throw new Error('SESSION_SECRET is required in production')
  const url = new URL(issuer)
  const config = await client.discovery(url, id, secret, undefined, {
    ...(url.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
  })
  return {
    config,
    callbackURL: `${publicUrl}/login/callback`,
    sessionSecret: sessionSecret ?? randomBytes(32).toString('hex'),
  }
}

const stores = await openStores({
  redisUrl: env.REDIS_URL,
  ...(env.REDIS_KEY_PREFIX === undefined ? {} : { keyPrefix: env.REDIS_KEY_PREFIX }),
})
const oidc = await oidcFromEnv(env.PUBLIC_URL ?? `http://${host}:${port}`)
const { rolegate, store, resolve } = stores
if (demo) await seedDemoUsers(store)
const { app } = createApp({
  rolegate,
  store,
  resolve,
  demo,
  ...(oidc === undefined ? {} : { oidc }),
})

const server = app.listen(port, host, () => {
  const { port: bound } = server.address() as AddressInfo
  const url = `http://${host}:${bound}`
  const login =
    oidc === undefined ? 'no OIDC login (set OIDC_ISSUER)' : `OIDC login at ${url}/login`
  const mode = demo ? demoInstructions(url) : 'Production mode: demo tokens are refused.'
  console.log(
    `BillRun example listening on ${url}: roles ${stores.where}, ${login}.\n\n${mode}\n\nPress Ctrl+C to stop.`,
  )
})

function stop(): void {
  server.close()
  server.closeAllConnections()
  void stores.close().finally(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
