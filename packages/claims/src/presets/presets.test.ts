import { describe, expect, test } from 'vitest'

import { createClaimMapper } from '../create-claim-mapper.js'
import { ClaimMappingError } from '../errors.js'
import type { ClaimRule } from '../rules.js'
import { adfs } from './adfs.js'
import { auth0 } from './auth0.js'
import { cognito } from './cognito.js'
import { eduPerson } from './edu-person.js'
import { ENTRA_ISSUER_TEMPLATE, entraId, entraIdSaml } from './entra.js'
import { googleWorkspace } from './google-workspace.js'
import { keycloak } from './keycloak.js'
import { okta } from './okta.js'
import { SAML_ATTRIBUTES, samlAttribute } from './saml.js'
import { TEST_CERTIFICATE_A } from '../saml-certificates.test-support.js'

const ISS = 'https://idp.example.test'

/** Maps a token shaped like the provider's through the preset's rules. */
async function rolesFrom(
  rules: readonly ClaimRule[],
  claims: Record<string, unknown>,
  protocol: 'oidc' | 'saml' = 'oidc',
) {
  const mapper = createClaimMapper({
    connections: {
      idp:
        protocol === 'oidc'
          ? { protocol, issuer: ISS, rules }
          : { protocol, issuer: ISS, certificates: TEST_CERTIFICATE_A, rules },
    },
  })
  const result = await mapper.map(
    protocol === 'oidc'
      ? { connection: 'idp', kind: 'id_token', claims: { iss: ISS, ...claims } }
      : { connection: 'idp', kind: 'saml_assertion', issuer: ISS, claims },
  )
  return { roles: result.roles, scoped: result.scoped, rules: result.trace.map((t) => t.rule) }
}

describe('keycloak', () => {
  const rules = keycloak({
    realmRoles: { 'billing-admin': 'admin' },
    clientRoles: { 'billing-app': { viewer: 'read' } },
    groups: { '/billing/finance': 'finance' },
  })

  test('returns rules on realm roles, each client’s roles and groups', () => {
    expect(rules).toEqual([
      {
        id: 'keycloak.realm-roles',
        claim: ['realm_access', 'roles'],
        map: { 'billing-admin': 'admin' },
      },
      {
        id: 'keycloak.client-roles.billing-app',
        claim: ['resource_access', 'billing-app', 'roles'],
        map: { viewer: 'read' },
      },
      { id: 'keycloak.groups', claim: 'groups', map: { '/billing/finance': 'finance' } },
    ])
  })

  test('maps a Keycloak-shaped token; another client’s roles and the default realm roles give nothing', async () => {
    expect(
      await rolesFrom(rules, {
        realm_access: {
          roles: ['billing-admin', 'offline_access', 'uma_authorization', 'default-roles-billing'],
        },
        resource_access: {
          'billing-app': { roles: ['viewer'] },
          account: { roles: ['viewer', 'manage-account'] },
        },
        groups: ['/billing/finance', '/billing'],
      }),
    ).toEqual({
      roles: ['admin', 'finance', 'read'],
      scoped: {},
      rules: ['keycloak.realm-roles', 'keycloak.groups', 'keycloak.client-roles.billing-app'],
    })
  })

  test('gives no rule for what was not asked for', () => {
    expect(keycloak({ groups: { '/billing': 'read' } }).map((rule) => rule.id)).toEqual([
      'keycloak.groups',
    ])
  })

  test.each([
    [
      { realmRoles: undefined },
      'keycloak: "realmRoles" is undefined: give it a map or leave it out',
    ],
    [
      { clientRoles: { 'billing-app': undefined } },
      'keycloak: "clientRoles" gives client "billing-app" undefined: give it a map or leave it out',
    ],
    [
      { clientRoles: ['billing-app'] },
      'keycloak: "clientRoles" must map client ids to their role maps',
    ],
    [
      { clientRoles: {} },
      'keycloak: the options make no rule: give one of "realmRoles", "clientRoles", "groups"',
    ],
  ])('refuses a client or a map it cannot use (%j)', (options, message) => {
    expect(() => keycloak(options as never)).toThrow(new ClaimMappingError(message))
  })

  test('refuses offline_access as a role signal', () => {
    expect(() =>
      createClaimMapper({
        connections: {
          kc: {
            protocol: 'oidc',
            issuer: ISS,
            rules: keycloak({ realmRoles: { offline_access: 'read' } }),
          },
        },
      }),
    ).toThrow('rule "keycloak.realm-roles": "offline_access" is a value every user has')
  })
})

describe('Entra ID', () => {
  const gid = '5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b'

  test('OIDC: rules on groups (object ids) and app roles', async () => {
    const rules = entraId({ groups: { [gid]: 'finance' }, appRoles: { 'Billing.Admin': 'admin' } })
    expect(rules).toEqual([
      { id: 'entra.groups', claim: 'groups', map: { [gid]: 'finance' } },
      { id: 'entra.app-roles', claim: 'roles', map: { 'Billing.Admin': 'admin' } },
    ])
    expect(
      await rolesFrom(rules, { groups: [gid.toUpperCase(), 'other'], roles: ['Billing.Admin'] }),
    ).toEqual({
      roles: ['admin'],
      scoped: {},
      rules: ['entra.app-roles'],
    })
  })

  test('SAML: rules on the groups and role claim URIs', async () => {
    const rules = entraIdSaml({
      groups: { [gid]: 'finance' },
      appRoles: { 'Billing.Admin': 'admin' },
    })
    expect(rules).toEqual([
      { id: 'entra-saml.groups', claim: SAML_ATTRIBUTES.groups, map: { [gid]: 'finance' } },
      {
        id: 'entra-saml.app-roles',
        claim: SAML_ATTRIBUTES.role,
        map: { 'Billing.Admin': 'admin' },
      },
    ])
    expect(
      await rolesFrom(
        rules,
        { [SAML_ATTRIBUTES.groups]: gid, [SAML_ATTRIBUTES.role]: ['Billing.Admin'] },
        'saml',
      ),
    ).toEqual({
      roles: ['admin', 'finance'],
      scoped: {},
      rules: ['entra-saml.app-roles', 'entra-saml.groups'],
    })
  })

  test('the multi-tenant issuer template is the v2.0 one', () => {
    expect(ENTRA_ISSUER_TEMPLATE).toBe('https://login.microsoftonline.com/{tenantid}/v2.0')
  })
})

describe('okta', () => {
  test('maps the groups claim, or a renamed one; Everyone is never mapped', async () => {
    const rules = okta({ groups: { 'Billing Admins': 'admin' } })
    expect(rules).toEqual([
      { id: 'okta.groups', claim: 'groups', map: { 'Billing Admins': 'admin' } },
    ])
    expect(okta({ groups: { a: 'b' }, claim: 'okta_groups' })[0]?.claim).toBe('okta_groups')
    expect(
      await rolesFrom(rules, { groups: ['Everyone', 'Billing Admins', 'billing admins'] }),
    ).toEqual({
      roles: ['admin'],
      scoped: {},
      rules: ['okta.groups'],
    })
    expect(() =>
      createClaimMapper({
        connections: {
          o: { protocol: 'oidc', issuer: ISS, rules: okta({ groups: { Everyone: 'read' } }) },
        },
      }),
    ).toThrow('"Everyone" is a value every user has; it is never a role signal')
  })
})

describe('auth0', () => {
  test('reads roles under the namespace and RBAC permissions', async () => {
    const rules = auth0({
      namespace: 'https://billing.example.com/',
      roles: { admin: 'admin' },
      permissions: { 'read:invoices': 'read' },
    })
    expect(rules).toEqual([
      { id: 'auth0.roles', claim: 'https://billing.example.com/roles', map: { admin: 'admin' } },
      { id: 'auth0.permissions', claim: 'permissions', map: { 'read:invoices': 'read' } },
    ])
    expect(
      await rolesFrom(rules, {
        'https://billing.example.com/roles': ['admin'],
        'https://other.example.com/roles': ['admin'],
        roles: ['admin'],
        permissions: ['read:invoices', 'write:invoices'],
      }),
    ).toEqual({ roles: ['admin', 'read'], scoped: {}, rules: ['auth0.roles', 'auth0.permissions'] })
  })

  test.each(['billing.example.com/', 'https://billing.example.com', 'urn:billing:', 'https:///'])(
    'refuses the namespace %s',
    (namespace) => {
      expect(() => auth0({ namespace, roles: { a: 'a' } })).toThrow(
        `auth0: namespace "${namespace}" must be an http(s) URL ending in "/"`,
      )
    },
  )
})

describe('cognito', () => {
  test('reads cognito:groups only', async () => {
    const rules = cognito({ groups: { 'billing-admins': 'admin' } })
    expect(rules).toEqual([
      { id: 'cognito.groups', claim: 'cognito:groups', map: { 'billing-admins': 'admin' } },
    ])
    expect(
      await rolesFrom(rules, { 'cognito:groups': ['billing-admins'], groups: ['billing-admins'] }),
    ).toEqual({ roles: ['admin'], scoped: {}, rules: ['cognito.groups'] })
    expect(await rolesFrom(rules, { groups: ['billing-admins'] })).toEqual({
      roles: [],
      scoped: {},
      rules: [],
    })
  })
})

describe('googleWorkspace', () => {
  test('maps the hosted domain; a consumer account without hd gets nothing', async () => {
    const rules = googleWorkspace({ hostedDomains: { 'example.com': 'analyst' } })
    expect(rules).toEqual([
      { id: 'google.hosted-domain', claim: 'hd', map: { 'example.com': 'analyst' } },
    ])
    expect((await rolesFrom(rules, { hd: 'example.com' })).roles).toEqual(['analyst'])
    expect((await rolesFrom(rules, { hd: 'sub.example.com' })).roles).toEqual([])
    expect((await rolesFrom(rules, { email: 'a@example.com' })).roles).toEqual([])
  })

  test('adds a groups rule on the named claim', () => {
    expect(
      googleWorkspace({ groups: { 'admins@example.com': 'admin' }, groupsClaim: 'google_groups' }),
    ).toEqual([
      { id: 'google.groups', claim: 'google_groups', map: { 'admins@example.com': 'admin' } },
    ])
  })
})

describe('adfs', () => {
  test('reads the role and Group claim types', async () => {
    const rules = adfs({ roles: { 'Billing Admins': 'admin' }, groups: { Finance: 'finance' } })
    expect(rules).toEqual([
      {
        id: 'adfs.roles',
        claim: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
        map: { 'Billing Admins': 'admin' },
      },
      {
        id: 'adfs.groups',
        claim: 'http://schemas.xmlsoap.org/claims/Group',
        map: { Finance: 'finance' },
      },
    ])
    expect(
      await rolesFrom(
        rules,
        {
          [SAML_ATTRIBUTES.role]: ['Billing Admins', 'Domain Users'],
          [SAML_ATTRIBUTES.group]: 'Finance',
        },
        'saml',
      ),
    ).toEqual({ roles: ['admin', 'finance'], scoped: {}, rules: ['adfs.roles', 'adfs.groups'] })
  })
})

describe('eduPerson', () => {
  test('reads entitlement, affiliation and scoped affiliation by OID', async () => {
    const rules = eduPerson({
      entitlements: { 'urn:mace:example.edu:billing:admin': 'admin' },
      affiliations: { staff: 'read' },
      scopedAffiliations: { 'faculty@example.edu': 'analyst' },
    })
    expect(rules.map((r) => [r.id, r.claim])).toEqual([
      ['edu-person.entitlement', 'urn:oid:1.3.6.1.4.1.5923.1.1.1.7'],
      ['edu-person.affiliation', 'urn:oid:1.3.6.1.4.1.5923.1.1.1.1'],
      ['edu-person.scoped-affiliation', 'urn:oid:1.3.6.1.4.1.5923.1.1.1.9'],
    ])
    expect(
      await rolesFrom(
        rules,
        {
          'urn:oid:1.3.6.1.4.1.5923.1.1.1.7': [
            'urn:mace:example.edu:billing:admin',
            'urn:mace:example.edu:billing',
          ],
          'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': ['member', 'student'],
          'urn:oid:1.3.6.1.4.1.5923.1.1.1.9': 'faculty@other.edu',
        },
        'saml',
      ),
    ).toEqual({ roles: ['admin'], scoped: {}, rules: ['edu-person.entitlement'] })
  })
})

describe('samlAttribute', () => {
  test('a rule on any attribute name, taken literally even with dots', async () => {
    const rules = samlAttribute({ attribute: 'user.role', map: { admin: 'admin' } })
    expect(rules).toEqual([{ id: 'saml.user.role', claim: ['user.role'], map: { admin: 'admin' } }])
    expect(
      (await rolesFrom(rules, { 'user.role': 'admin', user: { role: 'admin' } }, 'saml')).roles,
    ).toEqual(['admin'])
  })
})

describe('every preset', () => {
  const NS = 'https://billing.example.com/'
  // A misspelt key would make no rule, and the connection would map nothing, in silence.
  test.each([
    [
      'keycloak',
      () => keycloak({ realmroles: {} } as never),
      'realmroles',
      'realmRoles, clientRoles, groups',
    ],
    ['entraId', () => entraId({ group: {} } as never), 'group', 'groups, appRoles'],
    ['entraIdSaml', () => entraIdSaml({ approles: {} } as never), 'approles', 'groups, appRoles'],
    ['okta', () => okta({ groups: {}, claims: 'g' } as never), 'claims', 'groups, claim'],
    [
      'auth0',
      () => auth0({ namespace: NS, role: {} } as never),
      'role',
      'namespace, roles, permissions',
    ],
    ['cognito', () => cognito({ group: {} } as never), 'group', 'groups'],
    [
      'googleWorkspace',
      () => googleWorkspace({ hostedDomain: {} } as never),
      'hostedDomain',
      'hostedDomains, groups, groupsClaim',
    ],
    ['adfs', () => adfs({ role: {} } as never), 'role', 'roles, groups'],
    [
      'eduPerson',
      () => eduPerson({ entitlement: {} } as never),
      'entitlement',
      'entitlements, affiliations, scopedAffiliations',
    ],
    [
      'samlAttribute',
      () => samlAttribute({ attribute: 'Role', maps: {} } as never),
      'maps',
      'attribute, map',
    ],
  ])('%s refuses an unknown key, listing the known ones', (preset, call, key, known) => {
    expect(call).toThrow(
      new ClaimMappingError(`unknown key "${key}" in the options of ${preset}() (known: ${known})`),
    )
  })

  test.each([
    [() => keycloak({}), 'keycloak', 'one of "realmRoles", "clientRoles", "groups"'],
    [() => entraId({}), 'entraId', 'one of "groups", "appRoles"'],
    [() => entraIdSaml({}), 'entraIdSaml', 'one of "groups", "appRoles"'],
    [() => okta({} as never), 'okta', '"groups"'],
    [() => auth0({ namespace: NS }), 'auth0', 'one of "roles", "permissions"'],
    [() => cognito({} as never), 'cognito', '"groups"'],
    [() => googleWorkspace({}), 'googleWorkspace', 'one of "hostedDomains", "groups"'],
    [() => adfs({}), 'adfs', 'one of "roles", "groups"'],
    [
      () => eduPerson({}),
      'eduPerson',
      'one of "entitlements", "affiliations", "scopedAffiliations"',
    ],
    [() => samlAttribute({ attribute: 'Role' } as never), 'samlAttribute', '"map"'],
  ])('refuses options that make no rule (%#: %s)', (call, preset, give) => {
    expect(call).toThrow(new ClaimMappingError(`${preset}: the options make no rule: give ${give}`))
  })

  test.each([
    [() => okta({ groups: undefined } as never), 'okta: "groups" is undefined'],
    [
      () => entraId({ groups: { g: 'finance' }, appRoles: undefined } as never),
      'entraId: "appRoles" is undefined',
    ],
    [() => adfs({ roles: undefined } as never), 'adfs: "roles" is undefined'],
  ])('refuses a map given as undefined (%#)', (call, message) => {
    expect(call).toThrow(new ClaimMappingError(`${message}: give it a map or leave it out`))
  })

  test('googleWorkspace refuses a groupsClaim without groups: it would read nothing', () => {
    expect(() =>
      googleWorkspace({
        hostedDomains: { 'example.com': 'analyst' },
        groupsClaim: 'google_groups',
      }),
    ).toThrow(new ClaimMappingError('googleWorkspace: "groupsClaim" is given without "groups"'))
  })
})
