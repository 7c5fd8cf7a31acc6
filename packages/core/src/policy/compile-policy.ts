import { createHash } from 'node:crypto'
import { pathPrefixes } from './names.js'
import type { GrantInput, PolicyInput, RoleInput } from './types.js'
import { validatePolicy, type ValidateOptions } from './validate-policy.js'

/** A grant as compiled: where it was written and the action mask it gives. */
export interface CompiledGrant {
  /** The resource path as written in the policy. */
  readonly resource: string
  /** The grant as written. */
  readonly value: GrantInput
  /** Actions given, implied ones included; 0 for `'none'`. */
  readonly mask: number
  /** The condition's name for a conditional grant. */
  readonly when: string | undefined
}

/** A role's decision table. Arrays are indexed by resource index. */
export interface CompiledRole {
  readonly name: string
  readonly index: number
  readonly superuser: boolean
  readonly exclusive: boolean
  readonly inherits: readonly number[]
  readonly subjectTypes: ReadonlySet<string> | undefined
  /** Per resource: the mask of the most specific unconditional grant on the resource or above it. */
  readonly base: Int32Array
  /** Per resource: index into `grants` of that unconditional grant, or -1. */
  readonly baseGrant: Int32Array
  /**
   * Per resource: conditional grants more specific than the unconditional one, nearest first. The
   * first whose condition holds wins; if none holds, `base` applies. Absent where there are none.
   */
  readonly conditional: ReadonlyMap<number, readonly CompiledGrant[]>
  readonly grants: readonly CompiledGrant[]
}

/** A parsed permission: the resource's index and the action's bit. */
export interface CompiledPermission {
  readonly permission: string
  readonly resource: number
  readonly action: number
  readonly bit: number
}

const brand: unique symbol = Symbol('rolegate.compiledPolicy')

/**
 * A validated, compiled policy. Nominal: only {@link compilePolicy} makes one, so a hand-built
 * object can never pose as validated.
 */
export interface CompiledPolicy {
  readonly [brand]: true
  /** The policy as given (deep-frozen copy). */
  readonly source: PolicyInput
  /** A hash of the policy's canonical JSON: equal policies share a version. */
  readonly version: string
  /** Resource paths by index, in declaration order with parents before children; index 0 is `'*'`. */
  readonly resources: readonly string[]
  readonly resourceIndex: ReadonlyMap<string, number>
  /** Parent index per resource (-1 for the root). */
  readonly parent: Int32Array
  /** Direct children per resource. */
  readonly children: readonly (readonly number[])[]
  /** Action names by bit index. */
  readonly actions: readonly string[]
  readonly actionIndex: ReadonlyMap<string, number>
  /** Per action: the mask of itself and everything it implies. */
  readonly implied: Int32Array
  /** Mask of every action. */
  readonly allActions: number
  readonly roles: readonly CompiledRole[]
  readonly roleIndex: ReadonlyMap<string, number>
  readonly defaults: readonly number[]
  readonly conflicts: readonly (readonly [number, number])[]
  /** Every valid `resource:action` string. */
  readonly permissions: ReadonlyMap<string, CompiledPermission>
  /**
   * Names of the conditions the policy was compiled with (`createRolegate`'s), so that grants
   * given at run time (a subject's direct grants) are checked as the policy's were; `undefined`
   * when compiled without them.
   */
  readonly conditionNames: ReadonlySet<string> | undefined
}

/**
 * Validates and compiles a policy into lookup tables.
 *
 * @throws {@link PolicyError} listing every problem when the policy is invalid.
 */
export function compilePolicy(input: unknown, options: ValidateOptions = {}): CompiledPolicy {
  const policy = frozenCopy(validatePolicy(input, options))
  const { resources, resourceIndex, parent, children } = compileResources(policy.resources)
  const { actions, actionIndex, implied } = compileActions(policy.actions ?? {})
  const allActions = implied.reduce((all, mask) => all | mask, 0)
  const roleNames = Object.keys(policy.roles)
  const roleIndex = new Map(roleNames.map((name, i) => [name, i]))
  const maskOf = (grant: GrantInput): number => grantMask(grant, actionIndex, implied)
  const roles = roleNames.map((name, index) =>
    compileRole(name, index, policy.roles[name] as RoleInput, {
      resources,
      resourceIndex,
      parent,
      roleIndex,
      maskOf,
    }),
  )
  const permissions = new Map<string, CompiledPermission>()
  resources.forEach((resource, r) => {
    actions.forEach((action, a) => {
      const permission = `${resource}:${action}`
      permissions.set(permission, { permission, resource: r, action: a, bit: 1 << a })
    })
  })
  let version: string | undefined
  return {
    [brand]: true,
    source: policy,
    // Hashing the canonical JSON costs as much as the rest of compiling a large policy, and only
    // caches read it: computed on first use.
    get version(): string {
      return (version ??= createHash('sha256')
        .update(canonicalJson(policy))
        .digest('base64url')
        .slice(0, 16))
    },
    resources,
    resourceIndex,
    parent,
    children,
    actions,
    actionIndex,
    implied,
    allActions,
    roles,
    roleIndex,
    defaults: (policy.defaults ?? []).map((name) => roleIndex.get(name) as number),
    conflicts: (policy.conflicts ?? []).map(
      ([a, b]) => [roleIndex.get(a) as number, roleIndex.get(b) as number] as const,
    ),
    permissions,
    conditionNames: options.conditions === undefined ? undefined : new Set(options.conditions),
  }
}

/** Whether `value` is a policy compiled by {@link compilePolicy}. */
export function isCompiledPolicy(value: unknown): value is CompiledPolicy {
  return (
    typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
  )
}

function compileResources(declared: readonly string[]) {
  const resources = ['*']
  const resourceIndex = new Map<string, number>([['*', 0]])
  const parents = [-1]
  const children: number[][] = [[]]
  // Declaration order, each path preceded by its parents: tables fill in one forward pass, and
  // fields and matrices list resources in the order the policy author wrote them.
  for (const path of declared) {
    if (path === '*') continue
    for (const prefix of pathPrefixes(path)) {
      if (resourceIndex.has(prefix)) continue
      const dot = prefix.lastIndexOf('.')
      const parentIndex = dot === -1 ? 0 : (resourceIndex.get(prefix.slice(0, dot)) as number)
      const index = resources.length
      resources.push(prefix)
      resourceIndex.set(prefix, index)
      parents.push(parentIndex)
      children.push([])
      children[parentIndex]?.push(index)
    }
  }
  return { resources, resourceIndex, parent: Int32Array.from(parents), children }
}

function compileActions(declared: Readonly<Record<string, readonly string[]>>) {
  const actions = ['read', 'write', ...Object.keys(declared)]
  const actionIndex = new Map(actions.map((name, i) => [name, i]))
  const direct = actions.map((name) => (name === 'write' ? ['read'] : (declared[name] ?? [])))
  // Transitive closure by repeated expansion; there are at most 31 actions.
  const implied = Int32Array.from(actions, (_, i) => 1 << i)
  for (let changed = true; changed;) {
    changed = false
    direct.forEach((impliedNames, i) => {
      let mask = implied[i] as number
      for (const name of impliedNames) mask |= implied[actionIndex.get(name) as number] as number
      if (mask !== implied[i]) {
        implied[i] = mask
        changed = true
      }
    })
  }
  return { actions, actionIndex, implied }
}

/** The actions a grant lists, as written (implied ones not added); none for `'none'`. */
export function grantActions(grant: GrantInput): readonly string[] {
  if (grant === 'none') return []
  if (typeof grant === 'string') return [grant]
  if (isActionList(grant)) return grant
  return typeof grant.actions === 'string' ? [grant.actions] : grant.actions
}

function isActionList(grant: GrantInput): grant is readonly string[] {
  return Array.isArray(grant)
}

/** The action mask a grant gives, implied actions included. */
export function grantMask(
  grant: GrantInput,
  actionIndex: ReadonlyMap<string, number>,
  implied: Int32Array,
): number {
  let mask = 0
  for (const action of grantActions(grant))
    mask |= implied[actionIndex.get(action) as number] as number
  return mask
}

interface RoleCompileContext {
  readonly resources: readonly string[]
  readonly resourceIndex: ReadonlyMap<string, number>
  readonly parent: Int32Array
  readonly roleIndex: ReadonlyMap<string, number>
  readonly maskOf: (grant: GrantInput) => number
}

/** Compiles one set of grants into per-resource tables. Used for roles and for direct grants. */
export function compileGrantTables(
  grantsInput: Readonly<Record<string, GrantInput>>,
  ctx: Pick<RoleCompileContext, 'resources' | 'resourceIndex' | 'parent' | 'maskOf'>,
): Pick<CompiledRole, 'base' | 'baseGrant' | 'conditional' | 'grants'> {
  const size = ctx.resources.length
  const grants: CompiledGrant[] = []
  const own = new Int32Array(size).fill(-1)
  for (const [resource, value] of Object.entries(grantsInput)) {
    const index = ctx.resourceIndex.get(resource)
    if (index === undefined) continue
    const when =
      typeof value === 'object' && !Array.isArray(value)
        ? (value as { when: string }).when
        : undefined
    own[index] = grants.length
    grants.push({ resource, value, mask: ctx.maskOf(value), when })
  }
  const base = new Int32Array(size)
  const baseGrant = new Int32Array(size).fill(-1)
  const conditional = new Map<number, readonly CompiledGrant[]>()
  // Resources are ordered parents first, so one forward pass sees each parent's tables done.
  for (let r = 0; r < size; r++) {
    const p = ctx.parent[r] as number
    const grantIndex = own[r] as number
    const grant = grants[grantIndex]
    const inheritedConditional = p === -1 ? undefined : conditional.get(p)
    if (grant !== undefined && grant.when === undefined) {
      base[r] = grant.mask
      baseGrant[r] = grantIndex
      continue
    }
    base[r] = p === -1 ? 0 : (base[p] as number)
    baseGrant[r] = p === -1 ? -1 : (baseGrant[p] as number)
    if (grant !== undefined) conditional.set(r, [grant, ...(inheritedConditional ?? [])])
    else if (inheritedConditional !== undefined) conditional.set(r, inheritedConditional)
  }
  return { base, baseGrant, conditional, grants }
}

function compileRole(
  name: string,
  index: number,
  role: RoleInput,
  ctx: RoleCompileContext,
): CompiledRole {
  return {
    name,
    index,
    superuser: role.superuser === true,
    exclusive: role.exclusive === true,
    inherits: (role.inherits ?? []).map((parent) => ctx.roleIndex.get(parent) as number),
    subjectTypes: role.subjectTypes === undefined ? undefined : new Set(role.subjectTypes),
    ...compileGrantTables(role.grants ?? {}, ctx),
  }
}

/** A deep copy of validated plain data, frozen as it is made: one walk instead of clone then freeze. */
function frozenCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as T
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    // defineProperty keeps a `__proto__` key as data, as JSON.parse made it.
    Object.defineProperty(copy, key, {
      value: frozenCopy((value as Record<string, unknown>)[key]),
      enumerable: true,
    })
  }
  return Object.freeze(copy) as T
}

/** JSON with object keys sorted, so that equal policies hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      )
    return `{${entries.join(',')}}`
  }
  // A policy is validated plain data, so undefined is the only value JSON cannot write.
  return value === undefined ? 'null' : JSON.stringify(value)
}
