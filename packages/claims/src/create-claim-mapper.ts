import { UnknownRoleError } from '@rolegate/core'

import { applyRules, unmappedRejection } from './apply-rules.js'
import { isObject, readClaimPath } from './claim-path.js'
import { checkIssuer } from './check-issuer.js'
import {
  compileConnection,
  type ClaimKind,
  type CompiledConnection,
  type Connection,
} from './connections.js'
import { ClaimMappingError, checkEach } from './errors.js'
import {
  mappingFromTrace,
  rejectedMapping,
  type ClaimMapping,
  type ClaimTrace,
  type ClaimWarning,
} from './mapping.js'
import { ALL_CLAIMS, overageClaims } from './overage.js'
import { resolveOverage } from './resolve-overage.js'
import { isPositiveInteger } from './rules.js'

/** What the mapper checks role names with: a `Rolegate` from `createRolegate` fits. */
export interface RoleChecker {
  /** Returns the role, or throws when the policy does not declare it. */
  role(role: string): string
}

/** Options of {@link createClaimMapper}. */
export interface ClaimMapperOptions {
  /** Connection name (letters, digits, `.`, `_`, `-`) to connection. */
  readonly connections: Readonly<Record<string, Connection>>
  /**
   * When given, every role a rule, a scope rule or a default can produce must be declared by its
   * policy, or creating the mapper throws.
   * @defaultValue no check
   */
  readonly rolegate?: RoleChecker
  /**
   * The default `maxValues` of every connection.
   * @defaultValue 1000
   */
  readonly maxValues?: number
}

/** One set of claims to map. */
export interface ClaimInput {
  /** The connection's name. */
  readonly connection: string
  readonly kind: ClaimKind
  /**
   * The claims, already verified by the protocol library (signature, audience, expiry): an ID or
   * access token's payload, a userinfo response, or a SAML assertion's attributes by name.
   */
  readonly claims: unknown
  /**
   * The issuer of claims that are not a token: the ID token's `iss` for userinfo, the assertion's
   * `Issuer` element for SAML. Required for those two kinds: an `iss` inside an unsigned userinfo
   * response is never trusted alone, only checked against this. For a token, its `iss` must agree
   * with this when given.
   */
  readonly issuer?: string
}

/** Maps verified provider claims to roles, per connection. Made by {@link createClaimMapper}. */
export interface ClaimMapper {
  /** The names of the connections, sorted. */
  readonly connections: readonly string[]
  /**
   * Maps one set of claims. Never throws for what a provider sends: bad or suspicious data gives
   * fewer roles, a warning, or a `rejection`.
   *
   * @throws {@link ClaimMappingError} for an unknown connection, or a kind the connection's
   *   protocol does not have (programming errors).
   */
  map(input: ClaimInput): Promise<ClaimMapping>
  /**
   * A connection as compiled.
   *
   * @throws {@link ClaimMappingError} for an unknown connection.
   */
  connection(name: string): CompiledConnection
}

/**
 * Creates a claim mapper: explicit allowlist rules per trusted identity provider, checked now so a
 * wrong rule fails at start-up.
 *
 * @throws {@link ClaimMappingError} for a malformed connection or rule.
 * @throws {@link UnknownRoleError} when `rolegate` is given and a rule names a role its policy does
 *   not declare.
 *
 * @example
 * ```ts
 * const mapper = createClaimMapper({
 *   rolegate: rg,
 *   connections: {
 *     keycloak: {
 *       protocol: 'oidc',
 *       issuer: 'https://sso.example.com/realms/billing',
 *       rules: keycloak({ realmRoles: { 'billing-admin': 'admin', 'billing-viewer': 'read' } }),
 *       defaultRoles: ['analyst'],
 *     },
 *   },
 * })
 * const { roles, trace } = await mapper.map({ connection: 'keycloak', kind: 'id_token', claims })
 * ```
 */
export function createClaimMapper({
  connections,
  rolegate,
  maxValues = 1000,
}: ClaimMapperOptions): ClaimMapper {
  if (!isObject(connections)) throw new ClaimMappingError('"connections" must be an object')
  // Checked here, or each connection would report the mapper's wrong default as its own.
  if (!isPositiveInteger(maxValues))
    throw new ClaimMappingError('"maxValues" must be a positive integer')
  // Every connection is checked, and the problems of all of them are reported together.
  const compiled = new Map(
    checkEach(
      Object.entries(connections),
      ([name, connection]) => [name, compileConnection(name, connection, { maxValues })] as const,
    ),
  )
  if (rolegate !== undefined) for (const conn of compiled.values()) checkRoles(conn, rolegate)
  const lookup = (name: string): CompiledConnection => {
    const conn = compiled.get(name)
    if (conn === undefined) throw new ClaimMappingError(`unknown connection "${name}"`)
    return conn
  }
  return {
    connections: [...compiled.keys()].sort(),
    connection: lookup,
    // async, so an unknown connection is a rejected promise, not a synchronous throw.
    map: async (input) => mapClaims(lookup(input.connection), input),
  }
}

function checkRoles(conn: CompiledConnection, rolegate: RoleChecker): void {
  const sources = [
    ...conn.rules.map((rule) => ({ id: rule.id, roles: rule.roles })),
    { id: 'defaultRoles', roles: conn.defaultRoles },
  ]
  for (const { id, roles } of sources) {
    for (const role of roles) {
      try {
        rolegate.role(role)
      } catch {
        throw new UnknownRoleError(role, `claim mapping connection "${conn.name}", rule "${id}"`)
      }
    }
  }
}

async function mapClaims(conn: CompiledConnection, input: ClaimInput): Promise<ClaimMapping> {
  const { kind, claims, issuer } = input
  if ((kind === 'saml_assertion') !== (conn.protocol === 'saml') || !isKind(kind)) {
    throw new ClaimMappingError(
      `kind "${String(kind)}" is not one of a ${conn.protocol} connection`,
      {
        connection: conn.name,
      },
    )
  }
  if (!isObject(claims)) {
    return rejectedMapping(
      conn.name,
      { code: 'invalid-claims', message: 'claims must be an object' },
      [],
    )
  }
  const bound = checkIssuer(conn, kind, claims, issuer)
  if (bound !== undefined) return rejectedMapping(conn.name, bound, [])
  const warnings: ClaimWarning[] = []
  const overage = await overrides(conn, kind, claims, warnings)
  if (!(overage instanceof Map)) return rejectedMapping(conn.name, overage, warnings)
  const outcome = applyRules(conn.rules, (rule) => {
    const head = rule.segments[0] as string
    // The resolver's values stand in for the claim the provider left out, at the same path.
    const source = overage.has(head) ? Object.fromEntries([[head, overage.get(head)]]) : claims
    return readClaimPath(source, rule.segments)
  })
  warnings.push(...outcome.warnings)
  const unmapped = conn.onUnmapped === 'reject' ? unmappedRejection(outcome) : undefined
  if (unmapped !== undefined) return rejectedMapping(conn.name, unmapped, warnings)
  const trace: ClaimTrace[] = [...outcome.trace]
  for (const role of conn.defaultRoles) trace.push({ role, rule: 'defaultRoles' })
  return mappingFromTrace(conn.name, trace, warnings)
}

function isKind(kind: unknown): kind is ClaimKind {
  return (
    kind === 'id_token' ||
    kind === 'access_token' ||
    kind === 'userinfo' ||
    kind === 'saml_assertion'
  )
}

/**
 * The values that replace claims the provider left out, or why the mapping is refused. An overage
 * matters when a rule reads the claim or the connection has default roles (which are never given
 * on missing data).
 */
async function overrides(
  conn: CompiledConnection,
  kind: ClaimKind,
  claims: object,
  warnings: ClaimWarning[],
): Promise<Map<string, readonly string[]> | NonNullable<ClaimMapping['rejection']>> {
  const replaced = new Map<string, readonly string[]>()
  for (const claim of overageClaims(kind, claims)) {
    const read = conn.rules.some((r) => claim === ALL_CLAIMS || r.segments[0] === claim)
    if (!read && conn.defaultRoles.length === 0) {
      warnings.push({ code: 'overage-ignored', claim, message: 'overage on a claim no rule reads' })
      continue
    }
    const request = {
      connection: conn.name,
      kind,
      claim,
      claims: claims as Record<string, unknown>,
    }
    const resolved = await resolveOverage(conn, request)
    if ('rejection' in resolved) return resolved.rejection
    replaced.set(claim, resolved.values)
    const message = `${resolved.values.length} value(s) from the resolver`
    warnings.push({ code: 'overage-resolved', claim, message })
  }
  return replaced
}
