/**
 * A deliberately simple evaluator written straight from DESIGN.md's five decision steps, with none
 * of the engine's tables, masks or caches. The differential property test checks that the compiled
 * engine agrees with it on every decision. Test support only: excluded from the build.
 */
import type { Condition, GrantInput, PolicyInput, RoleInput, Subject } from './policy/types.js'

export interface ReferenceDecision {
  readonly allowed: boolean
  readonly reason: string
  readonly role: string | undefined
}

const has = (object: object | undefined, key: string): boolean =>
  object !== undefined && Object.hasOwn(object, key)

function declaredResources(policy: PolicyInput): Set<string> {
  const all = new Set(['*'])
  for (const path of policy.resources) {
    const parts = path.split('.')
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join('.'))
  }
  return all
}

function impliedBy(policy: PolicyInput, action: string, seen = new Set<string>()): Set<string> {
  if (seen.has(action)) return seen
  seen.add(action)
  const direct =
    action === 'write' ? ['read'] : action === 'read' ? [] : (policy.actions?.[action] ?? [])
  for (const next of direct) impliedBy(policy, next, seen)
  return seen
}

function listedActions(grant: GrantInput): readonly string[] {
  if (grant === 'none') return []
  if (typeof grant === 'string') return [grant]
  if (Array.isArray(grant)) return grant as readonly string[]
  const { actions } = grant as { actions: string | readonly string[] }
  return typeof actions === 'string' ? [actions] : actions
}

/** Ancestors of a path, most specific first, ending with the root '*'. */
function ancestry(resource: string): string[] {
  if (resource === '*') return ['*']
  const parts = resource.split('.')
  const chain: string[] = []
  for (let i = parts.length; i > 0; i--) chain.push(parts.slice(0, i).join('.'))
  chain.push('*')
  return chain
}

export function referenceDecide(
  policy: PolicyInput,
  conditions: Readonly<Record<string, Condition>>,
  subject: Subject,
  permission: string,
  scope: string | undefined,
  instance: unknown,
): ReferenceDecision {
  const colon = permission.lastIndexOf(':')
  const resource = colon === -1 ? permission : permission.slice(0, colon)
  const action = colon === -1 ? '' : permission.slice(colon + 1)
  if (!declaredResources(policy).has(resource))
    return { allowed: false, reason: 'unknown-resource', role: undefined }
  if (action !== 'read' && action !== 'write' && !has(policy.actions, action))
    return { allowed: false, reason: 'unknown-action', role: undefined }

  // Step 1: roles in force.
  const role = (name: string): RoleInput | undefined =>
    has(policy.roles, name) ? policy.roles[name] : undefined
  const typeAllows = (r: RoleInput): boolean =>
    r.subjectTypes === undefined ||
    (subject.type !== undefined && r.subjectTypes.includes(subject.type))
  const heldNames = [
    ...(subject.roles ?? []),
    ...(scope !== undefined && has(subject.scoped, scope) ? (subject.scoped?.[scope] ?? []) : []),
  ]
  const held = new Set(
    heldNames.filter((name) => role(name) !== undefined && typeAllows(role(name) as RoleInput)),
  )
  const closure = (start: Iterable<string>): Set<string> => {
    const out = new Set<string>()
    const visit = (name: string): void => {
      const r = role(name)
      if (out.has(name) || r === undefined || !typeAllows(r)) return
      out.add(name)
      for (const parent of r.inherits ?? []) visit(parent)
    }
    for (const name of start) visit(name)
    return out
  }
  const withInherited = closure(held)

  // Step 2: exclusive roles and conflicting pairs.
  if (held.size > 1 && [...withInherited].some((name) => role(name)?.exclusive === true)) {
    return { allowed: false, reason: 'exclusive-conflict', role: undefined }
  }
  if ((policy.conflicts ?? []).some(([a, b]) => withInherited.has(a) && withInherited.has(b))) {
    return { allowed: false, reason: 'exclusive-conflict', role: undefined }
  }
  const inForce = new Set([...withInherited, ...closure(policy.defaults ?? [])])
  const ordered = Object.keys(policy.roles).filter((name) => inForce.has(name))

  // Step 3: superuser.
  const superuser = ordered.find((name) => role(name)?.superuser === true)
  if (superuser !== undefined) return { allowed: true, reason: 'superuser', role: superuser }

  // Step 4: each source's most specific grant that counts; the union over sources.
  const counts = (grant: GrantInput): boolean => {
    if (typeof grant !== 'object' || Array.isArray(grant)) return true
    const when = (grant as { when: string }).when
    if (instance === undefined || !has(conditions, when)) return false
    try {
      return conditions[when]?.(subject, instance) === true
    } catch {
      return false
    }
  }
  const sources: [string | undefined, Readonly<Record<string, GrantInput>>][] = ordered.map(
    (name) => [name, role(name)?.grants ?? {}],
  )
  if (subject.grants !== undefined)
    sources.push([undefined, validDirectGrants(policy, conditions, subject.grants)])
  let needsInstance: string | undefined | null = null
  let failed: string | undefined | null = null
  let restricted: string | undefined | null = null
  for (const [name, grants] of sources) {
    for (const path of ancestry(resource)) {
      if (!has(grants, path)) continue
      const grant = grants[path] as GrantInput
      const gives = listedActions(grant).some((a) => impliedBy(policy, a).has(action))
      if (counts(grant)) {
        if (gives) return { allowed: true, reason: 'granted', role: name }
        if (grant === 'none' && restricted === null) restricted = name
        break
      }
      if (gives && instance === undefined && needsInstance === null) needsInstance = name
      else if (gives && failed === null) failed = name
    }
  }
  // Step 5: deny, with the most telling reason.
  if (needsInstance !== null)
    return { allowed: false, reason: 'condition-needs-resource', role: needsInstance }
  if (failed !== null) return { allowed: false, reason: 'condition-failed', role: failed }
  if (restricted !== null) return { allowed: false, reason: 'restricted', role: restricted }
  return { allowed: false, reason: 'no-grant', role: undefined }
}

/**
 * Direct grants as the engine accepts them: declared resources, known actions, and conditions the
 * caller has a function for.
 */
function validDirectGrants(
  policy: PolicyInput,
  conditions: Readonly<Record<string, Condition>>,
  grants: Readonly<Record<string, GrantInput>>,
): Record<string, GrantInput> {
  const resources = declaredResources(policy)
  const known = (a: unknown): boolean =>
    a === 'read' || a === 'write' || (typeof a === 'string' && has(policy.actions, a))
  const knownList = (a: unknown): boolean =>
    (typeof a === 'string' && known(a)) || (Array.isArray(a) && a.length > 0 && a.every(known))
  const valid: Record<string, GrantInput> = {}
  for (const [path, grant] of Object.entries(grants)) {
    if (!resources.has(path)) continue
    const conditional =
      typeof grant === 'object' && !Array.isArray(grant)
        ? (grant as { readonly actions: unknown; readonly when: string })
        : undefined
    if (
      grant === 'none' ||
      (conditional === undefined && knownList(grant)) ||
      (conditional !== undefined &&
        has(conditions, conditional.when) &&
        knownList(conditional.actions))
    ) {
      valid[path] = grant
    }
  }
  return valid
}
