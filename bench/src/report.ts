/** Plain-text tables for the terminal and for pasting into the README. */

export type Cell = string | number

function text(cell: Cell): string {
  return typeof cell === 'number' ? String(cell) : cell
}

/** Prints a title, a table with left-aligned text and right-aligned numbers, and notes below it. */
export function printTable(
  title: string,
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
  notes: readonly string[] = [],
): void {
  // A column of numbers with units (12.3 ns, 4.56M, 0.047 B) is right-aligned.
  const numeric = header.map((_, c) =>
    rows.every((row) => /^([\d.,]+( ?(ns|µs|ms|s|B|MiB|k|M))?)?$/.test(text(row[c] ?? ''))),
  )
  const widths = header.map((h, c) =>
    Math.max(h.length, ...rows.map((row) => text(row[c] ?? '').length)),
  )
  const line = (cells: readonly Cell[]): string =>
    cells
      .map((cell, c) => {
        const width = widths[c] ?? 0
        return numeric[c] === true ? text(cell).padStart(width) : text(cell).padEnd(width)
      })
      .join(' | ')
      .trimEnd()
  console.log(`\n${title}`)
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'))
  for (const row of rows) console.log(line(row))
  for (const note of notes) console.log(`  ${note}`)
}

/** 12.3 ns, 4.56 µs, 1.23 ms: three significant figures. */
export function duration(ns: number): string {
  if (ns < 1e3) return `${ns < 10 ? ns.toFixed(2) : ns < 100 ? ns.toFixed(1) : ns.toFixed(0)} ns`
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} µs`
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`
  return `${(ns / 1e9).toPrecision(3)} s`
}

/** 45.6M, 1.23k: checks per second. */
export function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toPrecision(3)}M`
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toPrecision(3)}k`
  return perSecond.toPrecision(3)
}

/** "2.1x slower" or "1.3x faster" than rolegate. */
export function ratio(ns: number, rolegateNs: number): string {
  const r = ns / rolegateNs
  if (r >= 0.995 && r <= 1.005) return 'same'
  const times = (x: number): string =>
    x < 10 ? x.toFixed(1) : x < 1000 ? x.toFixed(0) : Math.round(x).toLocaleString('en-US')
  return r > 1 ? `${times(r)}x slower` : `${times(1 / r)}x faster`
}

/** 4.2 µs: CPU time, with one decimal. */
export const micros = (us: number): string => `${us.toFixed(1)} µs`

/** A difference as printed: `+` or `−`, then its size in `format` (e.g. `+4.2 µs`, `−120 B`). */
export const signed =
  (format: (size: number) => string) =>
  (difference: number): string =>
    `${difference >= 0 ? '+' : '−'}${format(Math.abs(difference))}`

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(2)} MiB`
}

/** The outcome of a target: PASS, FAIL, or OPEN when the measurement cannot tell. */
export function verdict(pass: boolean, unresolved = false): string {
  if (unresolved) return 'OPEN'
  return pass ? 'PASS' : 'FAIL'
}
