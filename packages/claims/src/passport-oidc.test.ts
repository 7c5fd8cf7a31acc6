import { describe, expect, test } from 'vitest'

import { createClaimMapper } from './create-claim-mapper.js'
import { oidcVerify, type OidcTokens } from './passport-oidc.js'
import { TEST_CERTIFICATE_A } from './saml-certificates.test-support.js'

const ISS = 'https://tenant.okta.test/oauth2/default'

const mapper = createClaimMapper({
  connections: {
    okta: {
      protocol: 'oidc',
      issuer: ISS,
      subjectType: 'staff',
      rules: [{ id: 'groups', claim: 'groups', map: { 'Billing Admins': 'admin' } }],
      defaultRoles: ['analyst'],
    },
    saml: {
      protocol: 'saml',
      issuer: 'https://idp.test',
      certificates: TEST_CERTIFICATE_A,
      rules: [],
    },
  },
})

const tokens = (claims: Record<string, unknown> | undefined): OidcTokens =>
  ({ access_token: 'at', token_type: 'bearer', claims: () => claims }) as unknown as OidcTokens

/** Calls the verify function and resolves with what it passed to `verified`. */
function run(verify: ReturnType<typeof oidcVerify>, t: OidcTokens): Promise<unknown[]> {
  return new Promise((resolve) => {
    verify(t, (...args: unknown[]) => {
      resolve(args)
    })
  })
}

describe('oidcVerify', () => {
  const verify = oidcVerify({ mapper, connection: 'okta' })

  test('gives Passport a subject named by connection and sub, with the mapping’s trace', async () => {
    const claims = {
      iss: ISS,
      sub: '00u1',
      aud: 'app',
      email: 'alice@example.test',
      email_verified: true,
      groups: ['Billing Admins', 'Everyone'],
    }
    expect(await run(verify, tokens(claims))).toEqual([
      null,
      {
        id: 'okta:00u1',
        type: 'staff',
        roles: ['admin', 'analyst'],
        scoped: {},
        attributes: {
          connection: 'okta',
          issuer: ISS,
          sub: '00u1',
          email: 'alice@example.test',
          emailVerified: true,
        },
        mapping: {
          trace: [
            { role: 'admin', rule: 'groups', claim: 'groups', value: 'Billing Admins' },
            { role: 'analyst', rule: 'defaultRoles' },
          ],
          warnings: [],
        },
      },
    ])
  })

  test('fails the login when the mapping is refused', async () => {
    const claims = { iss: 'https://evil.test', sub: '00u1', groups: ['Billing Admins'] }
    expect(await run(verify, tokens(claims))).toEqual([
      null,
      false,
      { message: 'rolegate: issuer-mismatch' },
    ])
  })

  test('fails the login without an ID token', async () => {
    expect(await run(verify, tokens(undefined))).toEqual([
      null,
      false,
      { message: 'rolegate: the token response has no ID token' },
    ])
  })

  test('keeps email and tenant only when they are strings, email_verified only when boolean', async () => {
    const claims = { iss: ISS, sub: 's', email: ['a@b.c'], email_verified: 'true', tid: 7 }
    const [, user] = await run(verify, tokens(claims))
    expect((user as { attributes: unknown }).attributes).toEqual({
      connection: 'okta',
      issuer: ISS,
      sub: 's',
    })
  })

  test('lets the app add roles after a successful mapping', async () => {
    const provisioned = oidcVerify({
      mapper,
      connection: 'okta',
      provision: (subject, { claims }) => ({
        ...subject,
        scoped: { 'team:1': ['admin'] },
        roles: claims['sub'] === 'boss' ? [...subject.roles, 'owner'] : subject.roles,
      }),
    })
    const [, user] = await run(provisioned, tokens({ iss: ISS, sub: 'boss' }))
    expect(user).toEqual({
      id: 'okta:boss',
      type: 'staff',
      roles: ['analyst', 'owner'],
      scoped: { 'team:1': ['admin'] },
      attributes: { connection: 'okta', issuer: ISS, sub: 'boss' },
      mapping: { trace: [{ role: 'analyst', rule: 'defaultRoles' }], warnings: [] },
    })
  })

  test('passes an error of the provision hook to Passport as an error', async () => {
    const failing = oidcVerify({
      mapper,
      connection: 'okta',
      provision: () => Promise.reject(new Error('store down')),
    })
    const [err, user] = await run(failing, tokens({ iss: ISS, sub: 's' }))
    expect([(err as Error).message, user]).toEqual(['store down', undefined])
  })

  test('refuses a connection that is not OIDC, or unknown, when created', () => {
    expect(() => oidcVerify({ mapper, connection: 'saml' })).toThrow(
      '@rolegate/claims: connection "saml" is not an OIDC connection',
    )
    expect(() => oidcVerify({ mapper, connection: 'nope' })).toThrow(
      'Claim mapping: unknown connection "nope"',
    )
  })
})
