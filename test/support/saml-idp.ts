import { randomUUID } from 'node:crypto'

import { generate } from 'selfsigned'
import { SignedXml } from 'xml-crypto'

/** An IdP signing key: a PKCS#8 PEM private key and its self-signed X.509 certificate (PEM). */
export interface SamlSigningKey {
  readonly privateKey: string
  readonly cert: string
}

/** Which elements {@link buildSamlResponse} signs. */
export type SamlSignTarget = 'assertion' | 'response' | 'both' | 'none'

/** Options of {@link buildSamlResponse}. */
export interface SamlResponseOptions {
  /** The IdP's entity id, in the Response's and the Assertion's `Issuer`. */
  readonly issuer: string
  /** The SP's entity id, in the Assertion's `AudienceRestriction`. */
  readonly audience: string
  /** The SP's ACS URL: the Response's `Destination` and the subject confirmation's `Recipient`. */
  readonly acsUrl: string
  /** The AuthnRequest ID this answers. @defaultValue none (IdP-initiated) */
  readonly inResponseTo?: string
  /** The Subject's NameID; `null` leaves the element out (an assertion rolegate must refuse). */
  readonly nameId: string | null
  /** @defaultValue `'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'` */
  readonly nameIdFormat?: string
  /**
   * Attribute name to value or values. A name with a colon (a URI or URN) gets the `uri` name
   * format, others `basic`. An array gives one `AttributeValue` per item.
   * @defaultValue `{}`
   */
  readonly attributes?: Readonly<Record<string, string | readonly string[]>>
  /**
   * Attributes in order, where a name may come twice (as a careless or hostile IdP may send it):
   * written after `attributes`.
   * @defaultValue `[]`
   */
  readonly attributeList?: readonly (readonly [string, string | readonly string[]])[]
  /** `Conditions`' `NotBefore`. @defaultValue one minute ago */
  readonly notBefore?: Date
  /** `Conditions`' and the subject confirmation's `NotOnOrAfter`. @defaultValue in five minutes */
  readonly notOnOrAfter?: Date
  readonly sign: SamlSignTarget
  /** @defaultValue {@link testIdpKey}'s key */
  readonly key?: SamlSigningKey
}

const NS_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol'
const NS_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion'
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#'
const RESPONSE_XPATH = `/*[local-name(.)='Response' and namespace-uri(.)='${NS_PROTOCOL}']`
const ASSERTION_XPATH = `${RESPONSE_XPATH}/*[local-name(.)='Assertion' and namespace-uri(.)='${NS_ASSERTION}']`

let defaultKey: Promise<SamlSigningKey> | undefined

/**
 * Generates an RSA-2048 key and a self-signed SHA-256 certificate for it (with `selfsigned`,
 * pure JS, about 0.2 s).
 */
export async function generateSigningKey(
  commonName = 'rolegate-test-idp',
): Promise<SamlSigningKey> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
  })
  return { privateKey: pems.private, cert: pems.cert }
}

/** The key {@link buildSamlResponse} signs with by default: made once per test process. */
export function testIdpKey(): Promise<SamlSigningKey> {
  defaultKey ??= generateSigningKey()
  return defaultKey
}

/**
 * Builds a SAML 2.0 `Response` with one bearer `Assertion`, signed with xml-crypto (RSA-SHA256,
 * SHA-256 digest, exclusive c14n, enveloped signature placed after `Issuer`), and returns it
 * base64-encoded as the HTTP-POST binding's `SAMLResponse` field carries it.
 *
 * @example
 * ```ts
 * const SAMLResponse = await buildSamlResponse({
 *   issuer: 'https://idp.example.test', audience: 'https://sp.example.test', acsUrl,
 *   nameId: 'alice@example.test', attributes: { groups: ['billing-admins'] }, sign: 'assertion',
 * })
 * ```
 */
export async function buildSamlResponse(options: SamlResponseOptions): Promise<string> {
  const key = options.key ?? (await testIdpKey())
  const xml = signSamlXml(responseXml(options), options.sign, key)
  return Buffer.from(xml, 'utf8').toString('base64')
}

/** Signs the `Response`, its `Assertion`, or both (assertion first) of a SAML response document. */
export function signSamlXml(xml: string, sign: SamlSignTarget, key: SamlSigningKey): string {
  let signed = xml
  if (sign === 'assertion' || sign === 'both') signed = signElement(signed, ASSERTION_XPATH, key)
  if (sign === 'response' || sign === 'both') signed = signElement(signed, RESPONSE_XPATH, key)
  return signed
}

/** Decodes a base64 `SAMLResponse` to its XML. */
export function decodeSamlResponse(samlResponse: string): string {
  return Buffer.from(samlResponse, 'base64').toString('utf8')
}

/**
 * Replaces the values of one attribute in an already signed response, leaving its signatures as
 * they were: what an attacker who edits a captured response sends.
 *
 * @throws Error when the response has no attribute of that name.
 */
export function tamperSamlAttribute(
  samlResponse: string,
  name: string,
  values: string | readonly string[],
): string {
  const xml = decodeSamlResponse(samlResponse)
  const pattern = new RegExp(
    `(<saml:Attribute Name="${escapeRegExp(escapeXml(name))}"[^>]*>).*?(</saml:Attribute>)`,
  )
  if (!pattern.test(xml)) throw new Error(`no attribute ${name} in the response`)
  const tampered = xml.replace(
    pattern,
    (_, open: string, close: string) => open + attributeValues(values) + close,
  )
  return Buffer.from(tampered, 'utf8').toString('base64')
}

function signElement(xml: string, xpath: string, key: SamlSigningKey): string {
  const sig = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: EXC_C14N,
  })
  sig.addReference({
    xpath,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXC_C14N],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  })
  // The SAML schema puts ds:Signature right after the element's Issuer.
  const issuer = `${xpath}/*[local-name(.)='Issuer' and namespace-uri(.)='${NS_ASSERTION}']`
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: issuer, action: 'after' } })
  return sig.getSignedXml()
}

function responseXml(options: SamlResponseOptions): string {
  const now = new Date()
  const notBefore = options.notBefore ?? new Date(now.getTime() - 60_000)
  const notOnOrAfter = options.notOnOrAfter ?? new Date(now.getTime() + 300_000)
  const inResponseTo =
    options.inResponseTo === undefined ? '' : ` InResponseTo="${escapeXml(options.inResponseTo)}"`
  const issuer = `<saml:Issuer>${escapeXml(options.issuer)}</saml:Issuer>`
  const format = options.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'
  return [
    `<samlp:Response xmlns:samlp="${NS_PROTOCOL}" xmlns:saml="${NS_ASSERTION}" ID="_${randomUUID()}"`,
    ` Version="2.0" IssueInstant="${now.toISOString()}" Destination="${escapeXml(options.acsUrl)}"${inResponseTo}>`,
    issuer,
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>`,
    `<saml:Assertion xmlns:saml="${NS_ASSERTION}" ID="_${randomUUID()}" Version="2.0" IssueInstant="${now.toISOString()}">`,
    issuer,
    `<saml:Subject>`,
    options.nameId === null
      ? ''
      : `<saml:NameID Format="${escapeXml(format)}">${escapeXml(options.nameId)}</saml:NameID>`,
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">`,
    `<saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter.toISOString()}"`,
    ` Recipient="${escapeXml(options.acsUrl)}"${inResponseTo}/></saml:SubjectConfirmation></saml:Subject>`,
    `<saml:Conditions NotBefore="${notBefore.toISOString()}" NotOnOrAfter="${notOnOrAfter.toISOString()}">`,
    `<saml:AudienceRestriction><saml:Audience>${escapeXml(options.audience)}</saml:Audience>`,
    `</saml:AudienceRestriction></saml:Conditions>`,
    `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="_${randomUUID()}">`,
    `<saml:AuthnContext><saml:AuthnContextClassRef>`,
    `urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport`,
    `</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
    attributeStatement([
      ...Object.entries(options.attributes ?? {}),
      ...(options.attributeList ?? []),
    ]),
    `</saml:Assertion></samlp:Response>`,
  ].join('')
}

function attributeStatement(
  entries: readonly (readonly [string, string | readonly string[]])[],
): string {
  if (entries.length === 0) return ''
  const body = entries.map(([name, values]) => {
    const format = name.includes(':') ? 'uri' : 'basic'
    return (
      `<saml:Attribute Name="${escapeXml(name)}"` +
      ` NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:${format}">` +
      `${attributeValues(values)}</saml:Attribute>`
    )
  })
  return `<saml:AttributeStatement>${body.join('')}</saml:AttributeStatement>`
}

function attributeValues(values: string | readonly string[]): string {
  const list: readonly string[] = typeof values === 'string' ? [values] : values
  return list
    .map((value) => `<saml:AttributeValue>${escapeXml(value)}</saml:AttributeValue>`)
    .join('')
}

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
