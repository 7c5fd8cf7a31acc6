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

/**
 * The subject's id. node-saml copies attributes onto the profile where it has no property of
 * that name, so without a NameID element an attribute named `nameID` would become the id: the
 * assertion must have a NameID (or an EncryptedID, which node-saml decrypts into `nameID`).
 */
export function assertionNameId(profile: Profile): string | undefined {
  const assertion = parsedAssertion(profile)
  if (assertion !== undefined) {
    const subject = child(assertion, 'Subject')
    if (child(subject, 'NameID') === undefined && child(subject, 'EncryptedID') === undefined)
      return undefined
  }
  const nameId: unknown = profile.nameID
  return typeof nameId === 'string' && nameId !== '' ? nameId : undefined
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
