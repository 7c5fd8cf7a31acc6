/**
 * What each character becomes. Line breaks become numeric references, so a text stays on its line
 * (a note cannot start a new block, a cell cannot end its row) and still renders as what it was.
 * `&`, `<` and `>` become entities, so no raw HTML or character reference gets through. The rest are
 * backslash-escaped: they start code spans, links and images, strikethrough, and cells.
 */
const REPLACEMENTS: Readonly<Record<string, string>> = {
  '\n': '&#10;',
  '\r': '&#13;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\\': '\\\\',
  '`': '\\`',
  '[': '\\[',
  ']': '\\]',
  '|': '\\|',
  '~': '\\~',
}

const ALNUM = /^[A-Za-z0-9]$/

/**
 * `text` as inline Markdown (GitHub's, CommonMark's) that renders as exactly `text`, for a table cell
 * or a line after a list marker: nothing in it can become markup, HTML, a link or another row.
 *
 * Emphasis needs an opening `*` or `_`, so only a delimiter that could open one is escaped: a `*`
 * followed by a space or by nothing cannot, nor can a `_` between two letters or digits. The matrix
 * notation (`rw*`) and role names (`self_service`) then read in the raw Markdown as they do
 * rendered. The text never starts a line, so block markers (`#`, `-`, `1.`) need nothing.
 */
export function escapeMarkdown(text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i)
    const before = text.charAt(i - 1)
    const after = text.charAt(i + 1)
    if (char === '*') out += after === '' || after === ' ' || after === '\t' ? '*' : '\\*'
    else if (char === '_') out += ALNUM.test(before) && ALNUM.test(after) ? '_' : '\\_'
    else out += REPLACEMENTS[char] ?? char
  }
  return out
}
