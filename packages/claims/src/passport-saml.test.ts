import type { Profile } from '@node-saml/passport-saml'
import { describe, expect, test } from 'vitest'

import { createClaimMapper } from './create-claim-mapper.js'
import { samlStrategyOptions, samlVerify } from './passport-saml.js'
import { SAML_ATTRIBUTES } from './presets/saml.js'
import { TEST_CERTIFICATE_A, TEST_CERTIFICATE_B } from './saml-certificates.test-support.js'

const IDP = 'https://idp.example.test'

const mapper = createClaimMapper({
  connections: {
    adfs: {
      protocol: 'saml',
      issuer: IDP,
      certificates: [TEST_CERTIFICATE_A, TEST_CERTIFICATE_B],
      rules: [{ id: 'roles', claim: SAML_ATTRIBUTES.role, map: { 'Billing Admins': 'admin' } }],
    },
    single: { protocol: 'saml', issuer: IDP, certificates: TEST_CERTIFICATE_A, rules: [] },
    oidc: { protocol: 'oidc', issuer: IDP, rules: [] },
  },
})

/** A profile as node-saml 5 builds it: attributes copied onto the profile, and the parsed assertion. */
function profile(
  assertionIssuer: string | undefined,
  attributes: Record<string, unknown>,
  nameID = 'alice',
): Profile {
  const issuer = assertionIssuer === undefined ? undefined : [{ _: assertionIssuer }]
  return {
    ...attributes,
    issuer: assertionIssuer ?? (attributes['issuer'] as string),
    nameID,
    nameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    attributes,
    getAssertion: () => ({
      Assertion: { Issuer: issuer, Subject: [nameID === '' ? {} : { NameID: [{ _: nameID }] }] },
    }),
  }
}

function run(p: Profile | null, connection = 'adfs'): Promise<unknown[]> {
  const verify = samlVerify({ mapper, connection })
  return new Promise((resolve) => {
    verify(p, (...args: unknown[]) => {
      resolve(args)
    })
  })
}

describe('samlVerify', () => {
  test('maps the attributes of an assertion from the trusted issuer', async () => {
    const attributes = {
      [SAML_ATTRIBUTES.role]: ['Billing Admins', 'Domain Users'],
      [SAML_ATTRIBUTES.emailAddress]: 'alice@example.test',
      [SAML_ATTRIBUTES.tenantId]: 'tenant-1',
    }
    expect(await run(profile(IDP, attributes))).toEqual([
      null,
      {
        id: 'adfs:alice',
        roles: ['admin'],
        scoped: {},
        attributes: {
          connection: 'adfs',
          issuer: IDP,
          sub: 'alice',
          email: 'alice@example.test',
          tenant: 'tenant-1',
        },
        mapping: {
          trace: [
            { role: 'admin', rule: 'roles', claim: SAML_ATTRIBUTES.role, value: 'Billing Admins' },
          ],
          warnings: [],
        },
      },
    ])
  })

  test('refuses an assertion whose own Issuer is another, even with an attribute named issuer', async () => {
    const attributes = { issuer: IDP, iss: IDP, [SAML_ATTRIBUTES.role]: 'Billing Admins' }
    expect(await run(profile('https://other-idp.test', attributes))).toEqual([
      null,
      undefined,
      { message: 'rolegate: issuer-mismatch' },
    ])
  })

  test('an issuer attribute never stands in for a missing Issuer element', async () => {
    const attributes = { issuer: IDP, [SAML_ATTRIBUTES.role]: 'Billing Admins' }
    expect(await run(profile(undefined, attributes))).toEqual([
      null,
      undefined,
      { message: 'rolegate: issuer-missing' },
    ])
  })

  test('fails without a profile or a NameID', async () => {
    expect(await run(null)).toEqual([null, undefined, { message: 'rolegate: no SAML profile' }])
    expect(await run(profile(IDP, {}, ''))).toEqual([
      null,
      undefined,
      { message: 'rolegate: the assertion has no NameID' },
    ])
  })

  test('refuses a profile whose nameID is not the text of the assertion NameID', async () => {
    // node-saml copies an attribute named nameID onto the profile when it set none itself.
    const p = { ...profile(IDP, {}), nameID: 'victim' }
    expect(await run(p)).toEqual([
      null,
      undefined,
      { message: 'rolegate: the NameID of the assertion is not the one node-saml read' },
    ])
  })

  test('reads only own attributes', async () => {
    const inherited = Object.create({ [SAML_ATTRIBUTES.role]: 'Billing Admins' }) as Record<
      string,
      unknown
    >
    const [, user] = await run(profile(IDP, inherited))
    expect((user as { roles: unknown }).roles).toEqual([])
  })

  test('refuses a connection that is not SAML when created', () => {
    expect(() => samlVerify({ mapper, connection: 'oidc' })).toThrow(
      '@rolegate/claims: connection "oidc" is not a SAML connection',
    )
  })
})

describe('samlStrategyOptions', () => {
  test('takes the trusted issuer and certificates from the connection', () => {
    expect(samlStrategyOptions({ mapper, connection: 'adfs' })).toEqual({
      idpIssuer: IDP,
      idpCert: [TEST_CERTIFICATE_A, TEST_CERTIFICATE_B],
      wantAssertionsSigned: true,
    })
    expect(samlStrategyOptions({ mapper, connection: 'single' })).toEqual({
      idpIssuer: IDP,
      idpCert: TEST_CERTIFICATE_A,
      wantAssertionsSigned: true,
    })
  })
})
