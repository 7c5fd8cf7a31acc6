import { ClaimMappingError } from './errors.js'

/**
 * Where a rule reads its values.
 *
 * - A **string** is one top-level claim or SAML attribute name, taken literally: `'groups'`,
 *   `'cognito:groups'`, `'https://example.com/roles'`,
 *   `'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups'`. Dots and colons in it are
 *   part of the name.
 * - An **array** is a path of object keys, one segment each: `['realm_access', 'roles']`,
 *   `['resource_access', 'billing-app', 'roles']`. A one-element array is the same as the string.
 *
 * A string that looks like a dotted path of plain identifiers (`'realm_access.roles'`) is refused
 * when the mapper is created: write the array form, or `['realm_access.roles']` if a provider
 * really sends a top-level claim of that name.
 */
export type ClaimPath = string | readonly [string, ...string[]]

const DOTTED_IDENTIFIERS = /^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)+$/

/**
 * Checks a rule's claim path and returns its segments.
 *
 * @throws {@link ClaimMappingError} for an empty path or segment, or an ambiguous dotted string.
 */
export function parseClaimPath(
  claim: unknown,
  where: { readonly connection: string; readonly rule: string },
): readonly string[] {
  if (typeof claim === 'string') {
    if (DOTTED_IDENTIFIERS.test(claim)) {
      const segments = JSON.stringify(claim.split('.'))
      throw new ClaimMappingError(
        `claim "${claim}" is ambiguous: write ${segments} for a nested claim, or ["${claim}"] for a top-level claim of that name`,
        where,
      )
    }
    return segmentsOf([claim], where)
  }
  if (Array.isArray(claim)) return segmentsOf(claim as unknown[], where)
  throw new ClaimMappingError('"claim" must be a claim name or an array of path segments', where)
}

function segmentsOf(
  segments: readonly unknown[],
  where: { readonly connection: string; readonly rule: string },
): readonly string[] {
  if (segments.length === 0 || !segments.every((s) => typeof s === 'string' && s !== '')) {
    throw new ClaimMappingError('"claim" segments must be non-empty strings', where)
  }
  return Object.freeze([...(segments as string[])])
}

/** How traces and warnings name a path: the claim name, or its segments joined with `.`. */
export function claimLabel(segments: readonly string[]): string {
  return segments.join('.')
}

/**
 * What a claim path holds: its value (`undefined` when a step is missing), or the step in the
 * middle of the path that is there but not an object, so nothing under it can be read.
 */
export type ClaimRead =
  | { readonly value: unknown }
  | {
      readonly wrongShape: {
        /** The path up to that step, as {@link claimLabel} names it. */
        readonly claim: string
        /** `string`, `number`, `boolean`, `array` or `null`. */
        readonly shape: string
        /** The segment that could not be read in it. */
        readonly next: string
      }
    }

const ABSENT: ClaimRead = { value: undefined }

/**
 * Reads a value at a path of own properties. Nothing is read through a prototype: `__proto__`,
 * `constructor` or `toString` give `undefined` unless the claims object itself has such a key.
 * Arrays are not walked into; every step but the last must be a plain (non-array) object, and
 * one that is not is reported (`realm_access: "x"` is as wrong as `realm_access.roles: 42`).
 */
export function readClaimPath(claims: unknown, segments: readonly string[]): ClaimRead {
  // The claims themselves are checked to be an object before any rule reads them.
  if (!isObject(claims)) return ABSENT
  let current: object = claims
  for (const [i, segment] of segments.entries()) {
    if (!Object.hasOwn(current, segment)) return ABSENT
    const next: unknown = (current as Readonly<Record<string, unknown>>)[segment]
    if (i === segments.length - 1) return { value: next }
    if (next === undefined) return ABSENT
    if (!isObject(next)) {
      const shape = next === null ? 'null' : Array.isArray(next) ? 'array' : typeof next
      const claim = claimLabel(segments.slice(0, i + 1))
      return { wrongShape: { claim, shape, next: segments[i + 1] as string } }
    }
    current = next
  }
  return ABSENT
}

/** A non-null object that is not an array. */
export function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
