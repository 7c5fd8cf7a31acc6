/**
 * Freezes what a memory store keeps, all the way down, so that no caller of its readers (`get`,
 * `customRoles`) can change it past the store's checks and events.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value
}
