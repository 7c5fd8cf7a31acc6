import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import type { AuditHook } from '@rolegate/core'
import { problemErrors, rolegate } from '@rolegate/koa'
import Koa from 'koa'
import { authenticate, memberOf } from './authenticate.js'
import type { Deps } from './deps.js'
import { memoryDirectory, type Directory } from './directory.js'
import { consoleMailer, type Mailer } from './mail.js'
import { problems } from './problem.js'
import { memoryRecords, type Records } from './records.js'
import { integrationRoutes } from './routes/integrations.js'
import { memberRoutes } from './routes/members.js'
import { serviceRoutes } from './routes/services.js'
import { signupRoutes } from './routes/signup.js'
import { ssoRoutes } from './routes/sso.js'
import { memorySessions, type Sessions } from './sessions.js'
import type { SsoOptions } from './sso.js'
import { memoryStores, type Stores } from './stores.js'

/** Options of {@link createApp}; every one has a default for a single in-memory instance. */
export interface AppOptions {
  /** Role assignments and how requests resolve them. @defaultValue `memoryStores()` */
  readonly stores?: Stores
  /** Accounts and members. @defaultValue an empty in-memory directory */
  readonly directory?: Directory
  /** Each account's meters, plans, customers… @defaultValue empty, in memory */
  readonly records?: Records
  /** @defaultValue in memory */
  readonly sessions?: Sessions
  /** Sends verification and invitation mail. @defaultValue prints to the console */
  readonly mailer?: Mailer
  /** Single sign-on through an OpenID Provider. @defaultValue off */
  readonly sso?: SsoOptions | undefined
  /** Accept `Bearer demo-<user>` for the demo users. @defaultValue false */
  readonly demo?: boolean
  /** Receives every authorization decision. @defaultValue none */
  readonly audit?: AuditHook | undefined
  /** Hears what failed: a store that did not answer, a handler that threw. @defaultValue `console.error` */
  readonly onError?: (error: unknown) => void
}

/**
 * The Amberflo example: a Metering and a Billing service whose routes are guarded by the four
 * roles, members management for Administrators, self-service signup and SSO. No `listen`, no
 * globals: `server.ts` serves it, the tests drive it.
 *
 * @example
 * ```ts
 * const app = createApp({ demo: true })
 * app.listen(3000)
 * ```
 */
export function createApp({
  stores = memoryStores(),
  directory = memoryDirectory(),
  records = memoryRecords(),
  sessions = memorySessions(),
  mailer = consoleMailer,
  sso,
  demo = false,
  audit,
  onError = (error) => console.error(error),
}: AppOptions = {}): Koa {
  const authz = rolegate(stores.rolegate, {
    // The subject is only an id: its roles come from the store on every request.
    subject: (ctx) => {
      const member = memberOf(ctx)
      return member === undefined ? undefined : { id: member.id }
    },
    resolve: stores.resolve,
    audit,
    onError,
    wwwAuthenticate: 'Bearer',
  })
  const deps: Deps = { authz, stores, directory, records, sessions, mailer }
  const router = new Router()
  serviceRoutes(router, deps)
  memberRoutes(router, deps)
  signupRoutes(router, deps)
  ssoRoutes(router, deps, sso)
  integrationRoutes(router, deps)

  const app = new Koa()
  app.use(problems(onError))
  // rolegate's 401, 403 and 503 thrown by handlers; everything else goes on to problems().
  app.use(problemErrors({ onError }))
  app.use(bodyParser({ enableTypes: ['json'] }))
  app.use(authenticate({ directory, sessions, demo }))
  app.use(authz)
  app.use(router.routes()).use(router.allowedMethods())
  return app
}
