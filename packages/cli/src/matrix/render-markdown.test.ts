import MarkdownIt from 'markdown-it'
import { describe, expect, test } from 'vitest'
import { runCli } from '../run-cli.test-support.js'

// Raw HTML on, as GitHub passes it through to its sanitizer: an unescaped tag would show here.
const md = new MarkdownIt({ html: true })

// Core refuses markup and line breaks in a policy's names; a scope is the command line's.
const CONDITION = '_self_'
const SUBJECT_TYPE = '_staff_'
const SCOPE =
  'team:<b>*x*</b>\n\n| forged | rw |\n\n[click](javascript:alert(1))<script>alert(1)</script>'

describe('the Markdown matrix of names that are Markdown, in a scope that is Markdown and HTML', () => {
  test('prints every name escaped: no forged row, link, emphasis or script', async () => {
    const result = await runCli(['matrix', 'fixtures/hostile-names.yaml', '--scope', SCOPE])
    expect(result).toEqual({
      code: 0,
      stdout: [
        'Rights of a subject holding only the column\'s role (with what it inherits), in scope "team:&lt;b&gt;\\*x\\*&lt;/b&gt;&#10;&#10;\\| forged \\| rw \\|&#10;&#10;\\[click\\](javascript:alert(1))&lt;script&gt;alert(1)&lt;/script&gt;".',
        '',
        '| resource | \\_r2\\_ |',
        '| :-- | :-: |',
        '| \\_a\\_ | rw* |',
        '',
        '`rw` read and write · `r` read only · `-` no access · `*` allowed only when a condition holds (see the notes)',
        '',
        'Notes:',
        '',
        '- \\_a\\_ × \\_r2\\_: rw only when "\\_self\\_" holds',
        '- \\_r2\\_: computed for subject type "\\_staff\\_", the first the role may be given to',
        '',
      ].join('\n'),
      stderr: '',
    })
  })

  test('renders as one table of one resource, and notes that read as the policy wrote them', async () => {
    const { stdout } = await runCli(['matrix', 'fixtures/hostile-names.yaml', '--scope', SCOPE])
    const html = md.render(stdout)
    expect(html.match(/<table>/g)).toHaveLength(1)
    expect(html.match(/<tr>/g)).toHaveLength(2)
    expect(html).not.toMatch(/<(script|a|img|em|strong|b)[\s>]/)
    const text = (fragment: string): string => md.utils.unescapeAll(fragment)
    const items = [...html.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => text(m[1] ?? ''))
    expect(items).toEqual([
      `_a_ × _r2_: rw only when "${CONDITION}" holds`,
      `_r2_: computed for subject type "${SUBJECT_TYPE}", the first the role may be given to`,
    ])
    const caption = /^<p>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? ''
    expect(text(caption)).toBe(
      `Rights of a subject holding only the column's role (with what it inherits), in scope "${SCOPE}".`,
    )
  })
})
