/**
 * Serves the example. Environment:
 * - `PORT` (3000; 0 picks a free port), `HOST` (127.0.0.1)
 * - `NODE_ENV=production`: no demo users, demo tokens refused
 * - `REDIS_URL`: role assignments in Redis, shared by every instance (else in memory)
 * - `OIDC_ISSUER`, `OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET`, `SSO_ACCOUNT` (acme.example),
 *   `PUBLIC_URL` (http://HOST:PORT): SSO through that provider, whose client must have
 *   `<PUBLIC_URL>/sso/callback` as a redirect URI
 */
import type { AddressInfo } from 'node:net'
import { createApp } from './app.js'
import { demoGuide, seedDemo } from './demo-users.js'
import { memoryDirectory } from './directory.js'
import { memoryRecords } from './records.js'
import { discoverSso } from './sso.js'
import { memoryStores, redisStores } from './stores.js'

const { env } = process
const demo = env.NODE_ENV !== 'production'
const port = Number(env.PORT ?? 3000)
const host = env.HOST ?? '127.0.0.1'
const redisUrl = env.REDIS_URL ?? ''

const stores = redisUrl === '' ? memoryStores() : await redisStores({ url: redisUrl })
const directory = memoryDirectory()
const records = memoryRecords()
if (demo) await seedDemo({ directory, assignments: stores.assignments, records })
const sso =
  env.OIDC_ISSUER === undefined
    ? undefined
    : await discoverSso({
        issuer: env.OIDC_ISSUER,
        clientId: env.OIDC_CLIENT_ID ?? '',
        clientSecret: env.OIDC_CLIENT_SECRET ?? '',
        redirectUri: `${env.PUBLIC_URL ?? `http://${host}:${port}`}/sso/callback`,
        account: env.SSO_ACCOUNT ?? 'acme.example',
      })

const server = createApp({ stores, directory, records, sso, demo }).listen(port, host, () => {
  const { port: actual } = server.address() as AddressInfo
  const url = env.PUBLIC_URL ?? `http://${host}:${actual}`
  if (demo) console.log(`${demoGuide(url)}\n`)
  console.log(`Amberflo example listening on ${url}`)
  console.log(
    `Role assignments ${redisUrl === '' ? 'in memory' : 'in Redis'}; SSO ${sso === undefined ? 'off' : 'on'}.`,
  )
  console.log('Press Ctrl+C to stop.')
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close()
    server.closeAllConnections()
    void stores.close().finally(() => process.exit(0))
  })
}
