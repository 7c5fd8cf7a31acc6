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
 * What JSON would make of an object that is not plain data: a class instance (an ORM entity), one
 * with a prototype of its own, one with `toJSON`. Redacted as it would be written, since a copy of
 * its own keys could miss what its getters or `toJSON` write (and a kept `toJSON` would write the
 * original again). Throws for what JSON cannot write (a cycle, a `BigInt`), as writing it would.
 */
function asJson(value: object): unknown {
  // Inside a list, so that what JSON leaves out (a toJSON that gives undefined) becomes null.
  return (JSON.parse(JSON.stringify([value])) as unknown[])[0]
}

const hasToJson = (value: object): boolean =>
  typeof (value as { toJSON?: unknown }).toJSON === 'function'

/**
 * `value` without what `read` does not allow, agreeing with {@link permittedFieldsAt}: `value`
 * itself where the resource is readable and declares no children (nothing can be taken out, so
 * nothing is copied), a copy otherwise. Keys naming declared child resources are kept only where
 * something of them is readable, recursing into objects and arrays of them; other keys belong to
 * the resource itself and are kept only when it is readable. An object that is not plain data is
 * redacted in its JSON form. A resource of which nothing is readable gives `undefined`.
 */
export function redactAt(
  policy: CompiledPolicy,
  resource: number,
  value: unknown,
  read: number,
  canAt: CanAt,
  walking: object[] = [],
): unknown {
  const readable = canAt(resource, read)
  // Without declared children there is nothing to take out: the value goes as it is.
  if (readable && (policy.children[resource]?.length ?? 0) === 0) return value
  if (!readable && !hasReadableDescendant(policy, resource, read, canAt)) return undefined
  return redactWithin(policy, resource, value, readable, read, canAt, walking)
}

/** Whether some declared resource below `resource` is readable. */
function hasReadableDescendant(
  policy: CompiledPolicy,
  resource: number,
  read: number,
  canAt: CanAt,
): boolean {
  for (const child of policy.children[resource] ?? []) {
    if (canAt(child, read) || hasReadableDescendant(policy, child, read, canAt)) return true
  }
  return false
}

/**
 * `value` of a resource with declared children, something of which is readable: `readable` says
 * whether the resource's own keys (and a value that is not an object) may stay. `walking` holds
 * the arrays and objects being redacted around `value`: one that holds itself is refused, as JSON
 * refuses it, rather than recursing until the stack overflows.
 */
function redactWithin(
  policy: CompiledPolicy,
  resource: number,
  value: unknown,
  readable: boolean,
  read: number,
  canAt: CanAt,
  walking: object[],
): unknown {
  if (typeof value !== 'object' || value === null) return readable ? value : undefined
  if (walking.includes(value)) {
    const name = resource === 0 ? 'the root resource' : `"${policy.resources[resource] as string}"`
    throw new TypeError(
      `redact: the value of ${name} holds itself (a cycle), which JSON cannot write`,
    )
  }
  walking.push(value)
  const redacted = Array.isArray(value)
    ? value.map(
        (item) => redactWithin(policy, resource, item, readable, read, canAt, walking) ?? null,
      )
    : !isPlainObject(value) || hasToJson(value)
      ? redactWithin(policy, resource, asJson(value), readable, read, canAt, walking)
      : redactObject(policy, resource, value, readable, read, canAt, walking)
  walking.pop()
  return redacted
}

/** A plain object of a resource with declared children: see {@link redactWithin}. */
function redactObject(
  policy: CompiledPolicy,
  resource: number,
  value: Record<string, unknown>,
  readable: boolean,
  read: number,
  canAt: CanAt,
  walking: object[],
): Record<string, unknown> {
  const prefix = resource === 0 ? '' : `${policy.resources[resource] as string}.`
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const child = policy.resourceIndex.get(`${prefix}${key}`)
    if (child === undefined && !readable) continue
    const kept =
      child === undefined ? value[key] : redactAt(policy, child, value[key], read, canAt, walking)
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
