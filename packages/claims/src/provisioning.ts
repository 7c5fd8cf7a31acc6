import { UnknownRoleError } from '@rolegate/core'

import { isObject } from './claim-path.js'
import type { RoleChecker } from './create-claim-mapper.js'
import { ASCII_DOMAIN, emailDomain } from './email-domain.js'
import { ClaimMappingError, refuseUnknownKeys } from './errors.js'

/**
 * Which provider may vouch for a domain's users: a connection and the proof it must carry. Google
 * Workspace proves a domain with the `hd` claim (so `hostedDomain` is written in lower case, as
 * Google sends it); Entra ID with the tenant (`tid`) that owns it.
 */
export type DomainAuthority =
  | { readonly connection: string; readonly hostedDomain: string; readonly tenant?: never }
  | { readonly connection: string; readonly tenant: string; readonly hostedDomain?: never }

/** Options of {@link firstUserOfDomain}. */
export interface FirstUserOfDomainOptions {
  /** The role the first user of a domain gets (Amberflo: Administrator). */
  readonly role: string
  /** Lower-case ASCII domain to the provider authoritative for it. Other domains never qualify. */
  readonly domains: Readonly<Record<string, DomainAuthority>>
  /** Checks `role` against the policy. @defaultValue no check */
  readonly rolegate?: RoleChecker
}

/** What {@link firstUserOfDomain}'s check needs about one login. */
export interface FirstUserInput {
  /** The connection the user logged in through. */
  readonly connection: string
  /** The verified claims (ID token), with `email`, `email_verified` and `hd` or `tid`. */
  readonly claims: Readonly<Record<string, unknown>>
  /** Whether the app has no user of this domain yet; the app counts, atomically. */
  readonly isFirstUserOfDomain: (domain: string) => boolean | Promise<boolean>
}

/**
 * Why the first-user rule did not grant its role. `no-email`: the `email` claim is missing or not
 * a string; `invalid-email`: it is a string but not an address the rule counts (see
 * {@link firstUserOfDomain}).
 */
export type FirstUserRefusal =
  | 'no-email'
  | 'invalid-email'
  | 'email-not-verified'
  | 'domain-not-listed'
  | 'other-connection'
  | 'not-authoritative'
  | 'not-first-user'

/** The first-user rule's answer. */
export type FirstUserDecision =
  | { readonly grant: true; readonly role: string; readonly domain: string }
  | { readonly grant: false; readonly reason: FirstUserRefusal; readonly domain?: string }

/**
 * Makes the first-user-of-a-domain rule: the first user whose verified email is in a listed
 * domain gets `role`, and only when they logged in through the provider that is authoritative for
 * that domain (Google `hd` equal to the domain, or Entra ID `tid` equal to the domain's tenant).
 * `email_verified` must be the boolean `true`; the string `"true"` does not count.
 *
 * The email counts only in a strict form, refused as `invalid-email` otherwise: at most 254
 * characters, exactly one `@`, a local part of 1 to 64 ASCII characters in RFC 5322 dot-atom form
 * (letters, digits, ``!#$%&'*+/=?^_`{|}~-`` and single inner dots: no quotes, whitespace, control
 * or non-ASCII characters), and an ASCII domain, compared after lower-casing `A`-`Z` only.
 *
 * @throws {@link ClaimMappingError} for an unknown option key, or a malformed domain or authority:
 *   an unknown key, an empty connection, or a `hostedDomain` not written as a lower-case ASCII
 *   domain (as `hd` is).
 * @throws {@link UnknownRoleError} when `rolegate` is given and does not declare `role`.
 *
 * @example
 * ```ts
 * const firstUser = firstUserOfDomain({
 *   role: 'admin',
 *   domains: { 'example.com': { connection: 'google', hostedDomain: 'example.com' } },
 * })
 * const decision = await firstUser({ connection: 'google', claims, isFirstUserOfDomain: (d) => !users.hasDomain(d) })
 * if (decision.grant) await store.assign(subject.id, decision.role)
 * ```
 */
export function firstUserOfDomain(
  options: FirstUserOfDomainOptions,
): (input: FirstUserInput) => Promise<FirstUserDecision> {
  const { role, domains, rolegate } = checkOptions(options, 'firstUserOfDomain', FIRST_USER_KEYS)
  checkRole(role, 'firstUserOfDomain', rolegate)
  const authorities = new Map<string, DomainAuthority>()
  if (!isObject(domains))
    throw new ClaimMappingError('firstUserOfDomain: "domains" must map domains to their authority')
  for (const [domain, authority] of Object.entries(domains)) {
    if (!ASCII_DOMAIN.test(domain))
      throw new ClaimMappingError(`firstUserOfDomain: "${domain}" is not a lower-case ASCII domain`)
    authorities.set(domain, checkAuthority(domain, authority))
  }
  return async function firstUser({ connection, claims, isFirstUserOfDomain }) {
    const own = (name: string): unknown => (Object.hasOwn(claims, name) ? claims[name] : undefined)
    const email = own('email')
    if (typeof email !== 'string') return { grant: false, reason: 'no-email' }
    const domain = emailDomain(email)
    if (domain === undefined) return { grant: false, reason: 'invalid-email' }
    if (own('email_verified') !== true)
      return { grant: false, reason: 'email-not-verified', domain }
    const authority = authorities.get(domain)
    if (authority === undefined) return { grant: false, reason: 'domain-not-listed', domain }
    if (authority.connection !== connection)
      return { grant: false, reason: 'other-connection', domain }
    const vouched =
      authority.hostedDomain !== undefined
        ? own('hd') === authority.hostedDomain
        : own('tid') === authority.tenant
    if (!vouched) return { grant: false, reason: 'not-authoritative', domain }
    if ((await isFirstUserOfDomain(domain)) !== true)
      return { grant: false, reason: 'not-first-user', domain }
    return { grant: true, role, domain }
  }
}

const AUTHORITY_KEYS: ReadonlySet<string> = new Set(['connection', 'hostedDomain', 'tenant'])

/**
 * Checks the authority of one domain. One that could never vouch for a user (a misspelt key, an
 * empty connection, a hostedDomain that no `hd` claim can equal) is refused, not kept to grant
 * nothing in silence.
 */
function checkAuthority(domain: string, authority: unknown): DomainAuthority {
  const fail = (message: string): never => {
    throw new ClaimMappingError(`firstUserOfDomain: ${message}`)
  }
  if (!isObject(authority))
    return fail(`"${domain}" needs a connection and one of hostedDomain or tenant`)
  refuseUnknownKeys(
    authority,
    AUTHORITY_KEYS,
    `the authority of "${domain}" in firstUserOfDomain`,
    {},
  )
  const { connection, hostedDomain, tenant } = authority as Partial<
    Record<keyof DomainAuthority, unknown>
  >
  const proofs = [hostedDomain, tenant].filter((p) => p !== undefined)
  if (
    typeof connection !== 'string' ||
    proofs.length !== 1 ||
    typeof proofs[0] !== 'string' ||
    proofs[0] === ''
  )
    fail(`"${domain}" needs a connection and one of hostedDomain or tenant`)
  if (connection === '') fail(`the connection of "${domain}" must be a non-empty string`)
  // Google sends hd in lower case: any other form would never equal it.
  if (typeof hostedDomain === 'string' && !ASCII_DOMAIN.test(hostedDomain))
    fail(
      `the hostedDomain of "${domain}" (${JSON.stringify(hostedDomain)}) is not a lower-case ASCII domain, as Google's hd claim is`,
    )
  return authority as DomainAuthority
}

/** Options of {@link teamCreator}. */
export interface TeamCreatorOptions {
  /** The role the creator of a team holds in it (Billy: Admin). */
  readonly role: string
  /** Put before the team id to name its scope. @defaultValue `'team:'` */
  readonly scopePrefix?: string
  /** Checks `role` against the policy. @defaultValue no check */
  readonly rolegate?: RoleChecker
}

/** A role in one scope for one subject: what to pass to an assignment store's `assign`. */
export interface ScopedAssignment {
  readonly subjectId: string
  readonly role: string
  readonly scope: string
}

/**
 * Makes the team-creator rule: whoever creates a team holds `role` in `team:<id>`.
 *
 * The rule it returns throws a {@link ClaimMappingError} for an empty `subjectId` or `teamId`, and
 * for a `teamId` with whitespace at its start or end or a control or invisible character anywhere
 * (`42 `, `4\n2`, `42\u200b`): each would make a scope that looks like `team:42` and is not.
 *
 * @throws {@link ClaimMappingError} for an unknown option key or an empty `role` or `scopePrefix`.
 * @throws {@link UnknownRoleError} when `rolegate` is given and does not declare `role`.
 *
 * @example
 * ```ts
 * const creatorRole = teamCreator({ role: 'admin' })
 * const { subjectId, role, scope } = creatorRole({ subjectId: subject.id, teamId: team.id })
 * await store.assign(subjectId, role, { scope })
 * ```
 */
export function teamCreator(
  options: TeamCreatorOptions,
): (input: { readonly subjectId: string; readonly teamId: string }) => ScopedAssignment {
  const { role, scopePrefix = 'team:', rolegate } = checkOptions(options, 'teamCreator', TEAM_KEYS)
  checkRole(role, 'teamCreator', rolegate)
  if (typeof scopePrefix !== 'string' || scopePrefix === '')
    throw new ClaimMappingError('teamCreator: "scopePrefix" must be a non-empty string')
  // Checked as a team id is: 'team: ' would make every scope look like 'team:42' and not be it.
  const prefixProblem = nameTextProblem(scopePrefix)
  if (prefixProblem !== undefined)
    throw new ClaimMappingError(`teamCreator: "scopePrefix" ${shown(scopePrefix)} ${prefixProblem}`)
  return function creatorAssignment({ subjectId, teamId }) {
    if (
      typeof subjectId !== 'string' ||
      subjectId === '' ||
      typeof teamId !== 'string' ||
      teamId === ''
    )
      throw new ClaimMappingError('teamCreator: subjectId and teamId must be non-empty strings')
    const problem = nameTextProblem(teamId)
    if (problem !== undefined)
      throw new ClaimMappingError(`teamCreator: teamId ${shown(teamId)} ${problem}`)
    return { subjectId, role, scope: scopePrefix + teamId }
  }
}

/** Whitespace at either end: JavaScript's `\s`, so Unicode spaces and the byte order mark too. */
const SPACE_AT_ENDS = /^\s|\s$/u
/** A control (C0, DEL, C1) or invisible format character (zero-width space, bidi override). */
const INVISIBLE = /[\p{Cc}\p{Cf}]/u

/** Why a team id or a scope prefix cannot be part of a scope, or `undefined` when it can. */
function nameTextProblem(text: string): string | undefined {
  if (SPACE_AT_ENDS.test(text)) return 'has whitespace at its start or end'
  const char = INVISIBLE.exec(text)?.[0]
  if (char === undefined) return undefined
  const code = (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')
  return `holds a control or invisible character (U+${code})`
}

/** A string quoted for an error message, with characters one cannot see written as escapes. */
function shown(value: string): string {
  return JSON.stringify(value).replace(/[\p{Cc}\p{Cf}\p{Z}]/gu, (char) => {
    if (char === ' ') return char
    const code = char.codePointAt(0) ?? 0
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`
  })
}

const FIRST_USER_KEYS: ReadonlySet<string> = new Set(['role', 'domains', 'rolegate'])
const TEAM_KEYS: ReadonlySet<string> = new Set(['role', 'scopePrefix', 'rolegate'])

/**
 * Refuses options that are not an object or hold a key the rule does not know, as a connection
 * does: a misspelt `scopePrefx` would otherwise be dropped and every scope made with the default.
 */
function checkOptions<O extends object>(options: O, where: string, known: ReadonlySet<string>): O {
  if (!isObject(options)) throw new ClaimMappingError(`${where}: the options must be an object`)
  refuseUnknownKeys(options, known, `the options of ${where}()`, {})
  return options
}

function checkRole(role: unknown, where: string, rolegate: RoleChecker | undefined): void {
  if (typeof role !== 'string' || role === '')
    throw new ClaimMappingError(`${where}: "role" must be a non-empty string`)
  if (rolegate === undefined) return
  try {
    rolegate.role(role)
  } catch {
    throw new UnknownRoleError(role, where)
  }
}
