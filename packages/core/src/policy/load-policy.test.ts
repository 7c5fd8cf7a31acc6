import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { PolicyError } from '../errors.js'
import { loadPolicy } from './load-policy.js'

const dir = mkdtempSync(join(tmpdir(), 'rolegate-load-'))
function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

function problemsOf(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    if (error instanceof PolicyError) return error.problems
    throw error
  }
  throw new Error('expected a PolicyError')
}

describe('loadPolicy', () => {
  test('reads YAML and JSON into the same policy', () => {
    const yaml = file(
      'p.yaml',
      'resources: [invoices]\nroles:\n  finance:\n    grants:\n      invoices: write\n',
    )
    const json = file(
      'p.json',
      '{"resources":["invoices"],"roles":{"finance":{"grants":{"invoices":"write"}}}}',
    )
    const expected = {
      resources: ['invoices'],
      roles: { finance: { grants: { invoices: 'write' } } },
    }
    expect(loadPolicy(yaml)).toEqual(expected)
    expect(loadPolicy(json)).toEqual(expected)
  })

  test('problems name the file and the path inside it', () => {
    const path = file(
      'bad.yaml',
      'resources: [invoices]\nroles:\n  finance:\n    grants:\n      invoice: write\n      invoices: own\n',
    )
    expect(problemsOf(() => loadPolicy(path))).toEqual([
      {
        file: path,
        path: 'policy.roles.finance.grants.invoice',
        message: 'unknown resource "invoice"',
      },
      {
        file: path,
        path: 'policy.roles.finance.grants.invoices',
        message: 'unknown action or level "own"',
      },
    ])
  })

  test('a duplicated key is refused in JSON too, with its line', () => {
    const path = file(
      'dup.json',
      '{\n  "resources": ["a"],\n  "roles": { "r": { "grants": { "a": "write", "a": "none" } } }\n}\n',
    )
    expect(problemsOf(() => loadPolicy(path))).toEqual([
      { file: path, path: 'line 3, column 47', message: 'Map keys must be unique' },
    ])
  })

  test('keys written differently that load as the same key are refused, naming both', () => {
    const yaml = file(
      'same.yaml',
      'resources: ["1"]\nroles:\n  r:\n    grants:\n      1: none\n      "1": write\n' +
        '  true: {}\n  "true": { superuser: true }\n  ~: {}\n  "": {}\n',
    )
    expect(problemsOf(() => loadPolicy(yaml))).toEqual([
      {
        file: yaml,
        path: 'line 6, column 7',
        message:
          'the key "1" and the key 1 (line 5, column 7) are the same key "1" once loaded; only the last would count',
      },
      {
        file: yaml,
        path: 'line 8, column 3',
        message:
          'the key "true" and the key true (line 7, column 3) are the same key "true" once loaded; only the last would count',
      },
      {
        file: yaml,
        path: 'line 10, column 3',
        message:
          'the key "" and the key ~ (line 9, column 3) are the same key "" once loaded; only the last would count',
      },
    ])
    // Flow style, as JSON-like YAML is written: JSON itself has only string keys.
    const flow = file(
      'flow.yaml',
      '{"resources": ["1"], "roles": {"r": {"grants": {"1": "none", 1: "write"}}}}',
    )
    expect(problemsOf(() => loadPolicy(flow))).toEqual([
      {
        file: flow,
        path: 'line 1, column 62',
        message:
          'the key 1 and the key "1" (line 1, column 49) are the same key "1" once loaded; only the last would count',
      },
    ])
  })

  test('a key that is not a plain name (an alias, a list) is refused with its line', () => {
    const path = file(
      'alias-key.yaml',
      'resources: [a]\nname: &n a\nroles:\n  r:\n    grants:\n      a: none\n      *n : write\n',
    )
    expect(problemsOf(() => loadPolicy(path))).toEqual([
      {
        file: path,
        path: 'line 7, column 7',
        message: 'the key *n is not a plain name (a list, a map or an alias)',
      },
    ])
  })

  test('syntax errors and unreadable files are PolicyErrors naming the file', () => {
    const path = file('broken.yaml', 'resources: [a\nroles: {}\n')
    expect(
      (problemsOf(() => loadPolicy(path)) as { file: string; path: string }[])[0],
    ).toMatchObject({ file: path, path: 'line 2, column 1' })
    const missing = join(dir, 'missing.yaml')
    expect(problemsOf(() => loadPolicy(missing))).toEqual([
      {
        file: missing,
        path: 'policy',
        message: `cannot read the file: ENOENT: no such file or directory, open '${missing}'`,
      },
    ])
  })

  test('an unresolved alias or an alias bomb is a PolicyError, not a crash', () => {
    const alias = file('alias.yaml', 'resources: *nowhere\nroles: {}\n')
    expect(problemsOf(() => loadPolicy(alias))).toEqual([
      {
        file: alias,
        path: 'policy',
        message: 'Unresolved alias (the anchor must be set before the alias): nowhere',
      },
    ])
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 8; i++)
      levels.push(
        `${'b'.repeat(i)}: &${'b'.repeat(i)} [${Array(10)
          .fill(`*${i === 1 ? 'a' : 'b'.repeat(i - 1)}`)
          .join(', ')}]`,
      )
    const bomb = file('bomb.yaml', `${levels.join('\n')}\nresources: []\nroles: {}\n`)
    expect((problemsOf(() => loadPolicy(bomb)) as { message: string }[])[0]?.message).toBe(
      'Excessive alias count indicates a resource exhaustion attack',
    )
  })

  test('a .json file holding YAML is refused', () => {
    const path = file('yaml.json', 'resources: []\nroles: {}\n')
    expect(problemsOf(() => loadPolicy(path))).toEqual([
      {
        file: path,
        path: 'policy',
        message: 'not valid JSON (is this a YAML file with a .json name?)',
      },
    ])
  })

  test('condition names are checked when the caller knows them', () => {
    const path = file(
      'cond.yaml',
      'resources: [profile]\nroles:\n  me:\n    grants:\n      profile: { actions: write, when: self }\n',
    )
    expect(loadPolicy(path).roles).toHaveProperty('me')
    expect(problemsOf(() => loadPolicy(path, { conditions: new Set(['owner']) }))).toEqual([
      {
        file: path,
        path: 'policy.roles.me.grants.profile.when',
        message: 'condition "self" has no function: pass it in createRolegate({ conditions })',
      },
    ])
  })
})
