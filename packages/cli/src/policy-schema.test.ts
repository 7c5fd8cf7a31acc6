import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { findPolicyProblems } from '@rolegate/core'
// eslint-disable-next-line no-restricted-imports -- ajv's documented entry for draft 2020-12 is under dist/
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import { CLI_DIR } from './run-cli.test-support.js'

const schemaFile = createRequire(import.meta.url).resolve('@rolegate/core/schema.json')
const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { $id: string }
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema)

const fixture = (name: string): string => join(CLI_DIR, 'fixtures', name)
const read = (name: string): unknown => parse(readFileSync(fixture(name), 'utf8'))
const valid = [
  'billwerk.yaml',
  'small.yaml',
  'small.json',
  'small-v2.yaml',
  'lints.yaml',
  'hostile-names.yaml',
]

describe('the policy JSON Schema (@rolegate/core/schema.json)', () => {
  test('is a draft 2020-12 schema that compiles in strict mode, with an $id', () => {
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://unpkg.com/@rolegate/core/schema/policy.schema.json',
    })
    expect(schemaFile).toBe(resolve(CLI_DIR, '../core/schema/policy.schema.json'))
  })

  test.each(valid)('accepts %s, which core accepts too', (name) => {
    const policy = read(name)
    expect(findPolicyProblems(policy)).toEqual([])
    expect(validate(policy) ? [] : validate.errors).toEqual([])
  })

  test.each([...valid, 'broken.yaml'])('%s points editors at the schema', (name) => {
    const text = readFileSync(fixture(name), 'utf8')
    const reference = name.endsWith('.json')
      ? (JSON.parse(text) as { $schema: string }).$schema
      : /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1]
    expect(resolve(dirname(fixture(name)), reference ?? '')).toBe(schemaFile)
  })

  test('refuses the broken fixture, naming what is wrong in its shape', () => {
    expect(validate(read('broken.yaml'))).toBe(false)
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
    expect(errors).toEqual([
      '/ must NOT have additional properties',
      '/resources/3 must match pattern "^(\\*|[A-Za-z0-9_][A-Za-z0-9_-]*(\\.[A-Za-z0-9_][A-Za-z0-9_-]*)*)$"',
      '/resources must NOT have duplicate items (items ## 1 and 2 are identical)',
      '/roles/finance/superuser must be boolean',
      '/roles/auditor must NOT have additional properties',
      '/roles/auditor/subjectTypes must NOT have fewer than 1 items',
      '/conflicts/1 must NOT have fewer than 2 items',
    ])
  })

  test('agrees with core on the shapes core accepts and refuses', () => {
    const accepted = [
      { resources: ['*'], roles: { all: { grants: { '*': 'read' } } } },
      {
        resources: ['a.b'],
        actions: { export: ['read'], approve: [] },
        roles: {
          r: {
            description: 'd',
            superuser: false,
            exclusive: true,
            inherits: ['s'],
            subjectTypes: ['staff'],
            grants: { a: ['read', 'export'], 'a.b': { actions: ['write'], when: 'self' } },
          },
          s: { grants: { a: 'none' } },
        },
        conflicts: [['r', 's']],
        defaults: ['s'],
        $schema: './policy.schema.json',
      },
    ]
    for (const policy of accepted) {
      expect(findPolicyProblems(policy)).toEqual([])
      expect(validate(policy)).toBe(true)
    }
    const refused = [
      { roles: {} },
      { resources: ['a b'], roles: {} },
      { resources: ['a'], actions: { write: [] }, roles: {} },
      { resources: ['a'], roles: { r: { grants: { a: { actions: 'none', when: 'self' } } } } },
      { resources: ['a'], roles: { r: { grants: { a: { actions: 'read' } } } } },
      { resources: ['a'], roles: { r: { grants: { a: [] } } } },
      { resources: ['a'], roles: { r: { exclusive: 'yes' } } },
      { resources: ['a'], roles: { r: {} }, conflicts: [['r', 's', 't']] },
    ]
    for (const policy of refused) {
      expect(findPolicyProblems(policy)).not.toEqual([])
      expect(validate(policy)).toBe(false)
    }
  })
})
