import { escapeMarkdown } from './escape-markdown.js'
import { matrixCaption, matrixLegend, matrixNotes, type RightsMatrix } from './rights-matrix.js'

/** Indentation that GitHub keeps in a table cell: two no-break spaces per level. */
const INDENT = '\u00a0\u00a0'

/**
 * The matrix as a GitHub-flavoured Markdown table: a caption, the table (resource names indented
 * by depth with no-break spaces, cells centred), the legend, and notes for conditional cells and
 * for roles that cannot act alone. Every text from the policy or the command line is escaped: a
 * name may still be Markdown (`_self_`), a `--scope` may be anything, and a rights table is a
 * document people publish, so no such text may add emphasis, a row, a link or HTML to it.
 */
export function renderMarkdown(matrix: RightsMatrix): string {
  const header = ['resource', ...matrix.columns.map((column) => column.role)]
  const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
  const lines = [
    escapeMarkdown(matrixCaption(matrix)),
    '',
    row(header.map(escapeMarkdown)),
    `| :-- |${' :-: |'.repeat(matrix.columns.length)}`,
    ...matrix.rows.map((resource) =>
      row([
        `${INDENT.repeat(resource.depth)}${escapeMarkdown(resource.segment)}`,
        ...resource.cells.map((cell) => escapeMarkdown(cell.text)),
      ]),
    ),
    '',
    // The legend is the renderer's own text: its symbols are code spans, which show `*` as it is.
    matrixLegend(matrix)
      .map(([symbol, meaning]) => `\`${symbol}\` ${meaning}`)
      .join(' · '),
  ]
  const notes = matrixNotes(matrix)
  if (notes.length > 0)
    lines.push('', 'Notes:', '', ...notes.map((note) => `- ${escapeMarkdown(note)}`))
  return `${lines.join('\n')}\n`
}
