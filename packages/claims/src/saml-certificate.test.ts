import { generateKeyPairSync, X509Certificate } from 'node:crypto'

import { describe, expect, test } from 'vitest'

import { createClaimMapper } from './create-claim-mapper.js'
import type { SamlConnection } from './connections.js'
import { ClaimMappingError } from './errors.js'
import { samlStrategyOptions } from './passport-saml.js'
import { TEST_CERTIFICATE_A, TEST_CERTIFICATE_B } from './saml-certificates.test-support.js'

const saml = (certificates: SamlConnection['certificates']): SamlConnection => ({
  protocol: 'saml',
  issuer: 'https://idp.example.test',
  certificates,
  rules: [],
})

const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
  type: 'spki',
  format: 'pem',
}) as string
/** The certificate's base64 DER body as a PEM file holds it: lines of 64 and a final newline. */
const body = TEST_CERTIFICATE_A.replace(/-----(BEGIN|END) CERTIFICATE-----\n/g, '')
const der = new X509Certificate(TEST_CERTIFICATE_A).raw.toString('base64')

describe('SAML connection certificates', () => {
  // Each of these was accepted at start-up, and node-saml refused every login with it.
  const neither = 'is neither a PEM certificate nor base64 DER as node-saml reads them'
  const spaced = 'has whitespace before or after it, which node-saml does not accept'
  const truncated = `${TEST_CERTIFICATE_A.slice(0, 200)}\n-----END CERTIFICATE-----\n`
  test.each([
    ['a placeholder', 'not a cert', neither],
    ['base64 that is not DER', 'CERT', 'does not parse as an X.509 certificate'],
    ['a public key', publicKey, 'is a PEM PUBLIC KEY, not a CERTIFICATE'],
    ['a truncated PEM', truncated, 'does not parse as an X.509 certificate'],
    ['a PEM after a blank line', `\n${TEST_CERTIFICATE_A}`, spaced],
    ['base64 DER after a space', ` ${der}`, spaced],
    ['base64 DER with CRLF line breaks', body.replace(/\n/g, '\r\n'), neither],
    ['base64 DER with spaces for line breaks', body.replace(/\n/g, ' '), neither],
  ])('refuses %s at start-up', (_, certificate, problem) => {
    expect(() => createClaimMapper({ connections: { idp: saml(certificate) } })).toThrow(
      new ClaimMappingError(`"certificates" ${problem}`, { connection: 'idp' }),
    )
  })

  test('lists every bad certificate with its connection and index', () => {
    let error: unknown
    try {
      createClaimMapper({
        connections: {
          adfs: saml(['CERT', TEST_CERTIFICATE_A, 'CERT-B']),
          entra: saml('not a cert'),
          okta: saml([TEST_CERTIFICATE_B]),
        },
      })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ClaimMappingError)
    expect((error as ClaimMappingError).problems).toEqual([
      'connection "adfs": "certificates[0]" does not parse as an X.509 certificate',
      `connection "adfs": "certificates[2]" ${neither}`,
      `connection "entra": "certificates" ${neither}`,
    ])
  })

  test('accepts the forms node-saml reads, and passes them on as given', () => {
    const forms = [
      TEST_CERTIFICATE_A,
      TEST_CERTIFICATE_A.replace(/\n/g, '\r\n'),
      `-----BEGIN CERTIFICATE-----\n${der}\n-----END CERTIFICATE-----`,
      der,
      body.trimEnd(),
    ]
    const mapper = createClaimMapper({ connections: { idp: saml(forms) } })
    expect(samlStrategyOptions({ mapper, connection: 'idp' }).idpCert).toEqual(forms)
  })
})
