import { X509Certificate, generateKeyPairSync } from 'node:crypto'

import { SAML, ValidateInResponseTo } from '@node-saml/passport-saml'
import { ClaimMappingError, createClaimMapper } from '@rolegate/claims'
import { samlStrategyOptions } from '@rolegate/claims/passport-saml'
import { beforeAll, describe, expect, test } from 'vitest'

import { buildSamlResponse, testIdpKey } from '../support/saml-idp.js'

const IDP = 'https://idp.rolegate.test'
const SP = 'https://app.rolegate.test/saml'
const ACS = `${SP}/acs`

/** A certificate as an operator might paste it, made from the test IdP's PEM certificate. */
type Form = (pem: string) => string

const der = (pem: string) => new X509Certificate(pem).raw.toString('base64')
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n')
const wrapped = (base64: string) => (base64.match(/.{1,64}/g) ?? []).join('\n')

describe('a SAML connection takes at start-up the certificates node-saml validates a login with', () => {
  let pem: string
  let SAMLResponse: string

  beforeAll(async () => {
    const key = await testIdpKey()
    pem = key.cert
    SAMLResponse = await buildSamlResponse({
      issuer: IDP,
      audience: SP,
      acsUrl: ACS,
      nameId: 'alice',
      sign: 'assertion',
      key,
    })
  })

  /** node-saml's verdict on the signed response with these certificates: the NameID, or its error. */
  async function login(idpCert: string | string[]): Promise<string> {
    const saml = new SAML({
      idpCert,
      callbackUrl: ACS,
      issuer: SP,
      audience: SP,
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.never,
    })
    return saml.validatePostResponseAsync({ SAMLResponse }).then(
      ({ profile }) => String(profile?.nameID),
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    )
  }

  const connection = (certificates: string) => ({
    connections: { idp: { protocol: 'saml' as const, issuer: IDP, certificates, rules: [] } },
  })

  test.each<[string, Form]>([
    ['a PEM certificate', (p) => p],
    ['a PEM certificate with CRLF line ends', (p) => crlf(p)],
    [
      'a PEM certificate on one line between its armour',
      (p) => `-----BEGIN CERTIFICATE-----\n${der(p)}\n-----END CERTIFICATE-----`,
    ],
    ['base64 DER on one line', (p) => der(p)],
    ['base64 DER in lines of 64', (p) => wrapped(der(p))],
  ])('%s is accepted, and validates the login', async (_, form) => {
    const mapper = createClaimMapper(connection(form(pem)))
    const { idpCert } = samlStrategyOptions({ mapper, connection: 'idp' })
    expect(await login(idpCert)).toBe('alice')
  })

  const NOT_READ = 'idpCert is not in PEM format or in base64 format'
  const neither = 'is neither a PEM certificate nor base64 DER as node-saml reads them'
  const publicKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
    type: 'spki',
    format: 'pem',
  }) as string
  test.each<[string, Form, string, string]>([
    ['a placeholder', () => 'not a cert', neither, NOT_READ],
    [
      'a PEM certificate after a blank line',
      (p) => `\n${p}`,
      'has whitespace before or after it, which node-saml does not accept',
      NOT_READ,
    ],
    ['base64 DER with CRLF line breaks', (p) => crlf(wrapped(der(p))), neither, NOT_READ],
    [
      'base64 that is not DER',
      () => 'CERT',
      'does not parse as an X.509 certificate',
      'Invalid signature',
    ],
    [
      'a public key',
      () => publicKey,
      'is a PEM PUBLIC KEY, not a CERTIFICATE',
      'Invalid signature',
    ],
  ])(
    '%s is refused at start-up, as node-saml refuses the login',
    async (_, form, problem, error) => {
      expect(() => createClaimMapper(connection(form(pem)))).toThrow(
        new ClaimMappingError(`"certificates" ${problem}`, { connection: 'idp' }),
      )
      expect(await login(form(pem))).toBe(error)
    },
  )
})
