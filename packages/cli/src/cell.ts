import type { Right } from './rights.js'

/** How a cell is coloured: by what is allowed without conditions. */
export type CellLevel = 'rw' | 'r' | 'other' | 'none'

/** One cell of the matrix: the text, its level, and whether conditions change it. */
export interface Cell {
  /**
   * `rw` (write, and so read), `r` (read only) or `-` (nothing), with declared actions appended
   * (`rw+export`, or `export` alone). A conditional cell reads `rw*` (only when the conditions hold)
   * or `r / rw*` (`r` without them, `rw` when they hold).
   */
  readonly text: string
  readonly level: CellLevel
  /** The level when every condition holds (equal to `level` for a cell without conditions). */
  readonly conditionalLevel: CellLevel
  readonly conditional: boolean
  /** What is allowed without conditions (`-` for nothing). */
  readonly plain: string
  /** What is allowed when every condition named on the resource holds. */
  readonly withConditions: string
}

/** The text of a set of allowed actions: `rw`, `r`, `-`, `rw+export`, `export`. */
export function levelText(allowed: ReadonlySet<string>, actions: readonly string[]): string {
  const base = allowed.has('write') ? 'rw' : allowed.has('read') ? 'r' : ''
  const extras = actions.filter((a) => a !== 'read' && a !== 'write' && allowed.has(a))
  return [base, ...extras].filter((token) => token !== '').join('+') || '-'
}

/** The cell for the rights on one resource, given the policy's actions in order. */
export function cellOf(right: (action: string) => Right, actions: readonly string[]): Cell {
  const always = new Set<string>()
  const whenConditions = new Set<string>()
  for (const action of actions) {
    const { always: a, whenConditions: c } = right(action)
    if (a) always.add(action)
    if (c) whenConditions.add(action)
  }
  const plain = levelText(always, actions)
  const conditional = levelText(whenConditions, actions)
  const level = levelOf(always)
  const conditionalLevel = levelOf(whenConditions)
  const texts = { plain, withConditions: conditional, level, conditionalLevel }
  if (plain === conditional) return { text: plain, conditional: false, ...texts }
  const text = plain === '-' ? `${conditional}*` : `${plain} / ${conditional}*`
  return { text, conditional: true, ...texts }
}

function levelOf(allowed: ReadonlySet<string>): CellLevel {
  if (allowed.has('write')) return 'rw'
  if (allowed.has('read')) return 'r'
  return allowed.size > 0 ? 'other' : 'none'
}
