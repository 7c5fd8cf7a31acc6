import { describe, expect, test } from 'vitest'
import { runCli } from '../run-cli.test-support.js'

const ROLES = [
  'admin',
  'products',
  'operations',
  'finance',
  'read_only_operations',
  'reports',
  'templates',
] as const

/**
 * billwerk's table (shared/seeds/004), row by row in the seed's order: the label the seed gives
 * (or what it lost), the resource fixtures/billwerk.yaml names it, and the cells for Admin,
 * Products, Operations, Finance, ReadOnlyOperations, Reports and Templates as the seed prints them.
 */
const SEED: readonly (readonly [label: string, resource: string, cells: string])[] = [
  ['Company', 'settings.company', 'rw r r r r r r'],
  ['Sales Entities', 'settings.sales_entities', 'rw r r r r r r'],
  ['User Accounts', 'settings.user_accounts', 'rw - - - - - -'],
  ['Payment Settings', 'settings.payment_settings', 'rw - - - - - -'],
  ['Payment Escalation', 'settings.payment_escalation', 'rw - - - - - -'],
  ['(no label)', 'settings.taxes', 'rw r r rw r r r'],
  ['Billing', 'settings.billing', 'rw r r r r r r'],
  ['General Document Settings', 'settings.general_document_settings', 'rw r r r r r r'],
  ['Sequences', 'settings.sequences', 'rw r r r r r r'],
  ['(no label)', 'settings.templates', 'rw r r r r r rw'],
  ['Accounts', 'settings.accounts', 'rw r r rw r r r'],
  ['Debitor Ids', 'settings.debitor_ids', 'rw r r rw r r r'],
  ['Export Settings', 'settings.export_settings', 'rw r r rw r r r'],
  ['Custom fields', 'settings.custom_fields', 'rw r r r r r r'],
  ['Webhooks', 'settings.webhooks', 'rw - - - - - -'],
  ['Self-Service', 'settings.self_service', 'rw r r r r r rw'],
  ['KPI Charts', 'kpi_charts', 'r - - - - r -'],
  ['Log lists', 'log_lists', 'r - r - r - -'],
  ['all areas', 'products', 'rw rw r r r r -'],
  ['Customers and Contracts: all areas', 'customers_and_contracts', 'rw - rw r r r -'],
  ['all areas', 'invoices', 'rw - rw rw r - -'],
  ['audit log', 'logs.audit_log', 'r - - - - - -'],
  ['all other areas', 'logs', 'r - r - r - -'],
  ['Account Reconciliation', 'account_reconciliation', 'rw - rw rw r - -'],
  ['Accounting Export', 'accounting_export', 'r - - r - - -'],
  ['Reporting', 'reporting', 'r - - r - r -'],
  ['Handling Fees', 'handling_fees', 'rw - rw - r - -'],
]

/**
 * The expected matrix: the seed's rows, plus the `settings` section row before its pages, `logs`
 * (all other areas) before its exception `logs.audit_log`, the `profile` row and the default role
 * `self_service` from the seed's text (fixtures/README.md says why).
 */
function expectedRows(): { resource: string; cells: string[] }[] {
  const rows = SEED.map(([, resource, cells]) => ({ resource, cells: [...cells.split(' '), '-'] }))
  const logs = rows.findIndex((row) => row.resource === 'logs')
  const [allOther] = rows.splice(logs, 1)
  rows.splice(logs - 1, 0, allOther as (typeof rows)[number])
  rows.unshift({ resource: 'settings', cells: ['rw', 'r', 'r', 'r', 'r', 'r', 'r', '-'] })
  rows.push({ resource: 'profile', cells: ['-', '-', '-', '-', '-', '-', '-', 'rw*'] })
  return rows
}

describe('rolegate matrix', { timeout: 30_000 }, () => {
  test("reproduces billwerk's rights table cell by cell as CSV", async () => {
    const header = ['resource', ...ROLES, 'self_service'].join(',')
    const expected = [
      header,
      ...expectedRows().map((row) => [row.resource, ...row.cells].join(',')),
    ]
      .map((line) => `${line}\r\n`)
      .join('')
    expect(SEED.length * ROLES.length).toBe(189)
    expect(await runCli(['matrix', 'fixtures/billwerk.yaml', '--format', 'csv'])).toEqual({
      code: 0,
      stdout: expected,
      stderr: '',
    })
  })

  test("reproduces billwerk's rights table as a GitHub Markdown table, tree indented", async () => {
    const rows = expectedRows().map(({ resource, cells }) => {
      const depth = resource.split('.').length - 1
      const label = '\u00a0\u00a0'.repeat(depth) + (resource.split('.').at(-1) ?? '')
      return `| ${[label, ...cells].join(' | ')} |`
    })
    const expected = [
      "Rights of a subject holding only the column's role (with what it inherits; default roles not added: self_service).",
      '',
      `| resource | ${[...ROLES, 'self_service'].join(' | ')} |`,
      '| :-- | :-: | :-: | :-: | :-: | :-: | :-: | :-: | :-: |',
      ...rows,
      '',
      '`rw` read and write · `r` read only · `-` no access · `*` allowed only when a condition holds (see the notes)',
      '',
      'Notes:',
      '',
      '- profile × self_service: rw only when "self" holds',
      '',
    ].join('\n')
    expect(await runCli(['matrix', 'fixtures/billwerk.yaml'])).toEqual({
      code: 0,
      stdout: expected,
      stderr: '',
    })
  })

  test('shows declared actions, superusers, restrictions and conditional cells with their notes', async () => {
    const expected = `Rights of a subject holding only the column's role (with what it inherits; default roles not added: self_service).

| resource | admin | support | finance | reporter | self_service |
| :-- | :-: | :-: | :-: | :-: | :-: |
| customers | rw+export+approve | r | r | - | - |
| \u00a0\u00a0address | rw+export+approve | r / rw* | r | - | - |
| \u00a0\u00a0\u00a0\u00a0street | rw+export+approve | r / rw* | r | - | - |
| \u00a0\u00a0\u00a0\u00a0bcc | rw+export+approve | - | - | - | - |
| invoices | rw+export+approve | r | rw+approve | - | - |
| reports | rw+export+approve | - | r+export | r+export | - |
| profile | rw+export+approve | - | - | - | rw* |

\`rw\` read and write · \`r\` read only · \`-\` no access · \`+action\` a declared action is allowed too · \`*\` allowed only when a condition holds (see the notes)

Notes:

- customers.address × support: r, and rw when "owner" holds
- customers.address.street × support: r, and rw when "owner" holds
- profile × self_service: rw only when "self" holds
`
    expect(await runCli(['matrix', 'fixtures/small.yaml', '--format', 'md'])).toEqual({
      code: 0,
      stdout: expected,
      stderr: '',
    })
  })

  test('a JSON policy gives the same matrix as the same policy in YAML', async () => {
    const yaml = await runCli(['matrix', 'fixtures/small.yaml', '--format', 'csv'])
    expect(await runCli(['matrix', 'fixtures/small.json', '--format', 'csv'])).toEqual(yaml)
  })

  test('--with-defaults adds the default roles to every column', async () => {
    expect(
      await runCli(['matrix', 'fixtures/small.yaml', '--format', 'csv', '--with-defaults']),
    ).toEqual({
      code: 0,
      stdout: [
        'resource,admin,support,finance,reporter,self_service',
        'customers,rw+export+approve,r,r,-,-',
        'customers.address,rw+export+approve,r / rw*,r,-,-',
        'customers.address.street,rw+export+approve,r / rw*,r,-,-',
        'customers.address.bcc,rw+export+approve,-,-,-,-',
        'invoices,rw+export+approve,r,rw+approve,-,-',
        'reports,rw+export+approve,-,r+export,r+export,-',
        'profile,rw+export+approve,rw*,rw*,rw*,rw*',
        '',
      ].join('\r\n'),
      stderr: '',
    })
  })

  test('--roles picks and orders the columns; a role with subject types is computed for its first', async () => {
    const result = await runCli(['matrix', 'fixtures/small-v2.yaml', '--roles', 'auditor,support'])
    expect(result).toEqual({
      code: 0,
      stdout: `Rights of a subject holding only the column's role (with what it inherits; default roles not added: self_service).

| resource | auditor | support |
| :-- | :-: | :-: |
| customers | r | r |
| \u00a0\u00a0address | r | rw |
| \u00a0\u00a0\u00a0\u00a0street | r | rw |
| \u00a0\u00a0\u00a0\u00a0bcc | r | - |
| invoices | r | r |
| reports | r | - |
| profile | r | - |

\`rw\` read and write · \`r\` read only · \`-\` no access · \`+action\` a declared action is allowed too

Notes:

- auditor: computed for subject type "staff", the first the role may be given to
`,
      stderr: '',
    })
  })

  test('--type decides every column for that subject type, and says which roles it cannot hold', async () => {
    const result = await runCli([
      'matrix',
      'fixtures/small-v2.yaml',
      '--roles',
      'auditor',
      '--type',
      'customer',
      '--format',
      'md',
    ])
    const nbsp = '\u00a0'
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        "Rights of a subject holding only the column's role (with what it inherits; default roles not added: self_service).",
        '',
        '| resource | auditor |',
        '| :-- | :-: |',
        '| customers | - |',
        `| ${nbsp.repeat(2)}address | - |`,
        `| ${nbsp.repeat(4)}street | - |`,
        `| ${nbsp.repeat(4)}bcc | - |`,
        '| invoices | - |',
        '| reports | - |',
        '| profile | - |',
        '',
        '`rw` read and write · `r` read only · `-` no access · `+action` a declared action is allowed too',
        '',
        'Notes:',
        '',
        '- auditor: "auditor" cannot be given to subject type "customer"',
        '',
      ].join('\n'),
    })
  })

  test('a role that brings a conflicting pair shows as empty, with a note saying why', async () => {
    const result = await runCli([
      'matrix',
      'fixtures/lints.yaml',
      '--roles',
      'teller,clerk',
      '--format',
      'csv',
    ])
    expect(result.stdout).toBe(
      'resource,teller,clerk\r\ninvoices,-,rw\r\nreports,-,-\r\npayroll,-,-\r\nprofile,-,-\r\n',
    )
    const md = await runCli(['matrix', 'fixtures/lints.yaml', '--roles', 'teller'])
    expect(md.stdout).toContain(
      '- teller: holding "teller" denies everything (exclusive-conflict: "clerk" conflicts with "approver")\n',
    )
  })

  test('--scope holds each role in the scope: a role means the same in every scope, so only the caption changes', async () => {
    const global = await runCli(['matrix', 'fixtures/billwerk.yaml'])
    const scoped = await runCli(['matrix', 'fixtures/billwerk.yaml', '--scope', 'team:42'])
    expect(scoped.code).toBe(0)
    expect(scoped.stdout).toBe(
      global.stdout.replace('self_service).\n', 'self_service), in scope "team:42".\n'),
    )
  })

  test('usage errors exit 2 with the usage on stderr', async () => {
    const format = await runCli(['matrix', 'fixtures/small.yaml', '--format', 'pdf'])
    expect(format.code).toBe(2)
    expect(format.stdout).toBe('')
    expect(format.stderr).toMatch(
      /^rolegate matrix: --format must be one of md, html, csv, not "pdf"\n\nUsage: rolegate matrix POLICY/,
    )
    const role = await runCli(['matrix', 'fixtures/small.yaml', '--roles', 'ghost'])
    expect(role.code).toBe(2)
    expect(role.stderr).toMatch(/^rolegate matrix: --roles: Unknown role "ghost"/)
    const missing = await runCli(['matrix'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^rolegate matrix: missing POLICY file\n/)
  })

  test("an invalid policy exits 2 with core's problems on stderr", async () => {
    const result = await runCli(['matrix', 'fixtures/broken.yaml'])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.split('\n').slice(0, 2)).toEqual([
      'fixtures/broken.yaml: policy.owner: unknown key "owner"',
      'fixtures/broken.yaml: policy.resources[2]: duplicate resource "invoices"',
    ])
    expect(result.stderr).toMatch(/the policy is invalid: run rolegate check for details\n$/)
  })
})
