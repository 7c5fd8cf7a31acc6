/**
 * What the Passport SAML helper reads from the assertion node-saml checked the signature of
 * (`profile.getAssertion()`), rather than from the profile, onto which node-saml also copies
 * attributes.
 */
import type { Profile } from '@node-saml/passport-saml'

import { isObject } from './claim-path.js'

/**
 * The text of the signed assertion's own `Issuer` element. node-saml copies attributes onto the
 * profile too, so `profile.issuer` is used only when the parsed assertion is not available.
 */
export function assertionIssuer(profile: Profile): string | undefined {
  if (typeof profile.getAssertion === 'function') {
    const parsed = profile.getAssertion() as { Assertion?: { Issuer?: unknown } }
    const issuer: unknown = parsed.Assertion?.Issuer
    const first: unknown = Array.isArray(issuer) ? issuer[0] : undefined
    const text: unknown =
      typeof first === 'string' ? first : isObject(first) ? (first as { _?: unknown })._ : undefined
    return typeof text === 'string' && text !== '' ? text : undefined
  }
  return typeof profile.issuer === 'string' && profile.issuer !== '' ? profile.issuer : undefined
}

/** The parsed assertion node-saml checked the signature of, when it gives it. */
function parsedAssertion(profile: Profile): Record<string, unknown> | undefined {
  if (typeof profile.getAssertion !== 'function') return undefined
  const parsed = profile.getAssertion() as { Assertion?: unknown }
  return isObject(parsed.Assertion) ? (parsed.Assertion as Record<string, unknown>) : {}
}

/** The first child element `name` of a parsed element (xml2js gives every child as a list). */
function child(element: unknown, name: string): unknown {
  const children: unknown = isObject(element)
    ? (element as Record<string, unknown>)[name]
    : undefined
  return Array.isArray(children) ? children[0] : undefined
}

/** The subject's id, or why the assertion gives none (a message for the failed login). */
export type AssertionNameId = { readonly nameId: string } | { readonly problem: string }

/**
 * The subject's id: the text of the signed assertion's `Subject/NameID`.
 *
 * node-saml 5 sets `profile.nameID` only when the NameID element has text, never decrypts an
 * `EncryptedID` on a login response, and copies every attribute onto the profile where it has no
 * property of that name. So an empty NameID, or an EncryptedID, beside an attribute named `nameID`
 * would make that attribute the id: the id is taken from the element, and must be what node-saml
 * read. Without the parsed assertion (a logout request) node-saml read a real NameID or refused.
 */
export function assertionNameId(profile: Profile): AssertionNameId {
  const assertion = parsedAssertion(profile)
  const read: unknown = profile.nameID
  if (assertion === undefined) {
    return typeof read === 'string' && read !== ''
      ? { nameId: read }
      : { problem: 'the assertion has no NameID' }
  }
  const subject = child(assertion, 'Subject')
  if (child(subject, 'EncryptedID') !== undefined)
    return { problem: 'the assertion has an EncryptedID: encrypted NameIDs are not supported' }
  const element = child(subject, 'NameID')
  if (element === undefined) return { problem: 'the assertion has no NameID' }
  const text = textOf(element)
  // White space alone would make one id of every such user: treat it as empty.
  if (text === undefined || text.trim() === '')
    return { problem: 'the NameID of the assertion is empty' }
  if (text !== read) return { problem: 'the NameID of the assertion is not the one node-saml read' }
  return { nameId: text }
}

/** An element's text as xml2js gives it (node-saml parses with `explicitCharkey`): `_`, or a string. */
function textOf(element: unknown): string | undefined {
  if (typeof element === 'string') return element
  const text: unknown = isObject(element) ? (element as { _?: unknown })._ : undefined
  return typeof text === 'string' ? text : undefined
}

/**
 * Whether the assertion names an attribute twice: node-saml keeps only the last one's values, so
 * the mapper would never see the others (one that `onUnmapped: 'reject'` should have refused).
 */
export function hasDuplicateAttribute(profile: Profile): boolean {
  const assertion = parsedAssertion(profile)
  if (assertion === undefined) return false
  const statements: unknown = assertion['AttributeStatement']
  const seen = new Set<unknown>()
  for (const statement of Array.isArray(statements) ? statements : []) {
    const attributes: unknown = isObject(statement)
      ? (statement as Record<string, unknown>)['Attribute']
      : undefined
    for (const attribute of Array.isArray(attributes) ? attributes : []) {
      // xml2js keeps an element's attributes under `$`: the Attribute's Name is `$.Name`.
      const xmlAttributes: unknown = isObject(attribute)
        ? (attribute as { $?: unknown }).$
        : undefined
      const name = isObject(xmlAttributes) ? (xmlAttributes as { Name?: unknown }).Name : undefined
      if (seen.has(name)) return true
      seen.add(name)
    }
  }
  return false
}
