import { isObject } from './claim-path.js'
import { ClaimMappingError, checkEach, refuseUnknownKeys } from './errors.js'
import { compileRule, isPositiveInteger, type ClaimRule, type CompiledRule } from './rules.js'
import { certificateProblem } from './saml-certificate.js'

/** What kind of provider data is being mapped. */
export type ClaimKind = 'id_token' | 'access_token' | 'userinfo' | 'saml_assertion'

/** What an {@link OverageResolver} is asked for. */
export interface OverageRequest {
  readonly connection: string
  readonly kind: ClaimKind
  /** The claim the provider left out: `groups`, or the SAML groups attribute name. */
  readonly claim: string
  /** The claims as received, with the provider's pointers (`_claim_sources`, `groups.link`). */
  readonly claims: Readonly<Record<string, unknown>>
}

/**
 * Fetches the values a provider left out of a token because there were too many (Entra ID's
 * groups overage), e.g. from Microsoft Graph. Must return every value, as strings; a throw or
 * anything else refuses the login.
 */
export type OverageResolver = (request: OverageRequest) => Promise<readonly string[]>

/** What OIDC and SAML connections share. */
export interface ConnectionOptions {
  /** The rules, applied in order; their roles are combined. */
  readonly rules: readonly ClaimRule[]
  /**
   * Roles every user of this connection gets when the mapping succeeds (Amberflo: SSO users are
   * Analysts). Never given when the mapping is refused, e.g. on an unresolved groups overage.
   * @defaultValue none
   */
  readonly defaultRoles?: readonly string[]
  /**
   * What a value that no rule maps does: `'ignore'` it, or `'reject'` the whole mapping (the login
   * fails). Rules reading the same claim are judged together: a value one of them maps is mapped,
   * whatever the others say. With `'reject'`, a claim of an unsupported shape, non-string items
   * and an over-long list also reject. Values every user has (`Everyone`, `offline_access`) never
   * count.
   * @defaultValue 'ignore'
   */
  readonly onUnmapped?: 'ignore' | 'reject'
  /**
   * The most values any claim may hold before a rule reading it gives nothing; a rule's own
   * `maxValues` wins.
   * @defaultValue 1000
   */
  readonly maxValues?: number
  /**
   * Tenants allowed to log in (Entra ID `tid`, or the SAML attribute
   * `http://schemas.microsoft.com/identity/claims/tenantid`). When set, a missing or other tenant
   * refuses the mapping. Required when `issuer` contains `{tenantid}`.
   * @defaultValue any tenant
   */
  readonly tenants?: readonly string[]
  /**
   * Called when the provider signals a groups overage for a claim a rule reads (or when the
   * connection has `defaultRoles`). Without it such a mapping is refused.
   * @defaultValue none: refuse
   */
  readonly resolveOverage?: OverageResolver
  /**
   * The subject `type` the Passport helpers give users of this connection.
   * @defaultValue none
   */
  readonly subjectType?: string
}

/** An OpenID Connect provider. */
export interface OidcConnection extends ConnectionOptions {
  readonly protocol: 'oidc'
  /**
   * The issuer trusted, compared exactly with the `iss` claim. A multi-tenant Entra ID issuer is
   * written with `{tenantid}` (`https://login.microsoftonline.com/{tenantid}/v2.0`): the `tid`
   * claim fills it in, and must be in `tenants`.
   */
  readonly issuer: string
  /**
   * When set, an ID or access token's `aud` must include it.
   * @defaultValue not checked here (openid-client checks an ID token's `aud` against its client)
   */
  readonly audience?: string
}

/** A SAML 2.0 identity provider. */
export interface SamlConnection extends ConnectionOptions {
  readonly protocol: 'saml'
  /** The IdP's entity ID: the assertion's `Issuer` must be exactly this. */
  readonly issuer: string
  /**
   * The IdP's signing certificate(s), PEM or base64 DER: what `samlStrategyOptions` gives
   * passport-saml as `idpCert`, so the certificate that validates the response is this one. Each
   * is read as node-saml reads `idpCert` (no whitespace around it; base64 with `\n` line breaks
   * only) and must parse as an X.509 certificate, or creating the mapper throws.
   */
  readonly certificates: string | readonly string[]
}

/** A connection: one trusted identity provider and the rules for its claims. */
export type Connection = OidcConnection | SamlConnection

/** A connection checked and compiled when the mapper is created. */
export interface CompiledConnection {
  readonly name: string
  readonly protocol: 'oidc' | 'saml'
  readonly issuer: string
  readonly audience: string | undefined
  readonly certificates: readonly string[]
  readonly tenants: ReadonlySet<string> | undefined
  readonly rules: readonly CompiledRule[]
  readonly defaultRoles: readonly string[]
  readonly onUnmapped: 'ignore' | 'reject'
  readonly resolveOverage: OverageResolver | undefined
  readonly subjectType: string | undefined
}

const CONNECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

const COMMON_KEYS = [
  'protocol',
  'issuer',
  'rules',
  'defaultRoles',
  'onUnmapped',
  'maxValues',
  'tenants',
  'resolveOverage',
  'subjectType',
]
const OIDC_KEYS: ReadonlySet<string> = new Set([...COMMON_KEYS, 'audience'])
const SAML_KEYS: ReadonlySet<string> = new Set([...COMMON_KEYS, 'certificates'])
/** Where a multi-tenant issuer takes the `tid` claim: `https://login.microsoftonline.com/{tenantid}/v2.0`. */
export const TENANT_PLACEHOLDER = '{tenantid}'

/**
 * Checks a connection and compiles its rules.
 *
 * @throws {@link ClaimMappingError} naming the connection (and the rule).
 */
export function compileConnection(
  name: string,
  connection: Connection,
  defaults: { readonly maxValues: number },
): CompiledConnection {
  const fail = (message: string): never => {
    throw new ClaimMappingError(message, { connection: name })
  }
  if (!CONNECTION_NAME.test(name)) fail('names are letters, digits, ".", "_" and "-"')
  if (!isObject(connection)) fail('must be an object')
  // Connections may come from JavaScript or a config file: every field is checked, not trusted.
  const raw = connection as unknown as Readonly<Record<string, unknown>>
  if (raw['protocol'] !== 'oidc' && raw['protocol'] !== 'saml')
    fail('"protocol" must be "oidc" or "saml"')
  // A misspelt key would be dropped in silence, and "audiance" would leave the audience unchecked:
  // unknown keys are refused below, with every other problem.
  const { protocol, issuer, onUnmapped = 'ignore', resolveOverage, subjectType } = connection
  let tenants: readonly string[] | undefined
  let rules: readonly CompiledRule[] = []
  let audience: string | undefined
  let certificates: readonly string[] = []
  let defaultRoles: readonly string[] = []
  // Each check runs even when another has failed, so that one start-up lists every problem.
  checkEach<() => void, void>(
    [
      () =>
        refuseUnknownKeys(
          raw,
          protocol === 'oidc' ? OIDC_KEYS : SAML_KEYS,
          `an ${protocol.toUpperCase()} connection`,
          { connection: name },
        ),
      () => (tenants = tenantsOf(connection, fail)),
      () => (rules = rulesOf(name, connection, defaults, fail)),
      () => {
        if (
          raw['onUnmapped'] !== undefined &&
          raw['onUnmapped'] !== 'ignore' &&
          raw['onUnmapped'] !== 'reject'
        )
          fail('"onUnmapped" must be "ignore" or "reject"')
      },
      () => {
        if (resolveOverage !== undefined && typeof resolveOverage !== 'function')
          fail('"resolveOverage" must be a function')
      },
      () => {
        if (subjectType !== undefined && (typeof subjectType !== 'string' || subjectType === ''))
          fail('"subjectType" must be a non-empty string')
      },
      () => {
        if (protocol === 'oidc') audience = optionalString(connection.audience, '"audience"', fail)
      },
      () => {
        if (protocol === 'saml') certificates = certificatesOf(connection.certificates, fail)
      },
      () => {
        defaultRoles = stringList(connection.defaultRoles, '"defaultRoles"', fail) ?? []
      },
    ],
    (check) => check(),
  )
  return {
    name,
    protocol,
    issuer,
    audience,
    certificates,
    tenants: tenants === undefined ? undefined : new Set(tenants),
    rules,
    defaultRoles,
    onUnmapped,
    resolveOverage,
    subjectType,
  }
}

/** The connection's tenants, once its issuer is checked: one `{tenantid}` needs them. */
function tenantsOf(
  connection: Connection,
  fail: (message: string) => never,
): readonly string[] | undefined {
  const { issuer } = connection as { readonly issuer: unknown }
  if (typeof issuer !== 'string' || issuer === '') fail('"issuer" must be a non-empty string')
  const tenants = stringList(connection.tenants, '"tenants"', fail)
  const placeholders = issuer.split(TENANT_PLACEHOLDER).length - 1
  if (placeholders > 1) fail(`"issuer" may hold "${TENANT_PLACEHOLDER}" once`)
  if (placeholders === 1 && tenants === undefined)
    fail(`an issuer with "${TENANT_PLACEHOLDER}" needs "tenants": the tenants allowed to log in`)
  return tenants
}

/** The connection's rules, compiled: the problems of all of them are reported together. */
function rulesOf(
  name: string,
  connection: Connection,
  defaults: { readonly maxValues: number },
  fail: (message: string) => never,
): readonly CompiledRule[] {
  // Only a missing limit takes the mapper's: null is a wrong value, as "5" or 0 is.
  const maxValues: unknown =
    connection.maxValues === undefined ? defaults.maxValues : connection.maxValues
  if (!isPositiveInteger(maxValues)) return fail('"maxValues" must be a positive integer')
  // Read as unknown: Array.isArray would narrow the typed list to any[].
  const given: unknown = connection.rules
  if (!Array.isArray(given)) return fail('"rules" must be an array')
  const rules = checkEach(given as readonly ClaimRule[], (rule, i) =>
    compileRule(rule, i, { connection: name, maxValues }),
  )
  const ids = rules.map((r) => r.id)
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i)
  if (duplicate !== undefined) fail(`two rules have the id "${duplicate}"`)
  return rules
}

function stringList(
  value: unknown,
  what: string,
  fail: (message: string) => never,
): readonly string[] | undefined {
  if (value === undefined) return undefined
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((v) => typeof v === 'string' && v !== '')
  )
    fail(`${what} must list non-empty strings`)
  return [...(value as string[])]
}

function optionalString(
  value: unknown,
  what: string,
  fail: (message: string) => never,
): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '') return fail(`${what} must be a non-empty string`)
  return value
}

function certificatesOf(value: unknown, fail: (message: string) => never): readonly string[] {
  const list = typeof value === 'string' ? [value] : value
  const certificates =
    stringList(list, '"certificates"', fail) ?? fail('a SAML connection needs "certificates"')
  // node-saml reads them only at login: one it cannot use would fail every login, not start-up.
  checkEach(certificates, (certificate, i) => {
    const problem = certificateProblem(certificate)
    const which = typeof value === 'string' ? '"certificates"' : `"certificates[${i}]"`
    if (problem !== undefined) fail(`${which} ${problem}`)
  })
  return certificates
}
