import fc from 'fast-check'
import MarkdownIt from 'markdown-it'
import { describe, expect, test } from 'vitest'
import { escapeMarkdown } from './escape-markdown.js'

// Raw HTML on, as GitHub passes it through to its sanitizer: an unescaped tag would show here.
const md = new MarkdownIt({ html: true })
const { escapeHtml } = md.utils

describe('escapeMarkdown', () => {
  test.each([
    ['self_service', 'self_service'],
    ['_admin_', '\\_admin\\_'],
    ['a__b', 'a\\_\\_b'],
    ['rw*', 'rw*'],
    ['r / rw* when', 'r / rw* when'],
    ['*bold*', '\\*bold*'],
    ['**x** y', '\\*\\*x\\** y'],
    ['a | b', 'a \\| b'],
    ['[click](javascript:alert(1))', '\\[click\\](javascript:alert(1))'],
    ['![i](x.png)', '!\\[i\\](x.png)'],
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['&#106;&amp;', '&amp;#106;&amp;amp;'],
    ['`code` ~~gone~~ \\', '\\`code\\` \\~\\~gone\\~\\~ \\\\'],
    ['one\n\n| forged | rw |\r\n', 'one&#10;&#10;\\| forged \\| rw \\|&#13;&#10;'],
  ])('%j → %j', (text, escaped) => {
    expect(escapeMarkdown(text)).toBe(escaped)
  })

  test('a hostile name renders as its own text, with no element, link or row', () => {
    const name =
      'self" holds\n\n| forged | rw |\n\n[click](javascript:alert(1)) <img src=x onerror=alert(2)>'
    expect(md.renderInline(escapeMarkdown(name))).toBe(escapeHtml(name))
  })

  test('any text renders as exactly that text', () => {
    const markdownish = fc.constantFrom(...'*_`[]()<>&|~!\\#-+=.:"\' \t\nabc_1'.split(''))
    const text = fc.oneof(fc.string(), fc.string({ unit: markdownish }))
    fc.assert(
      fc.property(text, (s) => {
        expect(md.renderInline(escapeMarkdown(s))).toBe(escapeHtml(s))
      }),
      { numRuns: 2000 },
    )
  })
})
