/** Whether `value` is an object with fields: not `null`, not an array. Runtime data is read with it. */
export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
