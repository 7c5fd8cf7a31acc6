import { isScalar, visit, type Document, type LineCounter } from 'yaml'
import type { PolicyProblem } from '../errors.js'

/** Where a node starts, as the syntax errors of a policy file name it. */
function position(lines: LineCounter, offset: number): string {
  const { line, col } = lines.linePos(offset)
  return `line ${line}, column ${col}`
}

/**
 * The property a map key becomes in JavaScript, as the YAML parser's `toJS` makes it (`String` of
 * the value, `null` as `''`), or `undefined` for a key that is not a plain scalar.
 */
function propertyOf(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined
  const { value } = key
  if (value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value)
  return undefined
}

/**
 * Keys that differ in the text but become the same JavaScript property: `1` and `"1"`, `true` and
 * `"true"`, `~` and `""`. The parser's `uniqueKeys` compares parsed values, so it lets these
 * through, and the last would silently win: a `none` could become a `write`. A key that is not a
 * plain scalar (a list, a map, an alias) is refused too: a policy's keys are names, and such a key
 * becomes a property only through a stringification no one reads as a name.
 */
export function keyCollisions(
  document: Document.Parsed,
  text: string,
  lines: LineCounter,
  file: string,
): PolicyProblem[] {
  const found: { offset: number; message: string }[] = []
  visit(document, {
    Map(_, map) {
      const seen = new Map<string, { start: number; written: string }>()
      for (const { key } of map.items) {
        // Only parsed nodes are here, and each has a range; an empty key is a null scalar.
        const range = (key as { range?: readonly [number, number, number] } | null)?.range
        if (range === undefined) continue
        const [start, end] = range
        const written = text.slice(start, end)
        const property = propertyOf(key)
        if (property === undefined) {
          found.push({
            offset: start,
            message: `the key ${written} is not a plain name (a list, a map or an alias)`,
          })
          continue
        }
        const first = seen.get(property)
        if (first === undefined) {
          seen.set(property, { start, written })
          continue
        }
        found.push({
          offset: start,
          message:
            `the key ${written} and the key ${first.written} (${position(lines, first.start)}) ` +
            `are the same key "${property}" once loaded; only the last would count`,
        })
      }
    },
  })
  return found
    .sort((a, b) => a.offset - b.offset)
    .map(({ offset, message }) => ({ file, path: position(lines, offset), message }))
}
