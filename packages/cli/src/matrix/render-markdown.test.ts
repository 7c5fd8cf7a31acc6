import MarkdownIt from 'markdown-it'
import { describe, expect, test } from 'vitest'
import { runCli } from '../run-cli.test-support.js'

// Raw HTML on, as GitHub passes it through to its sanitizer: an unescaped tag would show here.
const md = new MarkdownIt({ html: true })

const CONDITION = 'self" holds\n\n| forged | rw |\n\n[click](javascript:alert(1)) "'
const SUBJECT_TYPE = 'staff\n\n<script>alert(1)</script>'
const SCOPE = 'team:<b>*x*</b>'

describe('the Markdown matrix of a policy whose names are Markdown and HTML', () => {
  test('prints every name escaped: no forged row, link, emphasis or script', async () => {
    const result = await runCli(['matrix', 'fixtures/hostile-names.yaml', '--scope', SCOPE])
    expect(result).toEqual({
      code: 0,
      stdout: [
        'Rights of a subject holding only the column\'s role (with what it inherits), in scope "team:&lt;b&gt;\\*x\\*&lt;/b&gt;".',
        '',
        '| resource | \\_r2\\_ |',
        '| :-- | :-: |',
        '| \\_a\\_ | rw* |',
        '',
        '`rw` read and write · `r` read only · `-` no access · `*` allowed only when a condition holds (see the notes)',
        '',
        'Notes:',
        '',
        '- \\_a\\_ × \\_r2\\_: rw only when "self" holds&#10;&#10;\\| forged \\| rw \\|&#10;&#10;\\[click\\](javascript:alert(1)) "" holds',
        '- \\_r2\\_: computed for subject type "staff&#10;&#10;&lt;script&gt;alert(1)&lt;/script&gt;", the first the role may be given to',
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
    const caption = /^<p>(.*)<\/p>/.exec(html)?.[1] ?? ''
    expect(text(caption)).toBe(
      `Rights of a subject holding only the column's role (with what it inherits), in scope "${SCOPE}".`,
    )
  })
})
