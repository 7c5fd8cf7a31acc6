/**
 * Starts the billwerk example: the only file with side effects. In memory unless `REDIS_URL` is
 * set; in demo mode (unless `NODE_ENV=production`) with demo users and their tokens; with SAML
 * login when `SAML_IDP_ISSUER` is set.
 *
 * Environment: `PORT` (3000), `HOST` (localhost), `NODE_ENV`, `REDIS_URL`, `REDIS_KEY_PREFIX`
 * (billwerk:rg:), `SAML_IDP_ISSUER`, `SAML_IDP_CERT_FILE` (PEM), `SAML_ENTRY_POINT`,
 * `SAML_SP_ENTITY_ID` (<public URL>/saml), `PUBLIC_URL` (http://<host>:<port>), `SESSION_SECRET`
 * (required in production with SAML).
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { createApp } from './app.js'
import { demoInstructions, seedDemoUsers } from './demo-users.js'
import type { SamlOptions } from './saml.js'
import { openStores } from './stores.js'

const env = process.env
const demo = env.NODE_ENV !== 'production'
const host = env.HOST ?? 'localhost'
const port = Number(env.PORT ?? 3000)

function samlFromEnv(publicUrl: string): SamlOptions | undefined {
  const idpIssuer = env.SAML_IDP_ISSUER
  if (idpIssuer === undefined || idpIssuer === '') return undefined
  const { SAML_IDP_CERT_FILE: certFile, SAML_ENTRY_POINT: entryPoint, SESSION_SECRET: secret } = env
  if (certFile === undefined) throw new Error('SAML_IDP_ISSUER needs SAML_IDP_CERT_FILE')
  if (!demo && (secret === undefined || secret === ''))
    throw new Error('SESSION_SECRET is required in production')
  return {
    idpIssuer,
    idpCert: readFileSync(certFile, 'utf8'),
    spEntityId: env.SAML_SP_ENTITY_ID ?? `${publicUrl}/saml`,
    callbackUrl: `${publicUrl}/saml/acs`,
    ...(entryPoint === undefined ? {} : { entryPoint }),
    sessionSecret: secret ?? randomBytes(32).toString('hex'),
  }
}

const stores = await openStores({
  redisUrl: env.REDIS_URL,
  ...(env.REDIS_KEY_PREFIX === undefined ? {} : { keyPrefix: env.REDIS_KEY_PREFIX }),
})
const saml = samlFromEnv(env.PUBLIC_URL ?? `http://${host}:${port}`)
const { rolegate, store, resolve } = stores
const { app, data } = createApp({
  rolegate,
  store,
  resolve,
  demo,
  ...(saml === undefined ? {} : { saml }),
})
if (demo) await seedDemoUsers({ store, data })

const server = app.listen(port, host, () => {
  const { port: bound } = server.address() as AddressInfo
  const url = `http://${host}:${bound}`
  const login =
    saml === undefined ? 'no SAML login (set SAML_IDP_ISSUER)' : `SAML ACS at ${url}/saml/acs`
  const mode = demo ? demoInstructions(url) : 'Production mode: demo tokens are refused.'
  console.log(
    `billwerk example listening on ${url}: roles ${stores.where}, ${login}.\n\n${mode}\n\nPress Ctrl+C to stop.`,
  )
})

function stop(): void {
  server.close()
  server.closeAllConnections()
  void stores.close().finally(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
