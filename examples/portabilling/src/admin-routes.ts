import {
  RolegateError,
  type AssignmentStore,
  type PolicyError,
  type PolicyStore,
} from '@rolegate/core'
import type { Rolegated } from '@rolegate/express'
import { Router } from 'express'
import { aclGrants, aclOf, aclRefusal, customRole, readPermissions } from './permissions.js'
import { ROLE_TYPES, type PortaBillingPolicy, type RoleType } from './policy.js'
import { idOf, isRecord } from './read-request.js'
import { invalidRequest, notFound, sendProblem } from './send-problem.js'

/** What the administration routes work with. */
export interface AdminRoutesOptions {
  readonly authz: Rolegated<PortaBillingPolicy>
  /** The custom roles, on top of the policy in code. */
  readonly roles: PolicyStore<PortaBillingPolicy>
  readonly store: AssignmentStore
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/

const isRoleType = (type: unknown): type is RoleType => ROLE_TYPES.includes(type as RoleType)
const refused = (detail: string) => ({
  type: 'urn:rolegate-example:problem:assignment-refused',
  title: 'Assignment refused',
  status: 422,
  detail,
})

/**
 * `/admin`: custom roles created at run time, users' roles (checked against role types) and ACLs.
 */
export function adminRoutes({ authz, roles, store }: AdminRoutesOptions): Router {
  const router = Router()

  // Roles: the default ones and custom ones created at run time.
  router.get('/roles', authz.requirePermission('roles:read'), (_req, res) => {
    const custom = roles.customRoles()
    const list = Object.entries(roles.policy.source.roles).map(([name, role]) => ({
      name,
      types: role.subjectTypes ?? [],
      custom: Object.hasOwn(custom, name),
    }))
    res.json(list)
  })
  router.post('/roles', authz.requirePermission('roles:write'), async (req, res) => {
    const { name, type, permissions: raw } = isRecord(req.body) ? req.body : {}
    const permissions = readPermissions(raw)
    if (
      typeof name !== 'string' ||
      !NAME.test(name) ||
      !isRoleType(type) ||
      permissions === undefined
    )
      return sendProblem(
        res,
        invalidRequest(
          'Send { "name": "lower_snake", "type": "admin" | "customer" | "account", "permissions": { "<node>": "restrict" | "read" | "modify" } }.',
        ),
      )
    try {
      await roles.createRole(name, customRole(type, permissions))
    } catch (error) {
      if (!(error instanceof RolegateError && error.code === 'ERR_ROLEGATE_POLICY_INVALID'))
        throw error
      const { problems } = error as PolicyError
      return sendProblem(res, {
        type: 'urn:rolegate-example:problem:role-refused',
        title: 'Role refused',
        status: 422,
        detail: 'The role does not fit the policy.',
        problems: problems.map((p) => `${p.path}: ${p.message}`),
      })
    }
    res.status(201).json({ name, type, permissions, custom: true })
  })

  // Users: role assignments (checked against role types) and ACLs.
  router.get('/users/:id', authz.requirePermission('users:read'), async (req, res) => {
    const stored = await store.get(idOf(req))
    if (stored === undefined) return sendProblem(res, notFound(`There is no user "${idOf(req)}".`))
    res.json({ id: idOf(req), type: stored.type, roles: stored.roles, acl: aclOf(stored.grants) })
  })
  router.put('/users/:id/roles', authz.requirePermission('users:write'), async (req, res) => {
    const { type, roles: held } = isRecord(req.body) ? req.body : {}
    if (!isRoleType(type) || !Array.isArray(held) || !held.every((r) => typeof r === 'string'))
      return sendProblem(
        res,
        invalidRequest('Send { "type": "admin" | "customer" | "account", "roles": [names] }.'),
      )
    const current = await store.get(idOf(req))
    // The ACL stays beside the new roles, so the new type must be one that may have an ACL.
    if (Object.keys(current?.grants ?? {}).length > 0 && aclRefusal(idOf(req), type) !== undefined)
      return sendProblem(
        res,
        refused(
          `User "${idOf(req)}" has an ACL, which only admin users may have: clear it first with PUT /admin/users/${idOf(req)}/acl { "acl": {} }.`,
        ),
      )
    try {
      await store.set(idOf(req), { type, roles: held, scoped: {}, grants: current?.grants })
    } catch (error) {
      if (!(error instanceof RolegateError && error.code === 'ERR_ROLEGATE_ASSIGNMENT_REJECTED'))
        throw error
      return sendProblem(res, refused(error.message))
    }
    res.json({ id: idOf(req), type, roles: held })
  })
  router.put('/users/:id/acl', authz.requirePermission('users:write'), async (req, res) => {
    const { acl: raw } = isRecord(req.body) ? req.body : {}
    // An empty ACL clears it, whatever the user's type: taking access away is always allowed.
    const acl = isRecord(raw) && Object.keys(raw).length === 0 ? {} : readPermissions(raw)
    if (acl === undefined)
      return sendProblem(
        res,
        invalidRequest('Send { "acl": { "<node>": "restrict" | "read" | "modify" } }.'),
      )
    const unknown = Object.keys(acl).filter((node) => !roles.policy.resourceIndex.has(node))
    if (unknown.length > 0)
      return sendProblem(res, refused(`Not nodes of the resource tree: ${unknown.join(', ')}.`))
    const current = await store.get(idOf(req))
    const refusal = aclRefusal(idOf(req), current?.type)
    if (Object.keys(acl).length > 0 && refusal !== undefined)
      return sendProblem(res, refused(refusal))
    const base = current ?? { roles: [], scoped: {} }
    await store.set(idOf(req), { ...base, grants: aclGrants(acl) })
    res.json({ id: idOf(req), acl })
  })
  return router
}
