/**
 * Values that providers give to every user, so they never say anything about a role: Okta's
 * `Everyone` group, Keycloak's `offline_access` and `uma_authorization` realm roles and its
 * `default-roles-<realm>` composite, Active Directory's `Domain Users` and Windows'
 * `Authenticated Users`.
 *
 * A rule that maps one of them is refused when the mapper is created, a scope rule makes no scope
 * of one (unless the rule sets `allowUniversalValues`), and such a value in a claim never counts
 * as unmapped.
 */
export const UNIVERSAL_VALUES: readonly string[] = Object.freeze([
  'Everyone',
  'offline_access',
  'uma_authorization',
  'Domain Users',
  'Authenticated Users',
])

const UNIVERSAL_PREFIX = 'default-roles-'

/**
 * A test for values every user has, for a rule that compares values after `fold` (its own
 * case folding, or none).
 */
export function universalValueTest(fold: (value: string) => string): (value: string) => boolean {
  const known = new Set(UNIVERSAL_VALUES.map(fold))
  const prefix = fold(UNIVERSAL_PREFIX)
  return (value) => known.has(value) || value.startsWith(prefix)
}
