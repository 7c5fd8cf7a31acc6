import { claimLabel, isObject, parseClaimPath, type ClaimPath } from './claim-path.js'
import { asciiLowerCase, type ValueSplit } from './claim-values.js'
import { ClaimMappingError, refuseUnknownKeys } from './errors.js'
import { universalValueTest } from './universal-values.js'

/** A role a value maps to: a global role by name, or a role held in one scope. */
export type RoleTarget = string | { readonly role: string; readonly scope: string }

/** Claim value to the role or roles it gives. Keys are compared whole, by code point. */
export type ValueMap = Readonly<Record<string, RoleTarget | readonly RoleTarget[]>>

/** What every rule can say about how it reads and compares values. */
export interface RuleOptions {
  /**
   * Names the rule in traces, warnings and errors.
   * @defaultValue `rules[<index>]`
   */
  readonly id?: string
  /** Where the values are: a top-level name, or an array of path segments. See {@link ClaimPath}. */
  readonly claim: ClaimPath
  /**
   * Compare after ASCII-only lower-casing (`A`-`Z` to `a`-`z`) of both the rule's keys and the
   * values. No locale folding and no Unicode normalisation: `ＡＤＭＩＮ` and `admın` still differ
   * from `admin`. A scope rule compares only with values every user has: its scopes are the
   * values as sent.
   * @defaultValue false
   */
  readonly caseInsensitive?: boolean
  /**
   * Split a string value on ASCII spaces (`'space'`, runs collapse) or on commas (`','`, nothing
   * trimmed). Without it a string is one whole value. Array items are never split.
   * @defaultValue none
   */
  readonly split?: ValueSplit
  /**
   * The most values the claim may hold; above it the rule gives nothing and warns.
   * @defaultValue the connection's `maxValues` (1000)
   */
  readonly maxValues?: number
  /**
   * Allow the map to name a value that every user has (`Everyone`, `offline_access`, …), or a scope
   * rule to make a scope of one. Only for a connection where that value really is a signal.
   * @defaultValue false
   */
  readonly allowUniversalValues?: boolean
}

/**
 * An allowlist: each exact claim value in `map` gives its roles; any other value gives nothing.
 *
 * @example
 * ```ts
 * const rule: ValueRule = { claim: ['realm_access', 'roles'], map: { 'billing-admin': 'admin' } }
 * ```
 */
export interface ValueRule extends RuleOptions {
  readonly map: ValueMap
  readonly scopes?: never
}

/** How a scope rule turns a value into a scope. */
export interface ScopeTarget {
  /** Put before the value to name the scope, e.g. `'team:'` gives `team:42`. Not empty. */
  readonly prefix: string
  /** The roles held in each scope. */
  readonly roles: readonly string[]
  /**
   * What a value, as sent, must match, whole, to become a scope (`caseInsensitive` does not fold it
   * first: the scope is that value). Flags `g`, `y` and `m` are refused.
   * @defaultValue `/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/`
   */
  readonly pattern?: RegExp
}

/**
 * Makes a scope of each value of a claim: a claim listing team ids gives each team's roles in
 * `team:<id>`. Values that do not match `pattern` give nothing and warn.
 *
 * @example
 * ```ts
 * const rule: ScopeRule = { claim: 'teams', scopes: { prefix: 'team:', roles: ['standard'] } }
 * ```
 */
export interface ScopeRule extends RuleOptions {
  readonly scopes: ScopeTarget
  readonly map?: never
}

/** A rule: an exact-value allowlist ({@link ValueRule}) or a scope maker ({@link ScopeRule}). */
export type ClaimRule = ValueRule | ScopeRule

/** A role a rule gives, before the value is known. */
export interface RoleGrant {
  readonly role: string
  readonly scope?: string
}

/** A rule checked and compiled when the mapper is created. */
export interface CompiledRule {
  readonly id: string
  readonly segments: readonly string[]
  readonly label: string
  readonly split: ValueSplit | undefined
  readonly maxValues: number
  /** The rule's comparison form of a value: identity, or ASCII lower case. */
  readonly fold: (value: string) => string
  readonly isUniversal: (folded: string) => boolean
  /** Whether values every user has may map (a map's keys) or make scopes (a scope rule). */
  readonly allowUniversalValues: boolean
  /** For a value rule: folded value to grants. Own entries only, in a Map. */
  readonly map: ReadonlyMap<string, readonly RoleGrant[]> | undefined
  readonly scopes:
    | { readonly prefix: string; readonly roles: readonly string[]; readonly pattern: RegExp }
    | undefined
  /** Every role the rule can give, to check against the policy. */
  readonly roles: readonly string[]
}

const DEFAULT_SCOPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

const RULE_KEYS: ReadonlySet<string> = new Set([
  'id',
  'claim',
  'caseInsensitive',
  'split',
  'maxValues',
  'allowUniversalValues',
  'map',
  'scopes',
])
const ROLE_GRANT_KEYS: ReadonlySet<string> = new Set(['role', 'scope'])
const SCOPES_KEYS: ReadonlySet<string> = new Set(['prefix', 'roles', 'pattern'])
const identity = (value: string): string => value

/** Where a rule's problem is, as its errors name it. */
interface RuleWhere {
  readonly connection: string
  readonly rule: string
}

/** Throws the claim-mapping error of `message`, naming the connection and the rule. */
const failAt =
  (where: RuleWhere) =>
  (message: string): never => {
    throw new ClaimMappingError(message, where)
  }

/**
 * Checks a rule and compiles it.
 *
 * @throws {@link ClaimMappingError} naming the connection and the rule.
 */
export function compileRule(
  rule: ClaimRule,
  index: number,
  { connection, maxValues }: { readonly connection: string; readonly maxValues: number },
): CompiledRule {
  if (!isObject(rule))
    throw new ClaimMappingError('must be an object', { connection, rule: `rules[${index}]` })
  const id = typeof rule.id === 'string' && rule.id !== '' ? rule.id : `rules[${index}]`
  const where = { connection, rule: id }
  const fail: (message: string) => never = failAt(where)
  refuseUnknownKeys(rule, RULE_KEYS, 'a rule', where)
  if (rule.id !== undefined && (typeof rule.id !== 'string' || rule.id === ''))
    fail('"id" must be a non-empty string')
  for (const flag of ['caseInsensitive', 'allowUniversalValues'] as const)
    if (rule[flag] !== undefined && typeof rule[flag] !== 'boolean')
      fail(`"${flag}" must be true or false`)
  const segments = parseClaimPath(rule.claim, where)
  const fold = rule.caseInsensitive === true ? asciiLowerCase : identity
  const isUniversal = universalValueTest(fold)
  const split: unknown = rule.split
  if (split !== undefined && split !== 'space' && split !== ',')
    fail('"split" must be "space" or ","')
  // Only a missing limit takes the connection's: null is a wrong value, as "5" or 0 is.
  const limit: unknown = rule.maxValues === undefined ? maxValues : rule.maxValues
  if (!isPositiveInteger(limit)) return fail('"maxValues" must be a positive integer')
  const hasMap = rule.map !== undefined
  const hasScopes = rule.scopes !== undefined
  if (hasMap === hasScopes) fail('a rule has either "map" or "scopes"')
  const map = hasMap ? compileMap(rule.map, { fold, isUniversal, rule, where }) : undefined
  const scopes = hasScopes ? compileScopes(rule.scopes, where) : undefined
  const roles = map
    ? [...map.values()].flatMap((grants) => grants.map((g) => g.role))
    : (scopes?.roles ?? [])
  return {
    id,
    segments,
    label: claimLabel(segments),
    split: rule.split,
    maxValues: limit,
    fold,
    isUniversal,
    allowUniversalValues: rule.allowUniversalValues === true,
    map,
    scopes,
    roles: [...new Set(roles)],
  }
}

/** A whole number of at least 1 that is exactly representable: what a value limit must be. */
export function isPositiveInteger(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1
}

function compileMap(
  map: unknown,
  context: {
    readonly fold: (value: string) => string
    readonly isUniversal: (folded: string) => boolean
    readonly rule: ClaimRule
    readonly where: RuleWhere
  },
): ReadonlyMap<string, readonly RoleGrant[]> {
  const { fold, isUniversal, rule, where } = context
  const fail: (message: string) => never = failAt(where)
  if (typeof map !== 'object' || map === null || Array.isArray(map))
    fail('"map" must map claim values to roles')
  const compiled = new Map<string, readonly RoleGrant[]>()
  // Object.entries lists own enumerable keys only, so nothing comes from a prototype.
  for (const [value, targets] of Object.entries(map)) {
    if (value === '') fail('"map" has an empty value')
    const key = fold(value)
    if (compiled.has(key)) fail(`"map" has "${value}" twice once case is ignored`)
    if (isUniversal(key) && rule.allowUniversalValues !== true)
      fail(`"${value}" is a value every user has; it is never a role signal`)
    const list: readonly unknown[] = Array.isArray(targets) ? targets : [targets]
    if (list.length === 0) fail(`"map" gives no role for "${value}"`)
    compiled.set(
      key,
      list.map((target) => roleGrant(target, value, where)),
    )
  }
  if (compiled.size === 0) fail('"map" is empty')
  return compiled
}

function roleGrant(target: unknown, value: string, where: RuleWhere): RoleGrant {
  if (typeof target === 'string' && target !== '') return { role: target }
  if (typeof target === 'object' && target !== null) {
    refuseUnknownKeys(target, ROLE_GRANT_KEYS, `the "map" target of "${value}"`, where)
    const { role, scope } = target as { role?: unknown; scope?: unknown }
    if (typeof role === 'string' && role !== '' && typeof scope === 'string' && scope !== '')
      return { role, scope }
  }
  return failAt(where)(`"map" for "${value}" must name a role or { role, scope }`)
}

function compileScopes(scopes: unknown, where: RuleWhere): NonNullable<CompiledRule['scopes']> {
  const fail: (message: string) => never = failAt(where)
  if (!isObject(scopes)) return fail('"scopes" must be an object')
  refuseUnknownKeys(scopes, SCOPES_KEYS, '"scopes"', where)
  const { prefix, roles, pattern } = scopes as { [K in keyof ScopeTarget]?: unknown }
  if (typeof prefix !== 'string' || prefix === '')
    fail('"scopes.prefix" must be a non-empty string')
  if (
    !Array.isArray(roles) ||
    roles.length === 0 ||
    !roles.every((r) => typeof r === 'string' && r !== '')
  )
    fail('"scopes.roles" must list role names')
  if (pattern !== undefined && !(pattern instanceof RegExp))
    fail('"scopes.pattern" must be a RegExp')
  const source = pattern instanceof RegExp ? pattern : DEFAULT_SCOPE_PATTERN
  // g and y make test() stateful (lastIndex), m lets ^ and $ match inside the value.
  if (/[gym]/.test(source.flags)) fail('"scopes.pattern" may not use the g, y or m flags')
  // Anchored here, so a pattern written without ^ and $ still has to match the whole value.
  const whole = new RegExp(`^(?:${source.source})$`, source.flags)
  return { prefix, roles: [...(roles as string[])], pattern: whole }
}
