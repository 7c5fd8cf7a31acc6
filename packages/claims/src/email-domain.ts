import { asciiLowerCase } from './claim-values.js'

/** A lower-case ASCII domain: two labels or more, each letters, digits and inner hyphens. */
export const ASCII_DOMAIN: RegExp =
  /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/

/**
 * RFC 5322's dot-atom in ASCII: runs of letters, digits and ``!#$%&'*+/=?^_`{|}~-`` joined by
 * single dots. So no quoted local part, no whitespace, no control or non-ASCII character, and no
 * dot at either end or twice in a row.
 */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/

/** RFC 5321's limits: a local part of at most 64 octets, an address of at most 254. */
const MAX_LOCAL_PART = 64
const MAX_ADDRESS = 254

/**
 * The domain of an email address that counts for a provisioning rule, lower-cased in ASCII only;
 * `undefined` for any other string. An address counts only when it is at most 254 characters, has
 * exactly one `@`, a local part of 1 to 64 characters in ASCII dot-atom form, and a domain that is
 * an ASCII domain once `A`-`Z` are lower-cased.
 *
 * The rule is strict on purpose: a role is granted on the strength of this address, and a quoted
 * local part (`"a@b"@example.com`), a control character or whitespace is what a spoofed or
 * mis-parsed address looks like, never what Google or Entra ID issue to a user.
 */
export function emailDomain(email: string): string | undefined {
  if (email.length > MAX_ADDRESS) return undefined
  const at = email.indexOf('@')
  if (at === -1 || at !== email.lastIndexOf('@')) return undefined
  const local = email.slice(0, at)
  if (local.length > MAX_LOCAL_PART || !DOT_ATOM.test(local)) return undefined
  const domain = asciiLowerCase(email.slice(at + 1))
  return ASCII_DOMAIN.test(domain) ? domain : undefined
}
