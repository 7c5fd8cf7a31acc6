import type { CompiledPolicy } from './policy/compile-policy.js'

/** Asks whether an action on a resource (by index) is allowed. */
export type CanAt = (resource: number, action: number) => boolean

/** Names of the direct children of `resource` on which `action` is allowed. */
export function permittedFieldsAt(
  policy: CompiledPolicy,
  resource: number,
  action: number,
  canAt: CanAt,
): string[] {
  const prefix = resource === 0 ? '' : `${policy.resources[resource] as string}.`
  const fields: string[] = []
  for (const child of policy.children[resource] ?? []) {
    if (canAt(child, action)) fields.push((policy.resources[child] as string).slice(prefix.length))
  }
  return fields
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * A copy of `value` without what `read` does not allow. Keys naming declared child resources are
 * kept only where readable, recursing into plain objects and arrays of them; other keys belong to
 * the resource itself and are kept since the resource is readable. An unreadable resource gives
 * `undefined`.
 */
export function redactAt(
  policy: CompiledPolicy,
  resource: number,
  value: unknown,
  read: number,
  canAt: CanAt,
): unknown {
  if (!canAt(resource, read)) return undefined
  if (Array.isArray(value)) {
    return value.map((item) => redactAt(policy, resource, item, read, canAt) ?? null)
  }
  if (!isPlainObject(value)) return value
  const prefix = resource === 0 ? '' : `${policy.resources[resource] as string}.`
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const child = policy.resourceIndex.get(`${prefix}${key}`)
    const kept = child === undefined ? value[key] : redactAt(policy, child, value[key], read, canAt)
    if (kept === undefined && child !== undefined) continue
    // defineProperty, not assignment: a `__proto__` key from JSON must stay data, not a prototype.
    Object.defineProperty(copy, key, {
      value: kept,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return copy
}
