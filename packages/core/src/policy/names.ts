/**
 * Names of resources' segments, actions and roles: letters, digits, `_` and `-`, not starting with
 * `-`. Kept narrow so that `:` (permission separator), `.` (path separator) and spaces never hide
 * inside a name.
 */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/

/**
 * Names that collide with `Object.prototype` members. They are refused in policies so that no code
 * path, ours or a user's, can ever confuse a role or resource with an inherited property.
 */
const RESERVED: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
])

/** Why `name` is not a valid resource segment, action or role name, or `undefined` if it is. */
export function nameProblem(name: string): string | undefined {
  if (!NAME.test(name)) {
    return `"${name}" is not a valid name (letters, digits, "_" and "-", not starting with "-")`
  }
  if (RESERVED.has(name)) return `"${name}" is reserved`
  return undefined
}

/** Why `path` is not a valid dotted resource path, or `undefined` if it is. */
export function resourcePathProblem(path: string): string | undefined {
  if (path === '*') return undefined
  if (path === '') return 'a resource path may not be empty'
  for (const segment of path.split('.')) {
    if (segment === '') return `"${path}" has an empty segment`
    const problem = nameProblem(segment)
    if (problem !== undefined) return `in "${path}": ${problem}`
  }
  return undefined
}

/** Every prefix of a dotted path, shortest first: `a.b.c` → `a`, `a.b`, `a.b.c`. */
export function pathPrefixes(path: string): string[] {
  const segments = path.split('.')
  return segments.map((_, i) => segments.slice(0, i + 1).join('.'))
}

/** Formats a key as a step of a problem path: `.name` for identifiers, `["a.b"]` otherwise. */
export function pathStep(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
}
