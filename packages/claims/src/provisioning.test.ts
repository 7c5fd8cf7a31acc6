import { createRolegate, definePolicy, UnknownRoleError } from '@rolegate/core'
import { describe, expect, test } from 'vitest'

import { ClaimMappingError } from './errors.js'
import { firstUserOfDomain, teamCreator, type FirstUserInput } from './provisioning.js'

const TENANT = '11111111-1111-1111-1111-111111111111'

describe('firstUserOfDomain', () => {
  const firstUser = firstUserOfDomain({
    role: 'admin',
    domains: {
      'example.com': { connection: 'google', hostedDomain: 'example.com' },
      'contoso.com': { connection: 'entra', tenant: TENANT },
    },
  })
  const google = (claims: Record<string, unknown>, first = true): FirstUserInput => ({
    connection: 'google',
    claims: { email: 'alice@example.com', email_verified: true, hd: 'example.com', ...claims },
    isFirstUserOfDomain: () => first,
  })

  test('grants the role to the first verified user vouched for by the domain’s provider', async () => {
    expect(await firstUser(google({}))).toEqual({
      grant: true,
      role: 'admin',
      domain: 'example.com',
    })
    expect(
      await firstUser({
        connection: 'entra',
        claims: { email: 'bob@Contoso.COM', email_verified: true, tid: TENANT },
        isFirstUserOfDomain: () => Promise.resolve(true),
      }),
    ).toEqual({ grant: true, role: 'admin', domain: 'contoso.com' })
  })

  test.each([
    ['email_verified false', { email_verified: false }, 'email-not-verified', 'example.com'],
    [
      'email_verified "true" (a string)',
      { email_verified: 'true' },
      'email-not-verified',
      'example.com',
    ],
    ['email_verified missing', { email_verified: undefined }, 'email-not-verified', 'example.com'],
    [
      'no hd (a consumer account claiming the domain)',
      { hd: undefined },
      'not-authoritative',
      'example.com',
    ],
    ['another hd', { hd: 'evil.com' }, 'not-authoritative', 'example.com'],
    ['a domain not listed', { email: 'alice@example.org' }, 'domain-not-listed', 'example.org'],
    ['a subdomain', { email: 'alice@sub.example.com' }, 'domain-not-listed', 'sub.example.com'],
    ['a look-alike domain', { email: 'alice@examp1e.com' }, 'domain-not-listed', 'examp1e.com'],
    ['a fullwidth domain', { email: 'alice@ｅxample.com' }, 'invalid-email', undefined],
    ['two @', { email: 'alice@evil.com@example.com' }, 'invalid-email', undefined],
    ['no email', { email: undefined }, 'no-email', undefined],
    ['an email that is not a string', { email: ['alice@example.com'] }, 'no-email', undefined],
  ])('refuses with %s', async (_, claims, reason, domain) => {
    const decision = await firstUser(google(claims))
    expect(decision).toEqual(
      domain === undefined ? { grant: false, reason } : { grant: false, reason, domain },
    )
  })

  // Each of these was granted: only the domain was checked, never the local part.
  test.each([
    ['a quoted local part', '"alice"@example.com'],
    ['a quoted local part holding an @', '"alice@evil.com"@example.com'],
    ['a newline', 'alice\n@example.com'],
    ['a carriage return', 'alice\r@example.com'],
    ['a tab', 'al\tice@example.com'],
    ['a NUL', 'alice\u0000@example.com'],
    ['DEL', 'alice\u007f@example.com'],
    ['a C1 control (NEL)', 'alice\u0085@example.com'],
    ['a space inside', 'al ice@example.com'],
    ['a leading space', ' alice@example.com'],
    ['a trailing space', 'alice@example.com '],
    ['a no-break space', 'alice\u00a0@example.com'],
    ['a zero-width space', 'ali\u200bce@example.com'],
    ['a non-ASCII letter', 'alïce@example.com'],
    ['a leading dot', '.alice@example.com'],
    ['a trailing dot', 'alice.@example.com'],
    ['two dots in a row', 'al..ice@example.com'],
    ['a comment', 'alice(admin)@example.com'],
    ['a backslash', 'al\\ice@example.com'],
    ['angle brackets', '<alice>@example.com'],
    ['a comma', 'alice,bob@example.com'],
    ['an empty local part', '@example.com'],
    ['no @', 'alice.example.com'],
    ['an empty string', ''],
    ['a local part of 65 characters', `${'a'.repeat(65)}@example.com`],
    ['an address of 255 characters', `${'a'.repeat(64)}@${'b'.repeat(178)}.example.com`],
  ])('refuses an email with %s as invalid-email', async (_, email) => {
    expect(await firstUser(google({ email }))).toEqual({ grant: false, reason: 'invalid-email' })
  })

  test.each([
    ['dot-atom specials', "o'brien+billing@example.com"],
    ['every atext character', "a!#$%&'*+/=?^_`{|}~-z@example.com"],
    ['inner dots and an upper-case domain', 'first.m.last@Example.COM'],
    ['a local part of 64 characters', `${'a'.repeat(64)}@example.com`],
  ])('grants with %s in the email', async (_, email) => {
    expect(await firstUser(google({ email }))).toEqual({
      grant: true,
      role: 'admin',
      domain: 'example.com',
    })
  })

  test('judges an address of 254 characters by its domain', async () => {
    const domain = `${'b'.repeat(177)}.example.com`
    expect(await firstUser(google({ email: `${'a'.repeat(64)}@${domain}` }))).toEqual({
      grant: false,
      reason: 'domain-not-listed',
      domain,
    })
  })

  test('refuses a second user, and the domain’s user through another connection', async () => {
    expect(await firstUser(google({}, false))).toEqual({
      grant: false,
      reason: 'not-first-user',
      domain: 'example.com',
    })
    expect(await firstUser({ ...google({}), connection: 'okta' })).toEqual({
      grant: false,
      reason: 'other-connection',
      domain: 'example.com',
    })
  })

  test('refuses an Entra user of another tenant', async () => {
    expect(
      await firstUser({
        connection: 'entra',
        claims: { email: 'bob@contoso.com', email_verified: true, tid: 'other' },
        isFirstUserOfDomain: () => true,
      }),
    ).toEqual({ grant: false, reason: 'not-authoritative', domain: 'contoso.com' })
  })

  test('does not ask whether the user is first until everything else holds', async () => {
    let asked = 0
    await firstUser({
      ...google({ email_verified: false }),
      isFirstUserOfDomain: () => (asked += 1) > 0,
    })
    expect(asked).toBe(0)
  })

  test.each([
    [
      { 'Example.com': { connection: 'g', hostedDomain: 'Example.com' } },
      '"Example.com" is not a lower-case ASCII domain',
    ],
    [
      { 'example.com': { connection: 'g' } },
      '"example.com" needs a connection and one of hostedDomain or tenant',
    ],
    [
      { 'example.com': { connection: 'g', hostedDomain: 'x', tenant: 'y' } },
      'needs a connection and one of hostedDomain or tenant',
    ],
    [{ 'example.com': null }, '"example.com" needs a connection and one of hostedDomain or tenant'],
    [
      { 'example.com': { connection: 'g', hostedDomain: 5 } },
      '"example.com" needs a connection and one of hostedDomain or tenant',
    ],
    [null, 'firstUserOfDomain: "domains" must map domains to their authority'],
    // Authorities that could never vouch for anyone: refused, not kept to grant nothing.
    [
      { 'example.com': { connection: 'g', hostedDomain: 'Example.COM' } },
      'firstUserOfDomain: the hostedDomain of "example.com" ("Example.COM") is not a lower-case ASCII domain, as Google\'s hd claim is',
    ],
    [
      { 'example.com': { connection: 'g', hostedDomain: 'example.com ' } },
      'the hostedDomain of "example.com" ("example.com ") is not a lower-case ASCII domain',
    ],
    [
      { 'example.com': { connection: '', hostedDomain: 'example.com' } },
      'firstUserOfDomain: the connection of "example.com" must be a non-empty string',
    ],
    [
      { 'example.com': { connection: 'g', hostedDomain: 'example.com', tenat: 't' } },
      'Claim mapping: unknown key "tenat" in the authority of "example.com" in firstUserOfDomain (known: connection, hostedDomain, tenant)',
    ],
  ])('refuses malformed domains (%j)', (domains, message) => {
    expect(() => firstUserOfDomain({ role: 'admin', domains: domains as never })).toThrow(message)
  })

  test('checks the role against the policy', () => {
    const rolegate = createRolegate({
      policy: definePolicy({ resources: ['x'], roles: { owner: { superuser: true } } }),
    })
    expect(() => firstUserOfDomain({ role: 'admin', domains: {}, rolegate })).toThrow(
      UnknownRoleError,
    )
    expect(() => firstUserOfDomain({ role: 'owner', domains: {}, rolegate })).not.toThrow()
  })
})

describe('the options of both rules', () => {
  // A misspelt key would be dropped in silence: scopePrefx would leave every scope team:<id>.
  test.each([
    [
      'teamCreator',
      () => teamCreator({ role: 'admin', scopePrefx: 'workspace:' } as never),
      'unknown key "scopePrefx" in the options of teamCreator() (known: role, scopePrefix, rolegate)',
    ],
    [
      'firstUserOfDomain',
      () => firstUserOfDomain({ role: 'admin', domains: {}, domain: {}, rolegat: {} } as never),
      'unknown keys "domain", "rolegat" in the options of firstUserOfDomain() (known: role, domains, rolegate)',
    ],
  ])('%s refuses an unknown key, listing the known ones', (_, make, message) => {
    expect(make).toThrow(new ClaimMappingError(message))
  })

  test.each([
    ['teamCreator', () => teamCreator(null as never)],
    ['firstUserOfDomain', () => firstUserOfDomain('admin' as never)],
  ])('%s refuses options that are not an object', (name, make) => {
    expect(make).toThrow(new ClaimMappingError(`${name}: the options must be an object`))
  })
})

describe('teamCreator', () => {
  test('gives the creator the role in team:<id>', () => {
    const creator = teamCreator({ role: 'admin' })
    expect(creator({ subjectId: 'okta:u1', teamId: '42' })).toEqual({
      subjectId: 'okta:u1',
      role: 'admin',
      scope: 'team:42',
    })
  })

  test('refuses a scope prefix with whitespace at its end or an invisible character', () => {
    expect(() => teamCreator({ role: 'admin', scopePrefix: 'team: ' })).toThrow(
      new ClaimMappingError(
        'teamCreator: "scopePrefix" "team: " has whitespace at its start or end',
      ),
    )
    expect(() => teamCreator({ role: 'admin', scopePrefix: 'team\u200b:' })).toThrow(
      new ClaimMappingError(
        'teamCreator: "scopePrefix" "team\\u200b:" holds a control or invisible character (U+200B)',
      ),
    )
  })

  test('takes another scope prefix, and refuses empty ids', () => {
    const creator = teamCreator({ role: 'admin', scopePrefix: 'workspace:' })
    expect(creator({ subjectId: 'u', teamId: 'w1' }).scope).toBe('workspace:w1')
    expect(() => creator({ subjectId: 'u', teamId: '' })).toThrow(
      'Claim mapping: teamCreator: subjectId and teamId must be non-empty strings',
    )
  })

  // Each of these built a scope that looks like team:42 and is another team's, or none.
  const atEnds = (shown: string) =>
    `teamCreator: teamId "${shown}" has whitespace at its start or end`
  const invisible = (shown: string, code: string) =>
    `teamCreator: teamId "${shown}" holds a control or invisible character (U+${code})`
  test.each([
    ['a trailing space', '42 ', atEnds('42 ')],
    ['a leading space', ' 42', atEnds(' 42')],
    ['a leading tab', '\t42', atEnds('\\t42')],
    ['a trailing no-break space', '42\u00a0', atEnds('42\\u00a0')],
    ['a leading byte order mark', '\ufeff42', atEnds('\\ufeff42')],
    ['a newline', '4\n2', invisible('4\\n2', '000A')],
    ['a NUL', '42\u0000', invisible('42\\u0000', '0000')],
    ['a C1 control (NEL)', '4\u00852', invisible('4\\u00852', '0085')],
    ['a zero-width space', '42\u200b', invisible('42\\u200b', '200B')],
    ['a right-to-left override', '4\u202e2', invisible('4\\u202e2', '202E')],
  ])('refuses a team id with %s', (_, teamId, message) => {
    const creator = teamCreator({ role: 'admin' })
    expect(() => creator({ subjectId: 'u', teamId })).toThrow(new ClaimMappingError(message))
  })

  test('keeps inner spaces and non-ASCII letters of a team id as they are', () => {
    const creator = teamCreator({ role: 'admin' })
    expect(creator({ subjectId: 'u', teamId: 'Équipe 42' }).scope).toBe('team:Équipe 42')
  })

  test('checks the role against the policy', () => {
    const rolegate = createRolegate({
      policy: definePolicy({ resources: ['x'], roles: { owner: { superuser: true } } }),
    })
    expect(() => teamCreator({ role: 'admin', rolegate })).toThrow(
      'Unknown role "admin" in teamCreator: the policy does not declare it',
    )
  })
})
