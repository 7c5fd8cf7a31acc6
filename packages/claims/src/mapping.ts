/** Why a value was left out or a rule gave nothing, without failing the mapping. */
export type ClaimWarningCode =
  /**
   * The claim is neither a string nor an array (a number, an object, `null`, a boolean), or a
   * step in the middle of its path is not an object (`realm_access: "x"`).
   */
  | 'unsupported-shape'
  /** Some items of the claim's array are not strings: they were ignored. */
  | 'non-string-values'
  /** The claim holds more values than the rule's `maxValues`: the rule gave nothing. */
  | 'too-many-values'
  /** A value of a scope rule does not match its `pattern`: no scope was made from it. */
  | 'scope-value-refused'
  /** The provider signalled an overage for a claim no rule reads; nothing depended on it. */
  | 'overage-ignored'
  /** The provider signalled an overage and the connection's resolver supplied the values. */
  | 'overage-resolved'

/** Something the mapper left out, and where. */
export interface ClaimWarning {
  readonly code: ClaimWarningCode
  /** The rule's `id`, when a rule was reading. */
  readonly rule?: string
  /** The claim, as a name or a dotted path of segments. */
  readonly claim?: string
  readonly message: string
}

/** Why a whole mapping was refused: the login must fail (the Passport helpers answer 401). */
export type ClaimRejectionCode =
  /** The claims are not an object. */
  | 'invalid-claims'
  /** No issuer to check: no `iss` claim, or no `issuer` given for userinfo or a SAML assertion. */
  | 'issuer-missing'
  /** The issuer is not the one the connection trusts. */
  | 'issuer-mismatch'
  /** The token's `aud` does not include the connection's `audience`. */
  | 'audience-mismatch'
  /** The tenant (`tid`) is missing or not in the connection's allowlist. */
  | 'tenant-not-allowed'
  /** The provider left claims out (groups overage) and no resolver supplied them. */
  | 'overage'
  /** The connection's overage resolver failed or returned something other than strings. */
  | 'overage-resolver-failed'
  /** The connection has `onUnmapped: 'reject'` and a value mapped to nothing. */
  | 'unmapped-value'

/** Why a mapping was refused. */
export interface ClaimRejection {
  readonly code: ClaimRejectionCode
  readonly message: string
}

/** One role (or scoped role) in a mapping's result, and what produced it. */
export interface ClaimTrace {
  readonly role: string
  /** The scope the role holds in, e.g. `'team:42'`; absent for a global role. */
  readonly scope?: string
  /** The rule's `id`, or `'defaultRoles'` for a connection's default role. */
  readonly rule: string
  /** The claim the value came from (absent for a default role). */
  readonly claim?: string
  /** The claim value that matched, as the provider sent it (absent for a default role). */
  readonly value?: string
}

/**
 * The result of mapping one set of claims: sorted, de-duplicated roles and scoped roles, the trace
 * that says which rule produced each, and what was left out. When `rejection` is set the mapping
 * was refused and `roles` and `scoped` are empty.
 */
export interface ClaimMapping {
  /** The connection the claims were mapped for. */
  readonly connection: string
  /** Global roles, sorted by code point, without duplicates. */
  readonly roles: readonly string[]
  /** Scope to roles, keys and roles sorted by code point. */
  readonly scoped: Readonly<Record<string, readonly string[]>>
  /** One entry per (role, scope, rule, value), sorted. */
  readonly trace: readonly ClaimTrace[]
  /** What was left out, in rule order. */
  readonly warnings: readonly ClaimWarning[]
  /** Present when the mapping was refused. */
  readonly rejection?: ClaimRejection
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Sorts by code point (never `localeCompare`, whose order depends on the runtime's ICU data). */
export function sortStrings(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(byCodePoint)
}

/** Builds a mapping's result from its trace: roles, scoped roles and the trace, all sorted. */
export function mappingFromTrace(
  connection: string,
  trace: readonly ClaimTrace[],
  warnings: readonly ClaimWarning[],
): ClaimMapping {
  const global = new Set<string>()
  const scoped = new Map<string, Set<string>>()
  for (const entry of trace) {
    if (entry.scope === undefined) global.add(entry.role)
    else {
      let roles = scoped.get(entry.scope)
      if (roles === undefined) scoped.set(entry.scope, (roles = new Set()))
      roles.add(entry.role)
    }
  }
  // fromEntries defines own properties, so a scope named "__proto__" is data, not a prototype.
  const scopedRoles = Object.fromEntries(
    sortStrings(scoped.keys()).map((scope) => [scope, sortStrings(scoped.get(scope) ?? [])]),
  )
  return {
    connection,
    roles: sortStrings(global),
    scoped: scopedRoles,
    trace: sortTrace(trace),
    warnings,
  }
}

/** A refused mapping: no roles, and the reason. */
export function rejectedMapping(
  connection: string,
  rejection: ClaimRejection,
  warnings: readonly ClaimWarning[],
): ClaimMapping {
  return { connection, roles: [], scoped: {}, trace: [], warnings, rejection }
}

function sortTrace(trace: readonly ClaimTrace[]): ClaimTrace[] {
  const keyOf = (t: ClaimTrace) =>
    JSON.stringify([t.scope ?? '', t.role, t.rule, t.claim ?? '', t.value ?? ''])
  const unique = new Map(trace.map((t) => [keyOf(t), t]))
  return sortStrings(unique.keys()).map((key) => unique.get(key) as ClaimTrace)
}
