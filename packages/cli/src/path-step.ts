/**
 * Formats a key as a step of a problem path, the way core writes them: `.name` for identifiers,
 * `["a.b"]` otherwise, so that lint problems and core's validation problems read alike.
 */
export function pathStep(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
}
