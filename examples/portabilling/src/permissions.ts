import type { GrantInput, RoleInput } from '@rolegate/core'
import type { RoleType } from './policy.js'

/** PortaBilling's three permissions on a node of the resource tree. */
export type Permission = 'restrict' | 'read' | 'modify'

const LEVELS = { restrict: 'none', read: 'read', modify: 'write' } as const

const isPermission = (value: unknown): value is Permission =>
  value === 'restrict' || value === 'read' || value === 'modify'

/** `{ node: permission }` from a request body, or `undefined` when it is not that shape. */
export function readPermissions(value: unknown): Record<string, Permission> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const entries: [string, unknown][] = Object.entries(value)
  const valid = entries.filter((entry): entry is [string, Permission] => isPermission(entry[1]))
  return valid.length > 0 && valid.length === entries.length ? Object.fromEntries(valid) : undefined
}

/**
 * A custom role of a role type, from PortaBilling permissions. Restrict, Read and Modify become
 * `none`, `read` and `write`; a self-care role's grants hold only on the subject's own entity
 * (`when: 'own'`), as the default self-care roles' do.
 */
export function customRole(
  type: RoleType,
  permissions: Readonly<Record<string, Permission>>,
): RoleInput {
  const grants: Record<string, GrantInput> = {}
  for (const [node, permission] of Object.entries(permissions)) {
    const level = LEVELS[permission]
    grants[node] = type === 'admin' || level === 'none' ? level : { actions: level, when: 'own' }
  }
  return { subjectTypes: [type], grants }
}

/**
 * Why a user of `type` may not have an ACL, or `undefined` when it may. An ACL's grants hold on
 * every entity of their nodes: the ACL API stores plain levels, without the `own` condition of a
 * self-care role, and `{ customer: 'read' }` would let a customer read every customer. ACLs are therefore for admin users; a customer or an account gets a custom role of its
 * type, as PortaBilling turns self-care ACLs into self-care custom roles.
 */
export function aclRefusal(id: string, type: string | undefined): string | undefined {
  if (type === 'admin') return undefined
  const who = type === undefined ? `User "${id}" has no type` : `User "${id}" is of type "${type}"`
  return `${who}: an ACL holds on every entity, so only admin users may have one. Give a customer or an account a custom role of its type instead: its grants hold on its own entity.`
}

/** An ACL as direct grants: the same three permissions, on nodes of the same tree. */
export function aclGrants(acl: Readonly<Record<string, Permission>>): Record<string, GrantInput> {
  return Object.fromEntries(Object.entries(acl).map(([node, p]) => [node, LEVELS[p]]))
}

/** The ACL a user's direct grants stand for (the inverse of {@link aclGrants}). */
export function aclOf(
  grants: Readonly<Record<string, GrantInput>> | undefined,
): Record<string, Permission> {
  const names = { none: 'restrict', read: 'read', write: 'modify' } as const
  return Object.fromEntries(
    Object.entries(grants ?? {}).flatMap(([node, grant]) =>
      typeof grant === 'string' && Object.hasOwn(names, grant)
        ? [[node, names[grant as keyof typeof names]]]
        : [],
    ),
  )
}
