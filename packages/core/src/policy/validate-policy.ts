import { PolicyError, describeValue, type PolicyProblem } from '../errors.js'
import { isRecord } from '../is-record.js'
import { nameProblem, pathPrefixes, pathStep, resourcePathProblem } from './names.js'
import type { PolicyInput } from './types.js'

/** Bits available for actions in a compiled policy (a 32-bit mask, one bit kept clear). */
export const MAX_ACTIONS = 31

const POLICY_KEYS = new Set(['resources', 'actions', 'roles', 'conflicts', 'defaults', '$schema'])
const ROLE_KEYS = new Set([
  'description',
  'superuser',
  'exclusive',
  'inherits',
  'subjectTypes',
  'grants',
])
const GRANT_KEYS = new Set(['actions', 'when'])

/** What the validator needs to know beyond the policy itself. */
export interface ValidateOptions {
  /** Names of the conditions the application supplies; when absent, `when` names are not checked. */
  readonly conditions?: ReadonlySet<string> | undefined
}

type Obj = Readonly<Record<string, unknown>>

/**
 * A value as it would be written in JSON, for messages; `undefined` and functions by name. What
 * JSON cannot write (a BigInt, a cycle, a throwing `toJSON` or getter) is named by its type, so
 * that a message never throws in place of the problem it reports.
 */
function show(value: unknown): string {
  const unrepresentable =
    value === undefined || typeof value === 'function' || typeof value === 'symbol'
  if (unrepresentable) return String(value)
  try {
    return JSON.stringify(value)
  } catch {
    return describeValue(value)
  }
}

/**
 * Visits every index of a list, holes included (as `undefined`): `forEach` and `every` skip holes,
 * and a sparse `['a', , 'b']` would pass unchecked and crash the compiler.
 */
function eachItem(list: readonly unknown[], visit: (item: unknown, index: number) => void): void {
  for (let i = 0; i < list.length; i++) visit(list[i], i)
}

function keysOf(value: Obj): string[] {
  return Object.keys(value)
}

/**
 * Checks a policy and returns every problem found (an empty list when it is valid). Never throws:
 * any input, however malformed, yields problems.
 */
export function findPolicyProblems(input: unknown, options: ValidateOptions = {}): PolicyProblem[] {
  const problems: PolicyProblem[] = []
  const report = (path: string, message: string): void => {
    problems.push({ path, message })
  }
  try {
    checkPolicy(input, options, report)
  } catch (error) {
    // Only data that is not plain gets here (a getter or a Proxy that throws): it is a problem too.
    const why = error instanceof Error ? error.message : describeValue(error)
    report('policy', `cannot be read as plain data: ${why}`)
  }
  return problems
}

function checkPolicy(input: unknown, options: ValidateOptions, report: Report): void {
  if (!isRecord(input)) {
    report('policy', 'a policy must be an object with "resources" and "roles"')
    return
  }
  for (const key of keysOf(input)) {
    if (!POLICY_KEYS.has(key)) report(`policy${pathStep(key)}`, `unknown key "${key}"`)
  }
  if (input.$schema !== undefined && typeof input.$schema !== 'string') {
    report('policy.$schema', 'must be a string')
  }
  const resources = checkResources(input.resources, report)
  const actions = checkActions(input.actions, report)
  const roleNames = isRecord(input.roles) ? new Set(keysOf(input.roles)) : new Set<string>()
  checkRoles(input.roles, { resources, actions, roleNames, conditions: options.conditions }, report)
  checkConflicts(input.conflicts, roleNames, report)
  checkRoleList(input.defaults, 'policy.defaults', roleNames, report)
}

/**
 * Validates a policy and returns it typed, or throws a {@link PolicyError} listing every problem.
 *
 * @throws {@link PolicyError} when anything is wrong.
 */
export function validatePolicy(input: unknown, options: ValidateOptions = {}): PolicyInput {
  const problems = findPolicyProblems(input, options)
  if (problems.length > 0) throw new PolicyError(problems)
  return input as PolicyInput
}

type Report = (path: string, message: string) => void

function checkResources(value: unknown, report: Report): Set<string> {
  const declared = new Set<string>(['*'])
  if (!Array.isArray(value)) {
    report('policy.resources', 'must be a list of dotted resource paths')
    return declared
  }
  const seen = new Set<string>()
  eachItem(value, (path, i) => {
    const where = `policy.resources[${i}]`
    if (typeof path !== 'string') return report(where, 'a resource path must be a string')
    const problem = resourcePathProblem(path)
    if (problem !== undefined) return report(where, problem)
    if (seen.has(path)) return report(where, `duplicate resource "${path}"`)
    seen.add(path)
    if (path !== '*') for (const prefix of pathPrefixes(path)) declared.add(prefix)
  })
  return declared
}

function checkActions(value: unknown, report: Report): Set<string> {
  const names = new Set<string>(['read', 'write'])
  if (value === undefined) return names
  if (!isRecord(value)) {
    report('policy.actions', 'must map each action name to the list of actions it implies')
    return names
  }
  const declared = keysOf(value)
  for (const name of declared) {
    const where = `policy.actions${pathStep(name)}`
    const problem = nameProblem(name)
    if (problem !== undefined) report(where, problem)
    else if (name === 'read' || name === 'write')
      report(where, `"${name}" is built in and cannot be redefined`)
    else names.add(name)
  }
  if (names.size > MAX_ACTIONS) {
    report('policy.actions', `at most ${MAX_ACTIONS} actions are supported, found ${names.size}`)
  }
  for (const name of declared) {
    const implied = value[name]
    const where = `policy.actions${pathStep(name)}`
    if (!Array.isArray(implied)) {
      report(where, 'must be a list of the actions it implies (use [] for none)')
      continue
    }
    eachItem(implied, (action, i) => {
      if (typeof action !== 'string' || !names.has(action)) {
        report(`${where}[${i}]`, `implies unknown action ${show(action)}`)
      }
    })
  }
  return names
}

/** Names that exist: a set, or a compiled policy's index. */
interface Names {
  has(name: string): boolean
}

/** What grants are checked against: the policy's resources and actions, and the conditions. */
export interface GrantCheckContext {
  readonly resources: Names
  readonly actions: Names
  /** When absent, `when` names are not checked. */
  readonly conditions: Names | undefined
}

interface RoleCheckContext extends GrantCheckContext {
  readonly roleNames: ReadonlySet<string>
}

function checkRoles(value: unknown, ctx: RoleCheckContext, report: Report): void {
  if (!isRecord(value)) {
    report('policy.roles', 'must map each role name to a role')
    return
  }
  for (const name of ctx.roleNames) {
    const where = `policy.roles${pathStep(name)}`
    const problem = nameProblem(name)
    if (problem !== undefined) report(where, problem)
    const role = value[name]
    if (!isRecord(role)) {
      report(where, 'a role must be an object')
      continue
    }
    for (const key of keysOf(role)) {
      if (!ROLE_KEYS.has(key)) report(`${where}${pathStep(key)}`, `unknown key "${key}"`)
    }
    for (const flag of ['superuser', 'exclusive'] as const) {
      if (role[flag] !== undefined && typeof role[flag] !== 'boolean') {
        report(`${where}.${flag}`, 'must be true or false')
      }
    }
    if (role.description !== undefined && typeof role.description !== 'string') {
      report(`${where}.description`, 'must be a string')
    }
    checkRoleList(role.inherits, `${where}.inherits`, ctx.roleNames, report)
    if (Array.isArray(role.inherits) && role.inherits.includes(name)) {
      report(`${where}.inherits`, `role "${name}" inherits itself`)
    }
    checkSubjectTypes(role.subjectTypes, `${where}.subjectTypes`, report)
    checkGrants(role.grants, `${where}.grants`, ctx, report)
  }
  checkInheritanceCycles(value, ctx.roleNames, report)
}

function checkRoleList(
  value: unknown,
  where: string,
  roles: ReadonlySet<string>,
  report: Report,
): void {
  if (value === undefined) return
  if (!Array.isArray(value)) return report(where, 'must be a list of role names')
  eachItem(value, (role, i) => {
    if (typeof role !== 'string') report(`${where}[${i}]`, 'a role name must be a string')
    else if (!roles.has(role)) report(`${where}[${i}]`, `unknown role "${role}"`)
  })
}

function checkSubjectTypes(value: unknown, where: string, report: Report): void {
  if (value === undefined) return
  if (!Array.isArray(value) || value.length === 0) {
    return report(where, 'must be a non-empty list of subject types')
  }
  eachItem(value, (type, i) => {
    if (typeof type !== 'string' || type === '')
      return report(`${where}[${i}]`, 'a subject type must be a non-empty string')
    // Named like roles: subject types are written into the CLI's matrices and into messages.
    const problem = nameProblem(type)
    if (problem !== undefined) report(`${where}[${i}]`, problem)
  })
}

/** Checks a grants object; also used for subjects' direct grants. */
export function checkGrants(
  value: unknown,
  where: string,
  ctx: GrantCheckContext,
  report: Report,
): void {
  if (value === undefined) return
  if (!isRecord(value)) return report(where, 'must map resource paths to grants')
  for (const resource of keysOf(value)) {
    const grant = value[resource]
    // Large policies hold tens of thousands of grants: the valid plain ones need no path string.
    if (ctx.resources.has(resource) && isPlainValidGrant(grant, ctx.actions)) continue
    const at = `${where}${pathStep(resource)}`
    if (!ctx.resources.has(resource)) report(at, `unknown resource "${resource}"`)
    checkGrant(grant, at, ctx, report)
  }
}

function isPlainValidGrant(grant: unknown, actions: Names): boolean {
  if (typeof grant === 'string') return grant === 'none' || actions.has(grant)
  if (!Array.isArray(grant) || grant.length === 0) return false
  for (let i = 0; i < grant.length; i++) {
    const action: unknown = grant[i]
    if (typeof action !== 'string' || !actions.has(action)) return false
  }
  return true
}

function checkGrant(grant: unknown, where: string, ctx: GrantCheckContext, report: Report): void {
  if (grant === 'none') return
  if (typeof grant === 'string' || Array.isArray(grant))
    return checkActionList(grant, where, ctx.actions, report)
  if (!isRecord(grant)) {
    return report(
      where,
      `bad level ${show(grant)}: use "none", an action, a list of actions or { actions, when }`,
    )
  }
  for (const key of keysOf(grant)) {
    if (!GRANT_KEYS.has(key)) report(`${where}${pathStep(key)}`, `unknown key "${key}"`)
  }
  if (grant.actions === 'none')
    report(
      `${where}.actions`,
      'a conditional grant must give actions; "none" cannot be conditional',
    )
  else checkActionList(grant.actions, `${where}.actions`, ctx.actions, report)
  const badName = typeof grant.when === 'string' ? nameProblem(grant.when) : undefined
  if (typeof grant.when !== 'string' || grant.when === '') {
    report(`${where}.when`, 'must name a condition')
  } else if (badName !== undefined) {
    report(`${where}.when`, badName)
  } else if (ctx.conditions !== undefined && !ctx.conditions.has(grant.when)) {
    report(
      `${where}.when`,
      `condition "${grant.when}" has no function: pass it in createRolegate({ conditions })`,
    )
  }
}

function checkActionList(value: unknown, where: string, actions: Names, report: Report): void {
  if (typeof value === 'string') {
    if (!actions.has(value)) report(where, `unknown action or level "${value}"`)
    return
  }
  if (!Array.isArray(value) || value.length === 0) {
    return report(where, 'must be an action or a non-empty list of actions')
  }
  eachItem(value, (action, i) => {
    if (typeof action !== 'string' || !actions.has(action)) {
      report(`${where}[${i}]`, `unknown action ${show(action)}`)
    }
  })
}

function checkConflicts(value: unknown, roles: ReadonlySet<string>, report: Report): void {
  if (value === undefined) return
  if (!Array.isArray(value)) return report('policy.conflicts', 'must be a list of role pairs')
  eachItem(value, (pair, i) => {
    const where = `policy.conflicts[${i}]`
    if (!Array.isArray(pair) || pair.length !== 2)
      return report(where, 'must be a pair of role names')
    checkRoleList(pair, where, roles, report)
    if (pair[0] === pair[1]) report(where, 'a role cannot conflict with itself')
  })
}

function checkInheritanceCycles(roles: Obj, names: ReadonlySet<string>, report: Report): void {
  const parentsOf = (name: string): string[] => {
    const role = roles[name]
    const inherits = isRecord(role) ? role.inherits : undefined
    return Array.isArray(inherits)
      ? inherits.filter((r): r is string => typeof r === 'string' && names.has(r) && r !== name)
      : []
  }
  const done = new Set<string>()
  const reported = new Set<string>()
  const visit = (name: string, stack: string[]): void => {
    if (done.has(name)) return
    const at = stack.indexOf(name)
    if (at !== -1) {
      const cycle = stack.slice(at)
      const key = [...cycle].sort().join('\u0000')
      if (!reported.has(key)) {
        reported.add(key)
        report(
          `policy.roles${pathStep(cycle[0] ?? name)}.inherits`,
          `inheritance cycle: ${[...cycle, name].join(' → ')}`,
        )
      }
      return
    }
    stack.push(name)
    for (const parent of parentsOf(name)) visit(parent, stack)
    stack.pop()
    done.add(name)
  }
  for (const name of names) visit(name, [])
}
