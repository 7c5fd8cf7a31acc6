import { describe, expect, test } from 'vitest'
import { runCli } from '../run-cli.test-support.js'

const lines = (...text: string[]): string => `${text.join('\n')}\n`

describe('rolegate check', { timeout: 30_000 }, () => {
  test('a clean policy, with the conditions the application supplies, is ok', async () => {
    expect(
      await runCli([
        'check',
        'fixtures/small.yaml',
        'fixtures/small.json',
        '--conditions',
        'self,owner',
      ]),
    ).toEqual({
      code: 0,
      stdout: lines('fixtures/small.yaml: ok', 'fixtures/small.json: ok'),
      stderr: '',
    })
  })

  test('conditions not declared are warnings: exit 0, or 1 with --strict', async () => {
    const expected = lines(
      'fixtures/billwerk.yaml: warning policy.roles.self_service.grants.profile.when: condition "self" is not declared: pass --conditions self if the application supplies it [undeclared-condition]',
      'fixtures/billwerk.yaml: 0 errors, 1 warning',
    )
    expect(await runCli(['check', 'fixtures/billwerk.yaml'])).toEqual({
      code: 0,
      stdout: expected,
      stderr: '',
    })
    expect(await runCli(['check', 'fixtures/billwerk.yaml', '--strict'])).toEqual({
      code: 1,
      stdout: expected,
      stderr: '',
    })
  })

  test("with --conditions, a condition the application does not supply is core's error", async () => {
    expect(await runCli(['check', 'fixtures/small.yaml', '--conditions', 'self'])).toEqual({
      code: 1,
      stdout: lines(
        'fixtures/small.yaml: error policy.roles.support.grants["customers.address"].when: condition "owner" has no function: pass it in createRolegate({ conditions }) [unknown-condition]',
        'fixtures/small.yaml: 1 error, 0 warnings',
      ),
      stderr: '',
    })
  })

  test('an invalid policy lists every problem core finds, each with file and path', async () => {
    const file = 'fixtures/broken.yaml'
    expect(await runCli(['check', file])).toEqual({
      code: 1,
      stdout: lines(
        `${file}: error policy.owner: unknown key "owner" [invalid]`,
        `${file}: error policy.resources[2]: duplicate resource "invoices" [invalid]`,
        `${file}: error policy.resources[3]: "bad..path" has an empty segment [invalid]`,
        `${file}: error policy.actions.export[1]: implies unknown action "fly" [invalid]`,
        `${file}: error policy.roles.finance.superuser: must be true or false [invalid]`,
        `${file}: error policy.roles.finance.inherits[0]: unknown role "ghost" [invalid]`,
        `${file}: error policy.roles.finance.grants.payments: unknown resource "payments" [invalid]`,
        `${file}: error policy.roles.finance.grants.invoices: unknown action or level "admin" [invalid]`,
        `${file}: error policy.roles.finance.grants.customers[1]: unknown action "jump" [invalid]`,
        `${file}: error policy.roles.auditor.grant: unknown key "grant" [invalid]`,
        `${file}: error policy.roles.auditor.subjectTypes: must be a non-empty list of subject types [invalid]`,
        `${file}: error policy.conflicts[0][1]: unknown role "nobody" [invalid]`,
        `${file}: error policy.conflicts[1]: must be a pair of role names [invalid]`,
        `${file}: error policy.defaults[0]: unknown role "missing" [invalid]`,
        `${file}: 14 errors, 0 warnings`,
      ),
      stderr: '',
    })
  })

  test('a valid policy is linted: every rule reports, errors exit 1', async () => {
    const file = 'fixtures/lints.yaml'
    expect(await runCli(['check', file, '--conditions', 'self'])).toEqual({
      code: 1,
      stdout: lines(
        `${file}: error policy.roles.teller: nobody can act with role "teller": it brings "clerk" and "approver", which may not be held together, so every decision denies (exclusive-conflict) [unusable-role]`,
        `${file}: error policy.defaults[1]: every authenticated subject holds superuser role "root" (through default role "helpdesk"), so it may do everything [superuser-default]`,
        `${file}: error policy.roles.everyone.exclusive: exclusive role "everyone" is a default role: defaults are not checked for exclusivity, so a subject holding "root" also holds "everyone" and is not denied; it only denies everything when "everyone" is assigned explicitly beside another role [exclusive-default]`,
        `${file}: error policy.conflicts[1]: "everyone" is a default role and defaults are not checked for conflicts: a subject holding "guest" holds both and is not denied; the pair only denies when "everyone" is assigned explicitly [conflict-with-default]`,
        `${file}: warning policy.roles.root.grants: role "root" is a superuser: its grants are never consulted (a superuser allows every action, and "none" restricts nothing) [shadowed-grant]`,
        `${file}: warning policy.roles.deputy.grants: role "deputy" inherits superuser role "root": its grants are never consulted (a superuser allows every action, and "none" restricts nothing) [shadowed-grant]`,
        `${file}: warning policy.roles.partner.inherits: inherited role "staff_tools" is never in force with "partner": core drops it, or a role between them, for every subject type that may hold "partner" ("partner"); "staff_tools" is for "staff" [dead-inheritance]`,
        `${file}: 4 errors, 3 warnings`,
      ),
      stderr: '',
    })
  })

  test('--format json lists the problems for tools', async () => {
    const result = await runCli([
      'check',
      '--format',
      'json',
      'fixtures/billwerk.yaml',
      'fixtures/nope.yaml',
    ])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({
      errors: 1,
      warnings: 1,
      problems: [
        {
          file: 'fixtures/billwerk.yaml',
          path: 'policy.roles.self_service.grants.profile.when',
          message:
            'condition "self" is not declared: pass --conditions self if the application supplies it',
          severity: 'warning',
          rule: 'undeclared-condition',
        },
        {
          file: 'fixtures/nope.yaml',
          path: 'policy',
          message:
            "cannot read the file: ENOENT: no such file or directory, open 'fixtures/nope.yaml'",
          severity: 'error',
          rule: 'invalid',
        },
      ],
    })
  })

  test('usage errors exit 2 with the usage on stderr and nothing on stdout', async () => {
    for (const args of [
      ['check'],
      ['check', 'fixtures/small.yaml', '--colour'],
      ['check', '--format', 'xml', 'fixtures/small.yaml'],
    ]) {
      const result = await runCli(args)
      expect(result.code).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toContain('\n\nUsage: rolegate check POLICY...')
    }
    expect((await runCli(['check'])).stderr).toMatch(/^rolegate check: missing POLICY file\n/)
    expect((await runCli(['check', 'x.yaml', '--colour'])).stderr).toMatch(
      /^rolegate check: Unknown option '--colour'/,
    )
  })
})

describe('rolegate itself', { timeout: 30_000 }, () => {
  test('without a command it prints the usage on stderr and exits 2; unknown commands too', async () => {
    const bare = await runCli([])
    expect(bare.code).toBe(2)
    expect(bare.stdout).toBe('')
    expect(bare.stderr).toMatch(/^Usage: rolegate <command> \[options\]\n/)
    const unknown = await runCli(['audit'])
    expect(unknown).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(
        /^rolegate: unknown command "audit"\n\nUsage: rolegate <command>/,
      ) as string,
    })
  })

  test('--help and help COMMAND print usage on stdout and exit 0; --version prints the version', async () => {
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('  diff OLD NEW ')
    const command = await runCli(['help', 'explain'])
    expect(command.code).toBe(0)
    expect(command.stdout).toMatch(/^Usage: rolegate explain POLICY PERMISSION/)
    expect(await runCli(['matrix', '--help'])).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^Usage: rolegate matrix POLICY/) as string,
      stderr: '',
    })
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: '0.0.0\n', stderr: '' })
  })

  test('the bin wrapper runs the CLI from source inside the repository', async () => {
    expect(
      await runCli(
        ['check', 'fixtures/small.yaml', '--conditions', 'self,owner'],
        'bin/rolegate.js',
      ),
    ).toEqual({
      code: 0,
      stdout: 'fixtures/small.yaml: ok\n',
      stderr: '',
    })
    expect(
      (await runCli(['explain', 'fixtures/small.yaml', 'invoices:approve'], 'bin/rolegate.js'))
        .code,
    ).toBe(1)
  })
})
