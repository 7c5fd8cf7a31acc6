import { join } from 'node:path'
import { createRolegate, loadPolicy } from '@rolegate/core'
import { describe, expect, test } from 'vitest'
import { CLI_DIR, runCli } from '../run-cli.test-support.js'

const lines = (...text: string[]): string => `${text.join('\n')}\n`
const billwerk = 'fixtures/billwerk.yaml'

describe('rolegate explain', { timeout: 30_000 }, () => {
  test('an allowed permission names the role and the grant, and exits 0', async () => {
    expect(
      await runCli(['explain', billwerk, '--roles', 'finance', 'settings.taxes:write']),
    ).toEqual({
      code: 0,
      stdout: lines(
        'settings.taxes:write: allowed',
        '  reason: granted: role "finance" grants settings.taxes: write',
        '  held: finance',
        '  in force: finance, self_service',
      ),
      stderr: '',
    })
  })

  test('a grant on an ancestor is named where it is written', async () => {
    expect(
      await runCli(['explain', billwerk, 'settings.company:read', '--roles', 'reports']),
    ).toEqual({
      code: 0,
      stdout: lines(
        'settings.company:read: allowed',
        '  reason: granted: role "reports" grants settings: read',
        '  held: reports',
        '  in force: reports, self_service',
      ),
      stderr: '',
    })
  })

  test('a restriction names the role and its "none" grant, and exits 1', async () => {
    expect(
      await runCli(['explain', billwerk, 'settings.webhooks:read', '--roles', 'products,reports']),
    ).toEqual({
      code: 1,
      stdout: lines(
        'settings.webhooks:read: denied',
        '  reason: restricted: role "products" restricts it with settings.webhooks: none',
        '  held: products, reports',
        '  in force: products, reports, self_service',
      ),
      stderr: '',
    })
  })

  test('an exclusive role held with another denies everything', async () => {
    expect(
      await runCli(['explain', billwerk, 'settings.company:read', '--roles', 'admin,finance']),
    ).toEqual({
      code: 1,
      stdout: lines(
        'settings.company:read: denied',
        '  reason: exclusive-conflict: "admin" is exclusive and is held with "finance", so every decision denies',
        '  held: admin, finance',
        '  in force: admin, finance, self_service',
      ),
      stderr: '',
    })
  })

  test('a subject with no roles has only the default roles; conditions need --assume', async () => {
    expect(await runCli(['explain', billwerk, 'profile:write'])).toEqual({
      code: 1,
      stdout: lines(
        'profile:write: denied',
        '  reason: condition-needs-resource: only a conditional grant allows it, and conditions are weighed only for a resource instance',
        '  conditional grant: role "self_service" grants profile: { actions: write, when: self }',
        '  to decide as if it held: --assume self',
        '  held: (none)',
        '  in force: self_service',
      ),
      stderr: '',
    })
    expect(await runCli(['explain', billwerk, 'profile:write', '--assume', 'self'])).toEqual({
      code: 0,
      stdout: lines(
        'profile:write: allowed',
        '  reason: granted: role "self_service" grants profile: { actions: write, when: self }',
        '  held: (none)',
        '  in force: self_service',
        '  assumed: a resource instance on which "self" holds (and no other condition)',
      ),
      stderr: '',
    })
    expect(await runCli(['explain', billwerk, 'profile:write', '--assume='])).toEqual({
      code: 1,
      stdout: lines(
        'profile:write: denied',
        '  reason: condition-failed: role "self_service" grants profile: { actions: write, when: self }, and the condition does not hold',
        '  held: (none)',
        '  in force: self_service',
        '  assumed: a resource instance on which no condition holds',
      ),
      stderr: '',
    })
  })

  test('roles held in a scope count there', async () => {
    expect(
      await runCli([
        'explain',
        billwerk,
        'invoices:write',
        '--roles',
        'reports',
        '--scope',
        'team:1',
        '--scope-roles',
        'finance',
      ]),
    ).toEqual({
      code: 0,
      stdout: lines(
        'invoices:write: allowed',
        '  reason: granted: role "finance" grants invoices: write',
        '  scope: team:1',
        '  held: finance, reports',
        '  in force: finance, reports, self_service',
      ),
      stderr: '',
    })
  })

  test('superusers, declared actions and subject types', async () => {
    expect(
      (await runCli(['explain', 'fixtures/small.yaml', 'reports:export', '--roles', 'admin']))
        .stdout,
    ).toBe(
      lines(
        'reports:export: allowed',
        '  reason: superuser: role "admin" is a superuser',
        '  held: admin',
        '  in force: admin, self_service',
      ),
    )
    expect(
      (await runCli(['explain', 'fixtures/small-v2.yaml', 'reports:read', '--roles', 'auditor']))
        .stdout,
    ).toBe(
      lines(
        'reports:read: denied',
        '  reason: no-grant: no role in force grants it',
        '  held: (none)',
        '  in force: self_service',
        '  dropped: auditor (subject-type)',
      ),
    )
    expect(
      (
        await runCli([
          'explain',
          'fixtures/small-v2.yaml',
          'reports:read',
          '--roles',
          'auditor',
          '--type',
          'staff',
        ])
      ).code,
    ).toBe(0)
  })

  test("--format json prints core's decision exactly as core makes it", async () => {
    const policy = loadPolicy(join(CLI_DIR, billwerk))
    const rg = createRolegate({
      policy,
      conditions: { self: (subject, profile) => (profile as { id?: unknown }).id === subject.id },
    })
    const cases = [
      [['finance'], 'invoices:write'],
      [['reports', 'templates'], 'settings.self_service:write'],
      [['operations'], 'logs.audit_log:read'],
      [['admin', 'reports'], 'kpi_charts:read'],
      [[], 'profile:write'],
    ] as const
    for (const [roles, permission] of cases) {
      const result = await runCli([
        'explain',
        billwerk,
        permission,
        '--roles',
        roles.join(','),
        '--format',
        'json',
      ])
      const context = rg.context({ id: 'explain', roles: [...roles] })
      const decision = context.explain(permission)
      expect(JSON.parse(result.stdout)).toEqual({
        decision: JSON.parse(JSON.stringify(decision)) as unknown,
        roles: JSON.parse(JSON.stringify(context.roles())) as unknown,
        assumed: null,
      })
      expect(result.code).toBe(decision.allowed ? 0 : 1)
    }
  })

  test('a role the policy does not declare is a usage error, not a role silently dropped', async () => {
    for (const [flag, args] of [
      ['--roles', ['--roles', 'finance,finanse']],
      ['--scope-roles', ['--scope', 'team:1', '--scope-roles', 'finanse']],
    ] as const) {
      const result = await runCli(['explain', billwerk, 'invoices:write', ...args])
      expect([result.code, result.stdout]).toEqual([2, ''])
      expect(result.stderr).toMatch(
        new RegExp(
          `^rolegate explain: ${flag}: Unknown role "finanse": the policy does not declare it\n\nUsage: rolegate explain POLICY PERMISSION`,
        ),
      )
    }
  })

  test('a subject type no role names is a usage error: a misspelt --type would drop every typed role', async () => {
    const misspelt = await runCli([
      'explain',
      'fixtures/small-v2.yaml',
      'reports:read',
      '--roles',
      'auditor',
      '--type',
      'stafff',
    ])
    expect([misspelt.code, misspelt.stdout]).toEqual([2, ''])
    expect(misspelt.stderr.split('\n').slice(0, 3)).toEqual([
      'rolegate explain: --type: the policy\'s roles name no subject type "stafff" (they name staff); leave --type out to ask for a subject of a type no role names',
      '',
      'Usage: rolegate explain POLICY PERMISSION [--roles a,b] [--scope S] [--scope-roles c,d]',
    ])
    const untyped = await runCli(['explain', billwerk, 'invoices:read', '--type', 'staff'])
    expect([untyped.code, untyped.stderr.split('\n')[0]]).toEqual([
      2,
      'rolegate explain: --type: the policy\'s roles name no subject type "staff" (no role names a subject type); leave --type out to ask for a subject of a type no role names',
    ])
  })

  test.each([
    ['invoices', 'a permission is written "resource:action"'],
    ['nope', 'a permission is written "resource:action"'],
    ['payroll:read', 'the policy declares no resource "payroll"'],
    ['invoices:export', 'the policy declares no action "export"'],
  ])(
    'a permission the policy does not declare (%s) is a usage error, not a denial',
    async (permission, why) => {
      for (const format of ['text', 'json']) {
        const result = await runCli([
          'explain',
          billwerk,
          permission,
          '--roles',
          'admin',
          '--format',
          format,
        ])
        expect([result.code, result.stdout]).toEqual([2, ''])
        expect(result.stderr.split('\n').slice(0, 3)).toEqual([
          `rolegate explain: Unknown permission "${permission}": ${why}`,
          '',
          'Usage: rolegate explain POLICY PERMISSION [--roles a,b] [--scope S] [--scope-roles c,d]',
        ])
      }
    },
  )

  test('usage errors exit 2', async () => {
    const missing = await runCli(['explain', billwerk])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(
      /^rolegate explain: missing POLICY file and PERMISSION\n\nUsage: rolegate explain/,
    )
    const scope = await runCli(['explain', billwerk, 'invoices:read', '--scope-roles', 'finance'])
    expect(scope.code).toBe(2)
    expect(scope.stderr).toMatch(/^rolegate explain: --scope-roles needs --scope\n/)
    const assume = await runCli(['explain', billwerk, 'profile:write', '--assume', 'owner'])
    expect(assume.code).toBe(2)
    expect(assume.stderr).toMatch(
      /^rolegate explain: --assume: the policy names no condition "owner"\n/,
    )
    const broken = await runCli(['explain', 'fixtures/broken.yaml', 'invoices:read'])
    expect(broken.code).toBe(2)
    expect(broken.stdout).toBe('')
  })
})
