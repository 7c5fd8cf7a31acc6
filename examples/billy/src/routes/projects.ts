import type Router from '@koa/router'
import type { ParameterizedContext } from 'koa'
import { currentUser } from '../authenticate.js'
import { inTeam, notFoundIn, type Deps } from '../deps.js'
import { ProblemError } from '../problem.js'
import { bodyOf, textField } from '../request-body.js'

type RouteContext = ParameterizedContext & { params: Record<string, string> }

const PROJECT_STATUSES = ['active', 'on_hold', 'closed']
const REVIEW_DECISIONS = ['approved', 'rejected']

/** 422 unless `value` is one of `allowed`. */
function oneOf(value: unknown, field: string, allowed: readonly string[]): string {
  if (typeof value === 'string' && allowed.includes(value)) return value
  const choices = allowed.map((a) => `"${a}"`).join(', ')
  throw new ProblemError(
    422,
    'invalid-field',
    'Invalid field',
    `"${field}" must be one of ${choices}.`,
    {
      field,
    },
  )
}

/** A required non-empty text field, or 422. */
export function requiredText(ctx: ParameterizedContext, field: string): string {
  const text = textField(bodyOf(ctx), field)
  if (text === undefined)
    throw new ProblemError(
      422,
      'invalid-field',
      'Invalid field',
      `A non-empty "${field}" is required.`,
      {
        field,
      },
    )
  return text
}

/**
 * Projects. Admin and Standard do everything; Read-Only views projects, vendors and contract
 * notes, and views, uploads and downloads documents, but changes nothing else.
 */
export function projectRoutes(router: Router, { authz, records }: Deps): void {
  const team = (ctx: RouteContext): string => ctx.params.team ?? ''
  /** The project named by the path, or 404 when the team has no such project. */
  const projectId = (ctx: RouteContext): string => {
    const id = ctx.params.project ?? ''
    if (records.get(`${team(ctx)}/projects`, id) === undefined)
      throw notFoundIn('project', id, team(ctx))
    return id
  }
  /** Where the project's vendors, documents… are kept. */
  const project = (ctx: RouteContext): string => `${team(ctx)}/projects/${projectId(ctx)}`
  const found = (ctx: RouteContext, path: string, what: string, id: string) => {
    const item = records.get(path, id)
    if (item === undefined) throw notFoundIn(what, id, team(ctx))
    return item
  }
  const P = '/teams/:team/projects'

  router.get(P, authz.requirePermission('projects:read', inTeam), (ctx) => {
    ctx.body = records.list(`${team(ctx)}/projects`)
  })
  router.post(P, authz.requirePermission('projects:write', inTeam), (ctx) => {
    ctx.status = 201
    ctx.body = records.add(`${team(ctx)}/projects`, {
      name: requiredText(ctx, 'name'),
      status: 'active',
    })
  })
  router.put(`${P}/:project/status`, authz.requirePermission('projects:write', inTeam), (ctx) => {
    const id = projectId(ctx)
    const status = oneOf(bodyOf(ctx)['status'], 'status', PROJECT_STATUSES)
    ctx.body = records.update(`${team(ctx)}/projects`, id, { status })
  })

  router.get(
    `${P}/:project/vendors`,
    authz.requirePermission('projects.vendors:read', inTeam),
    (ctx) => {
      ctx.body = records.list(`${project(ctx)}/vendors`)
    },
  )
  router.post(
    `${P}/:project/vendors`,
    authz.requirePermission('projects.vendors:write', inTeam),
    (ctx) => {
      const path = `${project(ctx)}/vendors`
      ctx.status = 201
      ctx.body = records.add(path, { name: requiredText(ctx, 'name'), compliance: 'pending' })
    },
  )

  router.get(
    `${P}/:project/documents`,
    authz.requirePermission('projects.documents:read', inTeam),
    (ctx) => {
      ctx.body = records.list(`${project(ctx)}/documents`)
    },
  )
  router.post(
    `${P}/:project/documents`,
    authz.requirePermission('projects.documents:upload', inTeam),
    (ctx) => {
      const path = `${project(ctx)}/documents`
      ctx.status = 201
      ctx.body = records.add(path, {
        name: requiredText(ctx, 'name'),
        status: 'uploaded',
        uploadedBy: currentUser(ctx).id,
      })
    },
  )
  router.get(
    `${P}/:project/documents/:document/download`,
    authz.requirePermission('projects.documents:download', inTeam),
    (ctx) => {
      const document = found(
        ctx,
        `${project(ctx)}/documents`,
        'document',
        ctx.params.document ?? '',
      )
      ctx.attachment(String(document['name']))
      ctx.type = 'text/plain'
      ctx.body = `(the contents of ${String(document['name'])})`
    },
  )
  router.post(
    `${P}/:project/documents/:document/review`,
    authz.requirePermission('projects.documents:review', inTeam),
    (ctx) => {
      const path = `${project(ctx)}/documents`
      const document = found(ctx, path, 'document', ctx.params.document ?? '')
      const status = oneOf(bodyOf(ctx)['decision'], 'decision', REVIEW_DECISIONS)
      ctx.body = records.update(path, document.id, { status, reviewedBy: currentUser(ctx).id })
    },
  )

  router.post(
    `${P}/:project/policies/:policy/waive`,
    authz.requirePermission('projects.policies:waive', inTeam),
    (ctx) => {
      const path = `${project(ctx)}/policies`
      const policy = found(ctx, path, 'policy', ctx.params.policy ?? '')
      ctx.body = records.update(path, policy.id, {
        status: 'waived',
        waivedBy: currentUser(ctx).id,
      })
    },
  )

  router.get(
    `${P}/:project/contract-notes`,
    authz.requirePermission('projects.contract_notes:read', inTeam),
    (ctx) => {
      ctx.body = records.list(`${project(ctx)}/contract_notes`)
    },
  )
  router.post(
    `${P}/:project/contract-notes`,
    authz.requirePermission('projects.contract_notes:write', inTeam),
    (ctx) => {
      const path = `${project(ctx)}/contract_notes`
      ctx.status = 201
      ctx.body = records.add(path, { text: requiredText(ctx, 'text') })
    },
  )
}
