import { matrixCaption, matrixLegend, matrixNotes, type RightsMatrix } from './rights-matrix.js'

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
}

// Colours keep a 4.5:1 contrast for their text, and the level is also in the text itself, so the
// table reads without colour (and in print).
const STYLE = `
:root { color-scheme: light; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; color: #1f2328; }
body { margin: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; }
p.caption { margin: 0 0 16px; color: #59636e; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d1d9e0; padding: 4px 10px; }
thead th { position: sticky; top: 0; background: #f6f8fa; font-weight: 600; white-space: nowrap; }
tbody th { text-align: left; font-weight: 400; white-space: nowrap; padding-left: calc(10px + var(--depth) * 22px); }
tbody th.parent { font-weight: 600; }
tbody tr:not(.top) th::before { content: "└ "; color: #8c959f; }
td { text-align: center; font-family: ui-monospace, "SFMono-Regular", "Liberation Mono", monospace; min-width: 5ch; }
.lvl-rw { --bg: #d2f4dc; background: var(--bg); color: #0f5323; }
.lvl-r { --bg: #dbeafe; background: var(--bg); color: #163f8a; }
.lvl-other { --bg: #ede4fb; background: var(--bg); color: #4b2a86; }
.lvl-none { --bg: #f6f8fa; background: var(--bg); color: #59636e; }
.if-rw { --if: #d2f4dc; color: #0f5323; }
.if-r { --if: #dbeafe; color: #163f8a; }
.if-other { --if: #ede4fb; color: #4b2a86; }
.if-none { --if: #f6f8fa; }
.cond { background: repeating-linear-gradient(135deg, var(--bg) 0 6px, var(--if) 6px 12px); outline: 2px dashed #b35900; outline-offset: -3px; font-style: italic; font-weight: 600; }
h2 { font-size: 16px; margin: 0 0 6px; }
.legend { display: flex; flex-wrap: wrap; gap: 8px 18px; margin: 16px 0 0; padding: 0; list-style: none; }
.legend code { display: inline-block; min-width: 4ch; padding: 1px 6px; margin-right: 6px; text-align: center; border: 1px solid #d1d9e0; }
.notes { margin-top: 16px; color: #3d444d; }
`

/** The legend's sample cells; `+action` has none, since its cells take the colour of their level. */
const SWATCHES: Readonly<Record<string, string>> = {
  rw: 'lvl-rw',
  r: 'lvl-r',
  '-': 'lvl-none',
  '*': 'lvl-none if-rw cond',
}

/**
 * The matrix as one self-contained HTML page (inline CSS, no scripts, no external resources):
 * resources indented by depth, a colour per level, conditional cells outlined, a legend and notes.
 * Every cell carries `data-role`, and its row `data-resource`, for tools and tests.
 */
export function renderHtml(matrix: RightsMatrix, title: string): string {
  const head = matrix.columns
    .map((column) => {
      const tip =
        column.description === undefined ? '' : ` title="${escapeHtml(column.description)}"`
      return `<th scope="col"${tip}>${escapeHtml(column.role)}</th>`
    })
    .join('')
  const parents = new Set(matrix.rows.map((row) => row.path.slice(0, row.path.lastIndexOf('.'))))
  const body = matrix.rows
    .map((row) => {
      const cells = row.cells
        .map((cell, i) => {
          const role = escapeHtml(matrix.columns[i]?.role ?? '')
          const classes = `lvl-${cell.level}${cell.conditional ? ` if-${cell.conditionalLevel} cond` : ''}`
          return `<td class="${classes}" data-role="${role}">${escapeHtml(cell.text)}</td>`
        })
        .join('')
      const kind = parents.has(row.path) ? ' class="parent"' : ''
      const label = `<th scope="row"${kind} style="--depth: ${row.depth}" title="${escapeHtml(row.path)}">${escapeHtml(row.segment)}</th>`
      return `<tr${row.depth === 0 ? ' class="top"' : ''} data-resource="${escapeHtml(row.path)}">${label}${cells}</tr>`
    })
    .join('\n')
  const legend = matrixLegend(matrix)
    .map(([symbol, meaning]) => {
      const swatch = SWATCHES[symbol]
      const attribute = swatch === undefined ? '' : ` class="${swatch}"`
      return `<li><code${attribute}>${escapeHtml(symbol)}</code>${escapeHtml(meaning)}</li>`
    })
    .join('')
  const notes = matrixNotes(matrix)
  const notesHtml =
    notes.length === 0
      ? ''
      : `\n<section class="notes"><h2>Notes</h2><ul>${notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul></section>`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`Rights matrix: ${title}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Rights matrix: ${escapeHtml(title)}</h1>
<p class="caption">${escapeHtml(matrixCaption(matrix))}</p>
<table>
<thead><tr><th scope="col">resource</th>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
<ul class="legend">${legend}</ul>${notesHtml}
</body>
</html>
`
}
