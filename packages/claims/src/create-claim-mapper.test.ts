import { createRolegate, definePolicy, RolegateError, UnknownRoleError } from '@rolegate/core'
import { describe, expect, test } from 'vitest'

import { createClaimMapper, type ClaimInput } from './create-claim-mapper.js'
import type { Connection } from './connections.js'
import type { ClaimRule } from './rules.js'
import { ClaimMappingError } from './errors.js'
import { TEST_CERTIFICATE_A } from './saml-certificates.test-support.js'

const ISS = 'https://sso.example.test/realms/billing'

function mapperWith(connection: Partial<Connection> & Pick<Connection, 'rules'>) {
  return createClaimMapper({
    connections: { sso: { protocol: 'oidc', issuer: ISS, ...connection } as Connection },
  })
}

const idToken = (claims: Record<string, unknown>): ClaimInput => ({
  connection: 'sso',
  kind: 'id_token',
  claims: { iss: ISS, sub: 'u1', ...claims },
})

const groupsRule = { id: 'groups', claim: 'groups', map: { 'billing-admins': 'admin' } }

describe('createClaimMapper: exact allowlist rules', () => {
  test('maps an exact value to its role, with a trace naming the rule, claim and value', async () => {
    const mapper = mapperWith({ rules: [groupsRule] })
    expect(await mapper.map(idToken({ groups: ['billing-admins', 'staff'] }))).toEqual({
      connection: 'sso',
      roles: ['admin'],
      scoped: {},
      trace: [{ role: 'admin', rule: 'groups', claim: 'groups', value: 'billing-admins' }],
      warnings: [],
    })
  })

  test('sorts roles by code point and removes duplicates; the trace keeps each source', async () => {
    const mapper = mapperWith({
      rules: [
        { id: 'a', claim: 'groups', map: { g1: ['read', 'Zeta'], g2: 'read' } },
        { id: 'b', claim: ['realm_access', 'roles'], map: { r1: 'admin' } },
      ],
    })
    const result = await mapper.map(
      idToken({ groups: ['g2', 'g1', 'g1'], realm_access: { roles: ['r1'] } }),
    )
    expect(result.roles).toEqual(['Zeta', 'admin', 'read'])
    expect(result.trace).toEqual([
      { role: 'Zeta', rule: 'a', claim: 'groups', value: 'g1' },
      { role: 'admin', rule: 'b', claim: 'realm_access.roles', value: 'r1' },
      { role: 'read', rule: 'a', claim: 'groups', value: 'g1' },
      { role: 'read', rule: 'a', claim: 'groups', value: 'g2' },
    ])
  })

  test('a single string value counts as one value', async () => {
    const mapper = mapperWith({ rules: [groupsRule] })
    expect((await mapper.map(idToken({ groups: 'billing-admins' }))).roles).toEqual(['admin'])
  })

  test.each([
    ['dotless i', 'admın'],
    ['fullwidth', 'ＡＤＭＩＮ'],
    ['capital', 'Admin'],
    ['upper case', 'ADMIN'],
    ['prefix look-alike', 'superadmin'],
    ['suffix look-alike', 'admins'],
    ['trailing space', 'admin '],
    ['leading space', ' admin'],
    ['zero-width joiner', 'ad\u200dmin'],
    ['Cyrillic a', '\u0430dmin'],
    ['decomposed', 'admi\u006e\u0301'],
  ])('gives nothing for a %s variant of "admin" (%s)', async (_, value) => {
    const mapper = mapperWith({ rules: [{ id: 'r', claim: 'roles', map: { admin: 'admin' } }] })
    expect(await mapper.map(idToken({ roles: [value] }))).toEqual({
      connection: 'sso',
      roles: [],
      scoped: {},
      trace: [],
      warnings: [],
    })
  })

  test('caseInsensitive folds ASCII only: "Admin" matches, fullwidth and dotless i do not', async () => {
    const mapper = mapperWith({
      rules: [{ id: 'r', claim: 'roles', map: { admin: 'admin' }, caseInsensitive: true }],
    })
    const rolesOf = async (value: string) => (await mapper.map(idToken({ roles: [value] }))).roles
    expect(await rolesOf('Admin')).toEqual(['admin'])
    expect(await rolesOf('ADMIN')).toEqual(['admin'])
    expect(await rolesOf('ＡＤＭＩＮ')).toEqual([])
    expect(await rolesOf('admın')).toEqual([])
    expect(await rolesOf('ADMİN')).toEqual([])
    expect(await rolesOf('superAdmin')).toEqual([])
  })

  test('the trace of a case-insensitive match shows the value as the provider sent it', async () => {
    const mapper = mapperWith({
      rules: [{ id: 'r', claim: 'roles', map: { Admin: 'admin' }, caseInsensitive: true }],
    })
    expect((await mapper.map(idToken({ roles: ['ADMIN'] }))).trace).toEqual([
      { role: 'admin', rule: 'r', claim: 'roles', value: 'ADMIN' },
    ])
  })

  test('an unmapped value gives nothing: no fall-through to a role of the same name', async () => {
    const mapper = mapperWith({ rules: [groupsRule] })
    const result = await mapper.map(idToken({ groups: ['admin', 'read'] }))
    expect([result.roles, result.warnings, result.rejection]).toEqual([[], [], undefined])
  })

  test('a space-delimited string splits only where the rule says so', async () => {
    const split = mapperWith({
      rules: [{ id: 's', claim: 'scope', split: 'space', map: { 'billing:admin': 'admin' } }],
    })
    const whole = mapperWith({
      rules: [{ id: 's', claim: 'scope', map: { 'billing:admin': 'admin' } }],
    })
    const claims = idToken({ scope: 'openid  billing:admin profile' })
    expect((await split.map(claims)).roles).toEqual(['admin'])
    expect((await whole.map(claims)).roles).toEqual([])
  })

  test('a comma split trims nothing', async () => {
    const mapper = mapperWith({
      rules: [{ id: 'c', claim: 'roles', split: ',', map: { admin: 'admin', read: 'read' } }],
    })
    expect((await mapper.map(idToken({ roles: 'read, admin' }))).roles).toEqual(['read'])
    expect((await mapper.map(idToken({ roles: 'read,admin' }))).roles).toEqual(['admin', 'read'])
  })

  test('array items are never split', async () => {
    const mapper = mapperWith({
      rules: [{ id: 's', claim: 'scope', split: 'space', map: { admin: 'admin' } }],
    })
    expect((await mapper.map(idToken({ scope: ['read admin'] }))).roles).toEqual([])
  })

  test('reads URI-named, colon-named and nested claims', async () => {
    const mapper = mapperWith({
      rules: [
        { id: 'uri', claim: 'https://example.com/roles', map: { a: 'a' } },
        { id: 'cognito', claim: 'cognito:groups', map: { b: 'b' } },
        { id: 'client', claim: ['resource_access', 'billing-app', 'roles'], map: { c: 'c' } },
      ],
    })
    const claims = idToken({
      'https://example.com/roles': ['a'],
      'cognito:groups': ['b'],
      resource_access: { 'billing-app': { roles: ['c'] }, other: { roles: ['a', 'b', 'c'] } },
    })
    expect((await mapper.map(claims)).roles).toEqual(['a', 'b', 'c'])
  })

  test('a mapped value may give a role in a scope', async () => {
    const mapper = mapperWith({
      rules: [
        {
          id: 'g',
          claim: 'groups',
          map: { 'team-42-admins': { role: 'admin', scope: 'team:42' } },
        },
      ],
    })
    const result = await mapper.map(idToken({ groups: ['team-42-admins'] }))
    expect([result.roles, result.scoped]).toEqual([[], { 'team:42': ['admin'] }])
  })
})

describe('createClaimMapper: scope rules', () => {
  const teams = {
    id: 'teams',
    claim: 'teams',
    scopes: { prefix: 'team:', roles: ['standard', 'member'] },
  }

  test('a claim listing teams becomes team:<id> scopes with the rule roles, sorted', async () => {
    const mapper = mapperWith({ rules: [teams] })
    const result = await mapper.map(idToken({ teams: ['42', '7'] }))
    expect(result).toEqual({
      connection: 'sso',
      roles: [],
      scoped: { 'team:42': ['member', 'standard'], 'team:7': ['member', 'standard'] },
      trace: [
        { role: 'member', scope: 'team:42', rule: 'teams', claim: 'teams', value: '42' },
        { role: 'standard', scope: 'team:42', rule: 'teams', claim: 'teams', value: '42' },
        { role: 'member', scope: 'team:7', rule: 'teams', claim: 'teams', value: '7' },
        { role: 'standard', scope: 'team:7', rule: 'teams', claim: 'teams', value: '7' },
      ],
      warnings: [],
    })
  })

  test('values outside the pattern make no scope and warn once', async () => {
    const mapper = mapperWith({ rules: [teams] })
    const result = await mapper.map(idToken({ teams: ['42', '../1', '', '__proto__x/', '1 2'] }))
    expect(result.scoped).toEqual({ 'team:42': ['member', 'standard'] })
    expect(result.warnings).toEqual([
      {
        code: 'scope-value-refused',
        rule: 'teams',
        claim: 'teams',
        message: '"" and 3 more: not valid scope id(s)',
      },
    ])
  })

  test('a custom pattern must match the whole value even without anchors', async () => {
    const mapper = mapperWith({
      rules: [{ ...teams, scopes: { prefix: 'team:', roles: ['member'], pattern: /[0-9]+/ } }],
    })
    const result = await mapper.map(idToken({ teams: ['42', 'x42', '42x'] }))
    expect(Object.keys(result.scoped)).toEqual(['team:42'])
  })

  test('values every user has make no scope and are not unmapped, unless the rule allows them', async () => {
    const universal = ['Everyone', 'offline_access', 'default-roles-billing', 'Domain Users']
    const claims = idToken({ teams: [...universal, 'eng'] })
    const strict = mapperWith({ onUnmapped: 'reject', rules: [teams] })
    expect(await strict.map(claims)).toEqual({
      connection: 'sso',
      roles: [],
      scoped: { 'team:eng': ['member', 'standard'] },
      trace: [
        { role: 'member', scope: 'team:eng', rule: 'teams', claim: 'teams', value: 'eng' },
        { role: 'standard', scope: 'team:eng', rule: 'teams', claim: 'teams', value: 'eng' },
      ],
      warnings: [],
    })
    const allowed = mapperWith({ rules: [{ ...teams, allowUniversalValues: true }] })
    // 'Domain Users' is no valid scope id; being a value every user has, it still does not warn.
    expect(Object.keys((await allowed.map(claims)).scoped)).toEqual([
      'team:Everyone',
      'team:default-roles-billing',
      'team:eng',
      'team:offline_access',
    ])
  })

  test('caseInsensitive compares only: the scope is the value as sent, and the pattern tests it', async () => {
    const mapper = mapperWith({
      rules: [
        { ...teams, caseInsensitive: true, scopes: { prefix: 'team:', roles: ['member'] } },
        {
          id: 'lower',
          claim: 'projects',
          caseInsensitive: true,
          scopes: { prefix: 'project:', roles: ['member'], pattern: /[a-z]+/ },
        },
      ],
    })
    const result = await mapper.map(
      idToken({ teams: ['ABC', 'abc', 'EVERYONE'], projects: ['Billing', 'billing'] }),
    )
    expect([result.scoped, result.warnings]).toEqual([
      { 'project:billing': ['member'], 'team:ABC': ['member'], 'team:abc': ['member'] },
      [
        {
          code: 'scope-value-refused',
          rule: 'lower',
          claim: 'projects',
          message: '"Billing": not valid scope id(s)',
        },
      ],
    ])
  })

  test('a scope named __proto__ is plain data', async () => {
    const mapper = mapperWith({
      rules: [
        { id: 't', claim: 'teams', scopes: { prefix: 't', roles: ['member'], pattern: /.+/ } },
      ],
    })
    const result = await mapper.map(idToken({ teams: ['his'] }))
    expect(Object.getPrototypeOf(result.scoped)).toBe(Object.prototype)
    expect(result.scoped).toEqual({ this: ['member'] })
  })
})

describe('createClaimMapper: value shapes', () => {
  const mapper = mapperWith({ rules: [groupsRule] })

  test.each([
    ['a number', 42, 'number'],
    ['an object', { 'billing-admins': true }, 'object'],
    ['null', null, 'null'],
    ['a boolean', true, 'boolean'],
  ])('ignores a claim that is %s, with a warning', async (_, value, shape) => {
    expect(await mapper.map(idToken({ groups: value }))).toEqual({
      connection: 'sso',
      roles: [],
      scoped: {},
      trace: [],
      warnings: [
        {
          code: 'unsupported-shape',
          rule: 'groups',
          claim: 'groups',
          message: `claim is ${shape}, not a string or an array`,
        },
      ],
    })
  })

  // realm_access: "x" is as wrong as realm_access.roles: 42, and must not pass 'reject' in silence.
  const client: ClaimRule = {
    id: 'client',
    claim: ['resource_access', 'app', 'roles'],
    map: { viewer: 'read' },
  }

  test.each([
    ['an array', { resource_access: ['viewer'] }, 'resource_access', 'array', 'app'],
    ['a string', { resource_access: 'viewer' }, 'resource_access', 'string', 'app'],
    ['null', { resource_access: { app: null } }, 'resource_access.app', 'null', 'roles'],
    ['a number', { resource_access: { app: 7 } }, 'resource_access.app', 'number', 'roles'],
  ])(
    'warns of a step in the middle of the path that is %s, and rejects under reject',
    async (_, claims, step, shape, next) => {
      const warning = {
        code: 'unsupported-shape',
        rule: 'client',
        claim: 'resource_access.app.roles',
        message: `claim "${step}" is ${shape}, not an object holding "${next}"`,
      }
      const lenient = await mapperWith({ rules: [client] }).map(idToken(claims))
      const strict = await mapperWith({ onUnmapped: 'reject', rules: [client] }).map(
        idToken(claims),
      )
      expect([lenient.roles, lenient.warnings, lenient.rejection]).toEqual([
        [],
        [warning],
        undefined,
      ])
      expect([strict.warnings, strict.rejection]).toEqual([
        [warning],
        { code: 'unmapped-value', message: 'the rules left 1 warning(s)' },
      ])
    },
  )

  test('a path whose steps are missing gives nothing and no warning', async () => {
    const strict = mapperWith({ onUnmapped: 'reject', rules: [client] })
    for (const claims of [{}, { resource_access: {} }, { resource_access: { other: 1 } }]) {
      expect(await strict.map(idToken(claims))).toEqual({
        connection: 'sso',
        roles: [],
        scoped: {},
        trace: [],
        warnings: [],
      })
    }
  })

  test('ignores non-string items (numbers, objects, nested arrays, holes) with one warning', async () => {
    // eslint-disable-next-line no-sparse-arrays
    const groups = [42, { name: 'billing-admins' }, ['billing-admins'], null, , true]
    expect(await mapper.map(idToken({ groups }))).toEqual({
      connection: 'sso',
      roles: [],
      scoped: {},
      trace: [],
      warnings: [
        {
          code: 'non-string-values',
          rule: 'groups',
          claim: 'groups',
          message: '6 value(s) not strings were ignored',
        },
      ],
    })
  })

  test('string items beside ignored ones still map', async () => {
    const result = await mapper.map(idToken({ groups: [1, 'billing-admins'] }))
    expect([result.roles, result.warnings.map((w) => w.code)]).toEqual([
      ['admin'],
      ['non-string-values'],
    ])
  })

  test('a huge array gives nothing from its rule, warns, and is not read item by item', async () => {
    const groups: unknown[] = new Array(1_000_001)
    let reads = 0
    Object.defineProperty(groups, 0, { get: () => (reads++, 'billing-admins'), enumerable: true })
    const result = await mapper.map(idToken({ groups }))
    expect(reads).toBe(0)
    expect(result).toEqual({
      connection: 'sso',
      roles: [],
      scoped: {},
      trace: [],
      warnings: [
        {
          code: 'too-many-values',
          rule: 'groups',
          claim: 'groups',
          message: 'claim has 1000001 values, more than 1000: the rule gives nothing',
        },
      ],
    })
  })

  test('the limit applies to split tokens too, and other rules still map', async () => {
    const limited = mapperWith({
      maxValues: 3,
      rules: [
        { id: 's', claim: 'scope', split: 'space', map: { a: 'a' } },
        { id: 'g', claim: 'groups', map: { 'billing-admins': 'admin' } },
      ],
    })
    const result = await limited.map(idToken({ scope: 'a b c d', groups: ['billing-admins'] }))
    expect([result.roles, result.warnings]).toEqual([
      ['admin'],
      [
        {
          code: 'too-many-values',
          rule: 's',
          claim: 'scope',
          message: 'claim has 4 values, more than 3: the rule gives nothing',
        },
      ],
    ])
  })

  test('a rule may set its own limit', async () => {
    const limited = mapperWith({ rules: [{ ...groupsRule, maxValues: 2 }] })
    const result = await limited.map(idToken({ groups: ['x', 'y', 'billing-admins'] }))
    expect(result.roles).toEqual([])
  })
})

describe('createClaimMapper: no prototype reads', () => {
  const mapper = mapperWith({
    rules: [
      groupsRule,
      { id: 'ctor', claim: ['constructor', 'name'], map: { Object: 'admin' } },
      { id: 'proto', claim: ['__proto__', 'groups'], map: { 'billing-admins': 'admin' } },
      { id: 'tostring', claim: 'toString', map: { x: 'admin' } },
    ],
  })

  test('inherited claims give nothing', async () => {
    const claims: Record<string, unknown> = Object.create({ groups: ['billing-admins'] }) as Record<
      string,
      unknown
    >
    Object.assign(claims, { iss: ISS, sub: 'u1' })
    const result = await mapper.map({ connection: 'sso', kind: 'id_token', claims })
    expect([result.roles, result.warnings]).toEqual([[], []])
  })

  test('constructor, toString and a JSON __proto__ key give nothing unless the claims own them', async () => {
    const claims: unknown = JSON.parse(
      `{"iss":"${ISS}","sub":"u1","__proto__":{"groups":["billing-admins"]}}`,
    )
    const result = await mapper.map({ connection: 'sso', kind: 'id_token', claims })
    // The JSON key is an own property: the rule that names it reads it, the others see nothing.
    expect(result.trace).toEqual([
      { role: 'admin', rule: 'proto', claim: '__proto__.groups', value: 'billing-admins' },
    ])
  })

  test('a value named __proto__ or constructor matches only a rule key of that name', async () => {
    const result = await mapper.map(idToken({ groups: ['__proto__', 'constructor', 'toString'] }))
    expect([result.roles, result.warnings]).toEqual([[], []])
  })
})

describe('createClaimMapper: issuer, tenant and audience', () => {
  test('refuses claims from another issuer', async () => {
    const mapper = mapperWith({ rules: [groupsRule], defaultRoles: ['analyst'] })
    const result = await mapper.map({
      connection: 'sso',
      kind: 'id_token',
      claims: { iss: 'https://evil.example.test/realms/billing', groups: ['billing-admins'] },
    })
    expect(result).toEqual({
      connection: 'sso',
      roles: [],
      scoped: {},
      trace: [],
      warnings: [],
      rejection: { code: 'issuer-mismatch', message: 'the issuer is not the one "sso" trusts' },
    })
  })

  test('compares the issuer exactly: a trailing slash is another issuer', async () => {
    const mapper = mapperWith({ rules: [groupsRule] })
    const result = await mapper.map({ ...idToken({}), claims: { iss: `${ISS}/` } })
    expect(result.rejection?.code).toBe('issuer-mismatch')
  })

  test('refuses a token without iss, and userinfo or SAML without an issuer', async () => {
    const mapper = mapperWith({ rules: [groupsRule] })
    const noIss = await mapper.map({ connection: 'sso', kind: 'id_token', claims: { sub: 'u' } })
    const userinfo = await mapper.map({ connection: 'sso', kind: 'userinfo', claims: {} })
    expect([noIss.rejection, userinfo.rejection]).toEqual([
      { code: 'issuer-missing', message: 'the id_token has no "iss" claim' },
      { code: 'issuer-missing', message: 'no issuer was given for the userinfo' },
    ])
  })

  test('never trusts the iss of a userinfo response alone: the issuer must be given', async () => {
    const mapper = mapperWith({ rules: [groupsRule] })
    const result = await mapper.map({
      connection: 'sso',
      kind: 'userinfo',
      claims: { iss: ISS, sub: 'u1', groups: ['billing-admins'] },
    })
    expect(result).toEqual({
      connection: 'sso',
      roles: [],
      scoped: {},
      trace: [],
      warnings: [],
      rejection: { code: 'issuer-missing', message: 'no issuer was given for the userinfo' },
    })
  })

  test('maps userinfo with the issuer of its ID token', async () => {
    const mapper = mapperWith({ rules: [groupsRule] })
    const ok = await mapper.map({
      connection: 'sso',
      kind: 'userinfo',
      issuer: ISS,
      claims: { sub: 'u1', groups: ['billing-admins'] },
    })
    const disagree = await mapper.map({
      connection: 'sso',
      kind: 'userinfo',
      issuer: ISS,
      claims: { iss: 'https://other.test', groups: ['billing-admins'] },
    })
    expect([ok.roles, disagree.rejection?.code]).toEqual([['admin'], 'issuer-mismatch'])
  })

  const entra = createClaimMapper({
    connections: {
      entra: {
        protocol: 'oidc',
        issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
        tenants: ['11111111-1111-1111-1111-111111111111'],
        rules: [{ id: 'roles', claim: 'roles', map: { 'Billing.Admin': 'admin' } }],
      },
    },
  })
  const entraToken = (tid: unknown, iss: string) => ({
    connection: 'entra',
    kind: 'id_token' as const,
    claims: { iss, tid, roles: ['Billing.Admin'] },
  })
  const tenant = '11111111-1111-1111-1111-111111111111'
  const other = '22222222-2222-2222-2222-222222222222'

  test('a multi-tenant issuer admits a listed tenant with its own issuer', async () => {
    const result = await entra.map(
      entraToken(tenant, `https://login.microsoftonline.com/${tenant}/v2.0`),
    )
    expect(result.roles).toEqual(['admin'])
  })

  test.each([
    [
      'another tenant',
      other,
      `https://login.microsoftonline.com/${other}/v2.0`,
      'tenant-not-allowed',
    ],
    ['no tid', undefined, `https://login.microsoftonline.com/${tenant}/v2.0`, 'tenant-not-allowed'],
    [
      'a tid that is not a string',
      [tenant],
      `https://login.microsoftonline.com/${tenant}/v2.0`,
      'tenant-not-allowed',
    ],
    [
      'a listed tid with another tenant issuer',
      tenant,
      `https://login.microsoftonline.com/${other}/v2.0`,
      'issuer-mismatch',
    ],
    [
      'a listed tid with the template as issuer',
      tenant,
      'https://login.microsoftonline.com/{tenantid}/v2.0',
      'issuer-mismatch',
    ],
  ])('refuses %s', async (_, tid, iss, code) => {
    const result = await entra.map(entraToken(tid, iss))
    expect([result.roles, result.rejection?.code]).toEqual([[], code])
  })

  test('checks aud when the connection names an audience', async () => {
    const mapper = mapperWith({ rules: [groupsRule], audience: 'billing-api' })
    const result = async (aud: unknown) =>
      (await mapper.map(idToken({ aud, groups: ['billing-admins'] }))).rejection?.code
    expect(await result('billing-api')).toBeUndefined()
    expect(await result(['other', 'billing-api'])).toBeUndefined()
    expect(await result('other-api')).toBe('audience-mismatch')
    expect(await result(undefined)).toBe('audience-mismatch')
    expect(await result(['billing-api-x'])).toBe('audience-mismatch')
  })

  test('refuses claims that are not an object', async () => {
    const mapper = mapperWith({ rules: [groupsRule] })
    const result = await mapper.map({ connection: 'sso', kind: 'id_token', claims: ['x'] })
    expect(result.rejection).toEqual({
      code: 'invalid-claims',
      message: 'claims must be an object',
    })
  })

  test('throws for an unknown connection or a kind of the other protocol', async () => {
    const mapper = mapperWith({ rules: [groupsRule] })
    await expect(mapper.map({ connection: 'nope', kind: 'id_token', claims: {} })).rejects.toThrow(
      'Claim mapping: unknown connection "nope"',
    )
    await expect(
      mapper.map({ connection: 'sso', kind: 'saml_assertion', claims: {}, issuer: ISS }),
    ).rejects.toThrow(
      'Claim mapping: connection "sso": kind "saml_assertion" is not one of a oidc connection',
    )
  })
})

describe('createClaimMapper: default roles and overage', () => {
  test('a default role is given only when configured', async () => {
    const without = mapperWith({ rules: [groupsRule] })
    const withDefault = mapperWith({ rules: [groupsRule], defaultRoles: ['analyst'] })
    expect((await without.map(idToken({}))).roles).toEqual([])
    expect((await withDefault.map(idToken({}))).trace).toEqual([
      { role: 'analyst', rule: 'defaultRoles' },
    ])
  })

  const overage = {
    _claim_names: { groups: 'src1' },
    _claim_sources: {
      src1: { endpoint: 'https://graph.microsoft.com/v1.0/users/u1/getMemberObjects' },
    },
  }

  test('a groups overage refuses the mapping, default role included', async () => {
    const mapper = mapperWith({ rules: [groupsRule], defaultRoles: ['analyst'] })
    expect(await mapper.map(idToken(overage))).toEqual({
      connection: 'sso',
      roles: [],
      scoped: {},
      trace: [],
      warnings: [],
      rejection: {
        code: 'overage',
        message: 'the provider left "groups" out (overage) and no resolver supplied it',
      },
    })
  })

  test('hasgroups: true is an overage too, even with a groups claim present', async () => {
    const mapper = mapperWith({ rules: [groupsRule] })
    const result = await mapper.map(idToken({ hasgroups: true, groups: ['billing-admins'] }))
    expect(result.rejection?.code).toBe('overage')
  })

  test('any hasgroups but false is the marker; false is none', async () => {
    const mapper = mapperWith({ rules: [groupsRule] })
    for (const hasgroups of ['True', 1, 'yes', {}]) {
      const result = await mapper.map(idToken({ hasgroups, groups: ['billing-admins'] }))
      expect(result.rejection?.code).toBe('overage')
    }
    for (const hasgroups of [false, 'false']) {
      const result = await mapper.map(idToken({ hasgroups, groups: ['billing-admins'] }))
      expect(result.rejection).toBeUndefined()
    }
  })

  test('a malformed _claim_names counts as an overage of every claim', async () => {
    const mapper = mapperWith({ rules: [groupsRule] })
    const result = await mapper.map(idToken({ _claim_names: 'groups', groups: ['billing-admins'] }))
    expect(result.rejection?.code).toBe('overage')
  })

  test('an overage on a claim no rule reads, without default roles, only warns', async () => {
    const mapper = mapperWith({ rules: [{ id: 'r', claim: 'roles', map: { x: 'admin' } }] })
    const result = await mapper.map(idToken({ ...overage, roles: ['x'] }))
    expect([result.roles, result.warnings]).toEqual([
      ['admin'],
      [{ code: 'overage-ignored', claim: 'groups', message: 'overage on a claim no rule reads' }],
    ])
  })

  test('a resolver supplies the left-out values, and is told what was left out', async () => {
    const requests: unknown[] = []
    const mapper = mapperWith({
      rules: [groupsRule],
      defaultRoles: ['analyst'],
      resolveOverage: (request) => {
        requests.push(request)
        return Promise.resolve(['billing-admins', 'x'])
      },
    })
    const claims = idToken(overage)
    const result = await mapper.map(claims)
    expect(requests).toEqual([
      { connection: 'sso', kind: 'id_token', claim: 'groups', claims: claims.claims },
    ])
    expect([result.roles, result.warnings]).toEqual([
      ['admin', 'analyst'],
      [{ code: 'overage-resolved', claim: 'groups', message: '2 value(s) from the resolver' }],
    ])
  })

  test.each([
    ['throws', () => Promise.reject(new Error('graph down'))],
    ['returns numbers', () => Promise.resolve([1, 2] as unknown as string[])],
    ['returns a string', () => Promise.resolve('billing-admins' as unknown as string[])],
  ])('refuses when the resolver %s', async (_, resolveOverage) => {
    const mapper = mapperWith({ rules: [groupsRule], resolveOverage })
    const result = await mapper.map(idToken(overage))
    expect([result.roles, result.rejection?.code]).toEqual([[], 'overage-resolver-failed'])
  })

  test('SAML groups.link is an overage of the groups attribute', async () => {
    const groupsUri = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups'
    const mapper = createClaimMapper({
      connections: {
        idp: {
          protocol: 'saml',
          issuer: 'https://sts.windows.net/t/',
          certificates: TEST_CERTIFICATE_A,
          rules: [{ id: 'g', claim: groupsUri, map: { gid: 'admin' } }],
        },
      },
    })
    const result = await mapper.map({
      connection: 'idp',
      kind: 'saml_assertion',
      issuer: 'https://sts.windows.net/t/',
      claims: {
        'http://schemas.microsoft.com/claims/groups.link': 'https://graph…',
        [groupsUri]: 'gid',
      },
    })
    expect(result.rejection?.code).toBe('overage')
  })
})

describe('createClaimMapper: onUnmapped', () => {
  const strict = mapperWith({
    onUnmapped: 'reject',
    rules: [
      {
        id: 'g',
        claim: 'groups',
        map: { 'billing-admins': 'admin', Everyone: 'read' },
        allowUniversalValues: true,
      },
    ],
  })
  const strictOkta = mapperWith({ onUnmapped: 'reject', rules: [groupsRule] })

  test('rejects a value that maps to nothing', async () => {
    const result = await strictOkta.map(idToken({ groups: ['billing-admins', 'unknown'] }))
    expect(result).toEqual({
      connection: 'sso',
      roles: [],
      scoped: {},
      trace: [],
      warnings: [],
      rejection: {
        code: 'unmapped-value',
        message: 'claim "groups" has 1 value(s) that no rule maps',
      },
    })
  })

  // "A value that no rule maps": rules reading the same claim are judged together, not one by one.
  const billing = mapperWith({
    onUnmapped: 'reject',
    rules: [
      { id: 'admins', claim: 'groups', map: { 'billing-admins': 'admin' } },
      { id: 'readers', claim: ['groups'], map: { 'billing-readers': 'read' } },
      {
        id: 'teams',
        claim: 'groups',
        scopes: { prefix: 'team:', roles: ['member'], pattern: /t-\d+/ },
      },
      { id: 'realm', claim: ['realm_access', 'roles'], map: { viewer: 'read' } },
    ],
  })

  test('a value one rule leaves is mapped when another rule on the same claim maps it', async () => {
    const result = await billing.map(
      idToken({
        groups: ['billing-admins', 'billing-readers', 't-7'],
        realm_access: { roles: ['viewer'] },
      }),
    )
    expect(result).toEqual({
      connection: 'sso',
      roles: ['admin', 'read'],
      scoped: { 'team:t-7': ['member'] },
      trace: [
        { role: 'admin', rule: 'admins', claim: 'groups', value: 'billing-admins' },
        { role: 'read', rule: 'readers', claim: 'groups', value: 'billing-readers' },
        { role: 'read', rule: 'realm', claim: 'realm_access.roles', value: 'viewer' },
        { role: 'member', scope: 'team:t-7', rule: 'teams', claim: 'groups', value: 't-7' },
      ],
      warnings: [],
    })
  })

  test('rejects a value no rule on its claim maps, naming the claim; other claims do not vouch for it', async () => {
    const result = await billing.map(
      idToken({
        groups: ['billing-admins', 'viewer', 'other'],
        realm_access: { roles: ['viewer'] },
      }),
    )
    expect([result.roles, result.rejection]).toEqual([
      [],
      {
        code: 'unmapped-value',
        message: 'claim "groups" has 2 value(s) that no rule maps; the rules left 1 warning(s)',
      },
    ])
  })

  test('a value only the scope rule refuses warns when no other rule maps it, and rejects', async () => {
    const result = await billing.map(idToken({ groups: ['billing-admins', 'x/y'] }))
    expect([result.warnings, result.rejection]).toEqual([
      [
        {
          code: 'scope-value-refused',
          rule: 'teams',
          claim: 'groups',
          message: '"x/y": not valid scope id(s)',
        },
      ],
      {
        code: 'unmapped-value',
        message: 'claim "groups" has 1 value(s) that no rule maps; the rules left 1 warning(s)',
      },
    ])
  })

  test('values every user has never count as unmapped', async () => {
    const result = await strictOkta.map(
      idToken({
        groups: ['billing-admins', 'Everyone', 'offline_access', 'default-roles-billing'],
      }),
    )
    expect([result.roles, result.rejection]).toEqual([['admin'], undefined])
  })

  test('a universal value maps when the rule explicitly allows it', async () => {
    expect((await strict.map(idToken({ groups: ['Everyone'] }))).roles).toEqual(['read'])
  })

  test('rejects non-string items and unsupported shapes too', async () => {
    const items = await strictOkta.map(idToken({ groups: ['billing-admins', 7] }))
    const shape = await strictOkta.map(idToken({ groups: 7 }))
    expect([items.rejection?.code, shape.rejection?.code]).toEqual([
      'unmapped-value',
      'unmapped-value',
    ])
  })
})

describe('createClaimMapper: checked when created', () => {
  const policy = definePolicy({
    resources: ['invoices'],
    roles: { admin: { superuser: true }, analyst: { grants: { invoices: 'read' } } },
  })
  const rolegate = createRolegate({ policy })
  const connection = (extra: Partial<Connection>): Connection =>
    ({ protocol: 'oidc', issuer: ISS, rules: [], ...extra }) as Connection

  test('throws UnknownRoleError naming the connection and rule for a role the policy lacks', () => {
    const create = () =>
      createClaimMapper({
        rolegate,
        connections: {
          sso: connection({
            rules: [{ id: 'g', claim: 'groups', map: { x: ['admin', 'finance'] } }],
          }),
        },
      })
    expect(create).toThrow(UnknownRoleError)
    expect(create).toThrow(
      'Unknown role "finance" in claim mapping connection "sso", rule "g": the policy does not declare it',
    )
  })

  test('checks default roles and scope-rule roles as well', () => {
    expect(() =>
      createClaimMapper({
        rolegate,
        connections: { sso: connection({ defaultRoles: ['analysts'] }) },
      }),
    ).toThrow('Unknown role "analysts" in claim mapping connection "sso", rule "defaultRoles"')
    expect(() =>
      createClaimMapper({
        rolegate,
        connections: {
          sso: connection({
            rules: [{ id: 't', claim: 'teams', scopes: { prefix: 'team:', roles: ['lead'] } }],
          }),
        },
      }),
    ).toThrow('Unknown role "lead" in claim mapping connection "sso", rule "t"')
  })

  test('accepts roles the policy declares', () => {
    const mapper = createClaimMapper({
      rolegate,
      connections: { sso: connection({ rules: [groupsRule], defaultRoles: ['analyst'] }) },
    })
    expect(mapper.connections).toEqual(['sso'])
  })

  test.each([
    [{ issuer: '' }, 'connection "sso": "issuer" must be a non-empty string'],
    [{ protocol: 'ldap' }, 'connection "sso": "protocol" must be "oidc" or "saml"'],
    [
      { issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' },
      'connection "sso": an issuer with "{tenantid}" needs "tenants": the tenants allowed to log in',
    ],
    [{ tenants: [] }, 'connection "sso": "tenants" must list non-empty strings'],
    [{ onUnmapped: 'warn' }, 'connection "sso": "onUnmapped" must be "ignore" or "reject"'],
    [{ maxValues: 0 }, 'connection "sso": "maxValues" must be a positive integer'],
    // null is not "use the default": it is refused as any other wrong value is.
    [{ maxValues: null }, 'connection "sso": "maxValues" must be a positive integer'],
    [
      { rules: [{ claim: 'g', map: { a: 'a' }, maxValues: null }] },
      'connection "sso", rule "rules[0]": "maxValues" must be a positive integer',
    ],
    [
      { rules: [{ claim: 'realm_access.roles', map: { a: 'a' } }] },
      'connection "sso", rule "rules[0]": claim "realm_access.roles" is ambiguous: write ["realm_access","roles"] for a nested claim, or ["realm_access.roles"] for a top-level claim of that name',
    ],
    [
      { rules: [{ claim: [], map: { a: 'a' } }] },
      'rule "rules[0]": "claim" segments must be non-empty strings',
    ],
    [{ rules: [{ claim: 'g', map: {} }] }, 'rule "rules[0]": "map" is empty'],
    [{ rules: [{ claim: 'g' }] }, 'rule "rules[0]": a rule has either "map" or "scopes"'],
    [
      { rules: [{ claim: 'g', map: { a: '' } }] },
      'rule "rules[0]": "map" for "a" must name a role or { role, scope }',
    ],
    [{ rules: [{ claim: 'g', map: { a: [] } }] }, 'rule "rules[0]": "map" gives no role for "a"'],
    [
      { rules: [{ claim: 'g', map: { Admin: 'a', admin: 'b' }, caseInsensitive: true }] },
      'rule "rules[0]": "map" has "admin" twice once case is ignored',
    ],
    [
      { rules: [{ claim: 'g', map: { Everyone: 'a' } }] },
      'rule "rules[0]": "Everyone" is a value every user has; it is never a role signal',
    ],
    [
      { rules: [{ claim: 'g', map: { EVERYONE: 'a' }, caseInsensitive: true }] },
      '"EVERYONE" is a value every user has',
    ],
    [
      { rules: [{ claim: 'g', map: { 'default-roles-billing': 'a' } }] },
      '"default-roles-billing" is a value every user has',
    ],
    [
      { rules: [{ claim: 'g', map: { offline_access: 'a' } }] },
      '"offline_access" is a value every user has',
    ],
    [{ rules: [{ claim: 'g', map: { a: 'a' }, split: 'tab' }] }, '"split" must be "space" or ","'],
    [
      { rules: [{ claim: 'g', scopes: { prefix: '', roles: ['a'] } }] },
      '"scopes.prefix" must be a non-empty string',
    ],
    [
      { rules: [{ claim: 'g', scopes: { prefix: 't:', roles: ['a'], pattern: /x/g } }] },
      '"scopes.pattern" may not use the g, y or m flags',
    ],
    [
      {
        rules: [
          { id: 'x', claim: 'a', map: { a: 'a' } },
          { id: 'x', claim: 'b', map: { b: 'b' } },
        ],
      },
      'connection "sso": two rules have the id "x"',
    ],
    // A misspelt key is refused, never dropped: "audiance" would leave the audience unchecked.
    [
      { audiance: 'app' },
      'connection "sso": unknown key "audiance" in an OIDC connection (known: protocol, issuer, rules, defaultRoles, onUnmapped, maxValues, tenants, resolveOverage, subjectType, audience)',
    ],
    [
      { onUnmaped: 'reject', tenant: ['t'] },
      'unknown keys "onUnmaped", "tenant" in an OIDC connection',
    ],
    [{ certificates: 'CERT' }, 'unknown key "certificates" in an OIDC connection'],
    [
      { rules: [{ claim: 'g', map: { a: 'a' }, caseInsensitve: true }] },
      'rule "rules[0]": unknown key "caseInsensitve" in a rule',
    ],
    [
      { rules: [{ claim: 'g', map: { a: 'a' }, caseInsensitive: 'yes' }] },
      'rule "rules[0]": "caseInsensitive" must be true or false',
    ],
    [{ rules: [{ id: 5, claim: 'g', map: { a: 'a' } }] }, '"id" must be a non-empty string'],
    [
      { rules: [{ claim: 'g', map: { a: { role: 'a', scope: 's', extra: 1 } } }] },
      'rule "rules[0]": unknown key "extra" in the "map" target of "a" (known: role, scope)',
    ],
    [
      { rules: [{ claim: 'g', scopes: { prefix: 't:', roles: ['a'], patern: /x/ } }] },
      'rule "rules[0]": unknown key "patern" in "scopes" (known: prefix, roles, pattern)',
    ],
    [{ rules: [null] }, 'connection "sso", rule "rules[0]": must be an object'],
  ])('refuses a malformed connection (%j)', (extra, message) => {
    const create = () =>
      createClaimMapper({ connections: { sso: connection(extra as Partial<Connection>) } })
    expect(create).toThrow(ClaimMappingError)
    expect(create).toThrow(message)
  })

  test.each([null, 0, 2.5])('refuses the mapper-wide maxValues %j, naming no connection', (max) => {
    const create = () =>
      createClaimMapper({ maxValues: max as number, connections: { sso: connection({}) } })
    expect(create).toThrow(new ClaimMappingError('"maxValues" must be a positive integer'))
  })

  test('its errors carry the core code and where they are', () => {
    try {
      createClaimMapper({ connections: { 'bad name': connection({}) } })
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(RolegateError)
      expect(err).toMatchObject({
        code: 'ERR_ROLEGATE_CLAIM_MAPPING',
        connection: 'bad name',
        rule: undefined,
        message:
          'Claim mapping: connection "bad name": names are letters, digits, ".", "_" and "-"',
      })
    }
  })

  test('every problem is listed, in every connection and rule, each with where it is', () => {
    const create = () =>
      createClaimMapper({
        connections: {
          a: connection({ issuer: 5 as unknown as string }),
          sso: connection({
            rules: [
              { claim: 'g', map: {} },
              { id: 'ok', claim: 'h', map: { h: 'h' } },
              { claim: 'i', map: { i: 'i' }, split: 'tab' } as unknown as ClaimRule,
            ],
          }),
        },
      })
    expect(create).toThrow(
      [
        'Claim mapping: 3 problems:',
        '  - connection "a": "issuer" must be a non-empty string',
        '  - connection "sso", rule "rules[0]": "map" is empty',
        '  - connection "sso", rule "rules[2]": "split" must be "space" or ","',
      ].join('\n'),
    )
  })

  test("every problem of one connection is listed too, its rules' beside its own fields", () => {
    const create = () =>
      createClaimMapper({
        connections: {
          idp: {
            protocol: 'saml',
            issuer: '',
            certificates: ['not a certificate'],
            rules: [{ claim: 'g', map: {} }],
            onUnmapped: 'drop',
            audiance: 'x',
          } as unknown as Connection,
        },
      })
    expect(create).toThrow(
      [
        'Claim mapping: 5 problems:',
        '  - connection "idp": unknown key "audiance" in an SAML connection (known: protocol, issuer, rules, defaultRoles, onUnmapped, maxValues, tenants, resolveOverage, subjectType, certificates)',
        '  - connection "idp": "issuer" must be a non-empty string',
        '  - connection "idp", rule "rules[0]": "map" is empty',
        '  - connection "idp": "onUnmapped" must be "ignore" or "reject"',
        '  - connection "idp": "certificates[0]" is neither a PEM certificate nor base64 DER as node-saml reads them',
      ].join('\n'),
    )
  })

  test('a SAML connection needs certificates', () => {
    expect(() =>
      createClaimMapper({
        connections: { idp: { protocol: 'saml', issuer: 'x', rules: [] } as unknown as Connection },
      }),
    ).toThrow('Claim mapping: connection "idp": a SAML connection needs "certificates"')
  })
})
