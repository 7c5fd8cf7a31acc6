import { matrixCaption, matrixLegend, matrixNotes, type RightsMatrix } from './rights-matrix.js'

/** Indentation that GitHub keeps in a table cell: two no-break spaces per level. */
const INDENT = '\u00a0\u00a0'

function escapeCell(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|')
}

/**
 * The matrix as a GitHub-flavoured Markdown table: a caption, the table (resource names indented
 * by depth with no-break spaces, cells centred), the legend, and notes for conditional cells and
 * for roles that cannot act alone.
 */
export function renderMarkdown(matrix: RightsMatrix): string {
  const header = ['resource', ...matrix.columns.map((column) => column.role)]
  const lines = [
    matrixCaption(matrix),
    '',
    `| ${header.map(escapeCell).join(' | ')} |`,
    `| :-- |${' :-: |'.repeat(matrix.columns.length)}`,
    ...matrix.rows.map((row) => {
      const label = `${INDENT.repeat(row.depth)}${row.segment}`
      return `| ${[label, ...row.cells.map((cell) => cell.text)].map(escapeCell).join(' | ')} |`
    }),
    '',
    matrixLegend(matrix)
      .map(([symbol, meaning]) => `\`${symbol}\` ${meaning}`)
      .join(' · '),
  ]
  const notes = matrixNotes(matrix)
  if (notes.length > 0) lines.push('', 'Notes:', '', ...notes.map((note) => `- ${note}`))
  return `${lines.join('\n')}\n`
}
