import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import type { AuditHook } from '@rolegate/core'
import { problemErrors, rolegate } from '@rolegate/koa'
import Koa from 'koa'
import { authenticate, userOf } from './authenticate.js'
import type { Deps } from './deps.js'
import { consoleMailer, type Mailer } from './mail.js'
import { problems } from './problem.js'
import { memoryRecords, type Records } from './records.js'
import { accountRoutes } from './routes/account.js'
import { coverageAndDirectoryRoutes } from './routes/coverages-and-directory.js'
import { projectRoutes } from './routes/projects.js'
import { teamRoutes } from './routes/teams.js'
import { memorySessions, type Sessions } from './sessions.js'
import { memoryStores, type Stores } from './stores.js'
import { memoryDirectory, type Directory } from './users.js'

/** Options of {@link createApp}; every one has a default for a single in-memory instance. */
export interface AppOptions {
  /** Role assignments and how requests resolve them. @defaultValue `memoryStores()` */
  readonly stores?: Stores
  /** Users and teams. @defaultValue empty, in memory */
  readonly directory?: Directory
  /** Each team's projects, documents, coverages… @defaultValue empty, in memory */
  readonly records?: Records
  /** @defaultValue in memory */
  readonly sessions?: Sessions
  /** Sends invitations. @defaultValue prints to the console */
  readonly mailer?: Mailer
  /** Accept `Bearer demo-<user>` for the demo users. @defaultValue false */
  readonly demo?: boolean
  /** Receives every authorization decision. @defaultValue none */
  readonly audit?: AuditHook | undefined
  /** Hears what failed: a store that did not answer, a handler that threw. @defaultValue `console.error` */
  readonly onError?: (error: unknown) => void
}

/**
 * The Billy example: teams whose projects, coverages, directory and settings are guarded by the
 * member's role in that team. No `listen`, no globals: `server.ts` serves it, the tests drive it.
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
  demo = false,
  audit,
  onError = (error) => console.error(error),
}: AppOptions = {}): Koa {
  const authz = rolegate(stores.rolegate, {
    // The subject is only an id: its roles in every team come from the store on each request.
    subject: (ctx) => {
      const user = userOf(ctx)
      return user === undefined ? undefined : { id: user.id }
    },
    resolve: stores.resolve,
    audit,
    onError,
    wwwAuthenticate: 'Bearer',
  })
  const deps: Deps = { authz, stores, directory, records, sessions, mailer }
  const router = new Router()
  accountRoutes(router, deps)
  teamRoutes(router, deps)
  projectRoutes(router, deps)
  coverageAndDirectoryRoutes(router, deps)

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
