import type { GrantInput } from '@rolegate/core'

const list = (actions: string | readonly string[]): string =>
  typeof actions === 'string' ? actions : `[${actions.join(', ')}]`

/** A grant as a reader would write it in YAML: `write`, `[read, export]`, `{ actions: write, when: self }`. */
export function formatGrant(value: GrantInput): string {
  if (typeof value === 'string' || Array.isArray(value))
    return list(value as string | readonly string[])
  const { actions, when } = value as {
    readonly actions: string | readonly string[]
    readonly when: string
  }
  return `{ actions: ${list(actions)}, when: ${when} }`
}
