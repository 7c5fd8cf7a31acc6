import type { RightsMatrix } from './rights-matrix.js'

/** One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/**
 * The matrix as RFC 4180 CSV: a header `resource,<role>,…`, then one record per resource in tree
 * order with its full dotted path, every record ending in CRLF. Notes are not part of CSV; a
 * conditional cell keeps its `*`.
 */
export function renderCsv(matrix: RightsMatrix): string {
  const records = [
    ['resource', ...matrix.columns.map((column) => column.role)],
    ...matrix.rows.map((row) => [row.path, ...row.cells.map((cell) => cell.text)]),
  ]
  return records.map((record) => `${record.map(field).join(',')}\r\n`).join('')
}
