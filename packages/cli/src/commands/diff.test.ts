import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { runCli } from '../run-cli.test-support.js'

const lines = (...text: string[]): string => `${text.join('\n')}\n`

async function policyFiles(...policies: object[]): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'rolegate-diff-'))
  return Promise.all(
    policies.map(async (policy, i) => {
      const file = join(dir, `policy-${i}.json`)
      await writeFile(file, JSON.stringify(policy))
      return file
    }),
  )
}

describe('rolegate diff', { timeout: 30_000 }, () => {
  test('lists, role by role, every permission a change grants or removes, and exits 1', async () => {
    expect(await runCli(['diff', 'fixtures/small.yaml', 'fixtures/small-v2.yaml'])).toEqual({
      code: 1,
      stdout: lines(
        'policy',
        '  roles.admin.exclusive: true → false',
        'role support',
        '  + customers.address:write (when "owner" → allowed)',
        '  + customers.address.street:write (when "owner" → allowed)',
        'role finance',
        '  - invoices:approve',
        '  - reports:export',
        'role auditor (added)',
        '  + customers:read',
        '  + customers.address:read',
        '  + customers.address.street:read',
        '  + customers.address.bcc:read',
        '  + invoices:read',
        '  + reports:read',
        '  + profile:read',
        'role reporter (removed)',
        '  - reports:read',
        '  - reports:export',
        '9 granted, 4 removed, 0 changed in 4 role(s); 1 policy change(s)',
      ),
      stderr: '',
    })
  })

  test('the same policy in another format is no change, and exits 0', async () => {
    expect(await runCli(['diff', 'fixtures/small.yaml', 'fixtures/small.json'])).toEqual({
      code: 0,
      stdout: 'no changes\n',
      stderr: '',
    })
  })

  test('--format json gives the same changes as data', async () => {
    const result = await runCli([
      'diff',
      'fixtures/small-v2.yaml',
      'fixtures/small.yaml',
      '--format',
      'json',
    ])
    expect(result.code).toBe(1)
    expect(JSON.parse(result.stdout)).toEqual({
      policy: [{ path: 'roles.admin.exclusive', before: false, after: true }],
      roles: [
        {
          role: 'support',
          status: 'changed',
          permissions: [
            {
              permission: 'customers.address:write',
              sign: '-',
              before: 'allowed',
              after: 'when "owner"',
            },
            {
              permission: 'customers.address.street:write',
              sign: '-',
              before: 'allowed',
              after: 'when "owner"',
            },
          ],
        },
        {
          role: 'finance',
          status: 'changed',
          permissions: [
            { permission: 'invoices:approve', sign: '+', before: 'denied', after: 'allowed' },
            { permission: 'reports:export', sign: '+', before: 'denied', after: 'allowed' },
          ],
        },
        {
          role: 'reporter',
          status: 'added',
          permissions: [
            { permission: 'reports:read', sign: '+', before: 'denied', after: 'allowed' },
            { permission: 'reports:export', sign: '+', before: 'denied', after: 'allowed' },
          ],
        },
        {
          role: 'auditor',
          status: 'removed',
          permissions: [
            'customers',
            'customers.address',
            'customers.address.street',
            'customers.address.bcc',
            'invoices',
            'reports',
            'profile',
          ].map((resource) => ({
            permission: `${resource}:read`,
            sign: '-',
            before: 'allowed',
            after: 'denied',
          })),
        },
      ],
    })
  })

  test('defaults, conflicts, subject types, new resources and changed conditions are listed', async () => {
    const [before, after] = await policyFiles(
      {
        resources: ['profile', 'invoices'],
        roles: {
          self_service: { grants: { profile: { actions: 'write', when: 'self' } } },
          clerk: { grants: { invoices: 'read' } },
          boss: { subjectTypes: ['staff'], grants: { invoices: 'write' } },
        },
      },
      {
        resources: ['profile', 'invoices', 'payroll'],
        roles: {
          self_service: { grants: { profile: { actions: 'write', when: 'owner' } } },
          clerk: { grants: { invoices: 'read', payroll: 'read' } },
          boss: { grants: { invoices: 'write' } },
        },
        conflicts: [['boss', 'clerk']],
        defaults: ['self_service'],
      },
    )
    expect(await runCli(['diff', before as string, after as string])).toEqual({
      code: 1,
      stdout: lines(
        'policy',
        '  defaults: [] → [self_service]',
        '  conflicts: [] → [[boss, clerk]]',
        '  roles.boss.subjectTypes: [staff] → any',
        'role self_service',
        '  ~ profile:read (when "self" → when "owner")',
        '  ~ profile:write (when "self" → when "owner")',
        'role clerk',
        '  + payroll:read',
        '1 granted, 0 removed, 2 changed in 2 role(s); 3 policy change(s)',
      ),
      stderr: '',
    })
  })

  test('usage errors and invalid policies exit 2', async () => {
    const missing = await runCli(['diff', 'fixtures/small.yaml'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(
      /^rolegate diff: missing OLD and NEW policy files\n\nUsage: rolegate diff/,
    )
    const broken = await runCli(['diff', 'fixtures/small.yaml', 'fixtures/broken.yaml'])
    expect(broken.code).toBe(2)
    expect(broken.stdout).toBe('')
    expect(broken.stderr).toMatch(/^fixtures\/broken.yaml: policy.owner: unknown key "owner"\n/)
  })
})
