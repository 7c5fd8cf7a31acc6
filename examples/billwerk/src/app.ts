import {
  contextResolver,
  createRolegate,
  memoryAssignmentStore,
  RolegateError,
  unauthorizedProblem,
  type AssignmentStore,
  type AuditHook,
  type ContextResolver,
  type Rolegate,
  type Subject,
} from '@rolegate/core'
import { problemErrors, rolegate } from '@rolegate/express'
import express, { type Express, type Request } from 'express'
import { createData, type BillwerkData } from './data.js'
import { demoSubject } from './demo-users.js'
import { AREAS, conditions, policy } from './policy.js'
import { mountSamlLogin, type SamlOptions } from './saml.js'
import { answerErrors, invalidRequest, notFound, sendProblem } from './send-problem.js'

/** Options of {@link createApp}; every one has an in-memory default. */
export interface AppOptions {
  /** The compiled policy. @defaultValue `createRolegate({ policy, conditions })` */
  readonly rolegate?: Rolegate
  /** Users' roles. @defaultValue an in-memory store */
  readonly store?: AssignmentStore
  /** Subject → role context; the Redis resolver plugs in here. @defaultValue reads `store` */
  readonly resolve?: ContextResolver
  /** Log in with a SAML IdP. @defaultValue no login routes */
  readonly saml?: SamlOptions
  /** Reads the user of another login of yours. @defaultValue `req.user`, as Passport leaves it */
  readonly authenticate?: (req: Request) => Subject | undefined
  /**
   * Accept `Authorization: Bearer demo-<user>` for the users of `demo-users.ts`. Only `server.ts`
   * turns it on, and never with `NODE_ENV=production`.
   * @defaultValue false
   */
  readonly demo?: boolean
  /** Receives every guard decision. @defaultValue none */
  readonly audit?: AuditHook
}

/** The app and what tests need from it. */
export interface BillwerkApp {
  readonly app: Express
  readonly rolegate: Rolegate
  readonly store: AssignmentStore
  readonly data: BillwerkData
}

const EMAIL = /^[^\s@]+@[^\s@]+$/

const idOf = (req: Request): string => String(req.params['id'])
const isRecord = (body: unknown): body is Record<string, unknown> =>
  typeof body === 'object' && body !== null && !Array.isArray(body)

/**
 * billwerk's API: every area of its rights matrix at `GET` (needs `r`) and `PUT` (needs `rw`),
 * user administration with Admin and ReadOnlyOperations standing alone, personal data that every
 * user may edit for themselves and nobody else's, and SAML groups as roles.
 */
export function createApp(options: AppOptions = {}): BillwerkApp {
  const rg = options.rolegate ?? createRolegate({ policy, conditions })
  const store = options.store ?? memoryAssignmentStore({ rolegate: rg })
  const resolve = options.resolve ?? contextResolver({ rolegate: rg, store })
  const data = createData()
  const login = options.authenticate ?? ((req: Request) => req.user as Subject | undefined)
  const authenticate =
    options.demo === true ? (req: Request) => demoSubject(req) ?? login(req) : login
  const authz = rolegate(rg, {
    subject: authenticate,
    resolve,
    ...(options.audit === undefined ? {} : { audit: options.audit }),
  })
  /** The caller's own personal data: the instance the `self` condition is weighed against. */
  const ownData = async (req: Request) => {
    const ctx = await authz.of(req).context()
    return ctx === undefined ? undefined : data.personalData(ctx.subject.id)
  }

  const app = express()
  app.use(express.json())
  if (options.saml !== undefined) {
    // A user's first SAML login adds them to the User Accounts list, with no local role.
    mountSamlLogin(app, rg, options.saml, ({ id, attributes }) => {
      if (data.user(id) === undefined)
        data.addUser({ id, name: '', email: attributes.email ?? '', status: 'active' })
    })
  }
  app.use(authz)

  app.get('/me', async (req, res) => {
    const ctx = await authz.of(req).context()
    if (ctx === undefined) sendProblem(res, unauthorizedProblem())
    else res.json({ id: ctx.subject.id, roles: ctx.roles().held })
  })

  // Personal data: every user, with or without roles, for themselves only.
  app.get(
    '/me/personal-data',
    authz.requirePermission('profile:read', { resource: ownData }),
    async (req, res) => {
      res.json(await ownData(req))
    },
  )
  app.put(
    '/me/personal-data',
    authz.requirePermission('profile:write', { resource: ownData }),
    async (req, res) => {
      const { name, email } = isRecord(req.body) ? req.body : {}
      if (
        (name !== undefined && typeof name !== 'string') ||
        (email !== undefined && (typeof email !== 'string' || !EMAIL.test(email)))
      )
        return sendProblem(res, invalidRequest('Send { "name"?: string, "email"?: address }.'))
      const mine = (await ownData(req)) as { id: string }
      const change = {
        ...(name === undefined ? {} : { name }),
        ...(email === undefined ? {} : { email }),
      }
      res.json(data.setPersonalData(mine.id, change))
    },
  )
  app.get(
    '/users/:id/personal-data',
    authz.requirePermission('profile:read', { resource: (req) => data.personalData(idOf(req)) }),
    (req, res) => {
      res.json(data.personalData(idOf(req)))
    },
  )

  // Every row of the rights matrix: read with GET, change with PUT.
  for (const { label, resource, path } of AREAS) {
    app.get(path, authz.requirePermission(`${resource}:read`), (_req, res) => {
      res.json({ area: resource, label, data: data.area(resource) })
    })
    app.put(path, authz.requirePermission(`${resource}:write`), (req, res) => {
      if (!isRecord(req.body)) return sendProblem(res, invalidRequest('Send a JSON object.'))
      data.setArea(resource, req.body)
      res.json({ area: resource, label, data: data.area(resource) })
    })
  }

  // User Accounts: listing, inviting, and giving roles.
  app.get(
    '/admin/users',
    authz.requirePermission('settings.user_accounts:read'),
    async (_req, res) => {
      const users = await Promise.all(
        data
          .users()
          .map(async (user) => ({ ...user, roles: (await store.get(user.id))?.roles ?? [] })),
      )
      res.json({ users })
    },
  )
  app.post('/admin/users', authz.requirePermission('settings.user_accounts:write'), (req, res) => {
    const { email } = isRecord(req.body) ? req.body : {}
    if (typeof email !== 'string' || !EMAIL.test(email))
      return sendProblem(res, invalidRequest('Send { "email": address }.'))
    const id = email.toLowerCase()
    if (data.user(id) !== undefined)
      return sendProblem(res, {
        type: 'urn:rolegate-example:problem:user-exists',
        title: 'User exists',
        status: 409,
        detail: `"${id}" already has a user account.`,
      })
    // A new user has no role: nothing but their own personal data until an admin gives one.
    res.status(201).json({ ...data.addUser({ id, name: '', email: id }), roles: [] })
  })
  app.put(
    '/admin/users/:id/roles',
    authz.requirePermission('settings.user_accounts:write'),
    async (req, res) => {
      const { roles } = isRecord(req.body) ? req.body : {}
      if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string'))
        return sendProblem(res, invalidRequest('Send { "roles": [role names] }.'))
      if (data.user(idOf(req)) === undefined)
        return sendProblem(res, notFound(`There is no user "${idOf(req)}".`))
      try {
        // Refused when Admin or ReadOnlyOperations comes with another role; else effective at once.
        await store.set(idOf(req), { roles, scoped: {} })
      } catch (error) {
        if (!(error instanceof RolegateError && error.code === 'ERR_ROLEGATE_ASSIGNMENT_REJECTED'))
          throw error
        return sendProblem(res, {
          type: 'urn:rolegate-example:problem:assignment-refused',
          title: 'Assignment refused',
          status: 422,
          detail: error.message,
        })
      }
      res.json({ id: idOf(req), roles })
    },
  )

  app.use((req, res) => sendProblem(res, notFound(`No route for ${req.method} ${req.path}.`)))
  // rolegate's 401, 403 and 503 thrown by handlers, then the app's own errors.
  app.use(problemErrors(), answerErrors())
  return { app, rolegate: rg, store, data }
}
