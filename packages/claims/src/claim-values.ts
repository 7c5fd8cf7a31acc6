/** How a string claim value splits into several values. Only ever applied where a rule says so. */
export type ValueSplit = 'space' | ','

/** The string values read from one claim, and what was left out. */
export interface ClaimValues {
  /** Distinct string values, in the order first seen. */
  readonly values: readonly string[]
  /** How many items were not strings (numbers, objects, nested arrays, holes): ignored. */
  readonly ignored: number
  /** The claim was there but neither a string nor an array (a number, an object, `null`). */
  readonly unsupported: boolean
  /** The claim held more values than allowed: nothing from it counts. */
  readonly tooMany: boolean
  /** The raw count that was compared with the limit. */
  readonly count: number
}

const NONE: ClaimValues = { values: [], ignored: 0, unsupported: false, tooMany: false, count: 0 }

/**
 * Normalises one claim value to a list of strings: a string is one value (or several, split on
 * ASCII spaces or commas when `split` says so), an array gives its string items. Nothing is
 * trimmed, case-folded or Unicode-normalised here.
 *
 * The length is checked before any item is looked at, so a huge claim costs nothing.
 */
export function claimValues(
  raw: unknown,
  { split, maxValues }: { readonly split: ValueSplit | undefined; readonly maxValues: number },
): ClaimValues {
  if (raw === undefined) return NONE
  if (typeof raw === 'string') {
    if (split === undefined) return { ...NONE, values: [raw], count: 1 }
    // A split string could be long; the limit is on tokens, counted without building them all.
    const separator = split === 'space' ? ' ' : ','
    const count = countTokens(raw, separator)
    if (count > maxValues) return { ...NONE, tooMany: true, count }
    const values = raw.split(separator).filter((token) => token !== '')
    return { ...NONE, values: [...new Set(values)], count }
  }
  if (!Array.isArray(raw)) return { ...NONE, unsupported: true }
  const list: readonly unknown[] = raw
  if (list.length > maxValues) return { ...NONE, tooMany: true, count: list.length }
  const values = new Set<string>()
  let ignored = 0
  // A for loop with an index visits holes of a sparse array too, so they count as ignored.
  for (let i = 0; i < list.length; i += 1) {
    const item = list[i]
    if (typeof item === 'string') values.add(item)
    else ignored += 1
  }
  return { ...NONE, values: [...values], ignored, count: list.length }
}

function countTokens(text: string, separator: string): number {
  let count = 0
  let inToken = false
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === separator) inToken = false
    else if (!inToken) {
      inToken = true
      count += 1
    }
  }
  return count
}

/**
 * ASCII-only lower case: `A`-`Z` become `a`-`z`, nothing else changes. Locale-independent and
 * never maps a non-ASCII letter onto an ASCII one (no `İ` to `i`, no fullwidth to ASCII).
 */
export function asciiLowerCase(value: string): string {
  return value.replace(/[A-Z]+/g, (run) => run.toLowerCase())
}
