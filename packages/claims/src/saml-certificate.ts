import { X509Certificate } from 'node:crypto'

// node-saml 5 reads each idpCert at login with keyInfoToPem (lib/crypto.js): a PEM block as its
// PEM_FORMAT_REGEX has it, else base64 as its BASE64_REGEX has it (groups of four, a newline
// allowed only after a group), wrapped as a CERTIFICATE; anything else throws "idpCert is not in
// PEM format or in base64 format". These are its expressions, without the redundant {1}.
const PEM_FORMAT =
  /^(-----BEGIN [A-Z\x20]{1,48}-----(\r\n|\r|\n).*(\r\n|\r|\n)-----END [A-Z\x20]{1,48}-----(\r\n|\r|\n)?)$/s
const BASE64 = /^(?:[A-Za-z0-9+/]{4}\n?)*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/s
const PEM_LABEL = /^-----BEGIN ([A-Z ]+)-----/

/** node-saml's normalizePemFile: trimmed, `\n` line ends, lines of at most 64 characters. */
function normalizePem(pem: string): string {
  const lines = pem
    .trim()
    .replace(/\r\n|\r/g, '\n')
    .match(/.{1,64}/g)
  return `${(lines ?? []).join('\n')}\n`
}

/** The PEM node-saml makes of an idpCert, or `undefined` where it throws. */
function nodeSamlPem(certificate: string): string | undefined {
  if (PEM_FORMAT.test(certificate)) return normalizePem(certificate)
  if (BASE64.test(certificate))
    return normalizePem(`-----BEGIN CERTIFICATE-----\n${certificate}\n-----END CERTIFICATE-----`)
  return undefined
}

/**
 * Why node-saml could not validate a response with this certificate, or `undefined` when it can:
 * the string is read as node-saml reads `idpCert` at login, then parsed as an X.509 certificate.
 * A connection is checked with this when the mapper is created, so a pasted key, a truncated PEM
 * or a placeholder fails at start-up, not at the first login.
 */
export function certificateProblem(certificate: string): string | undefined {
  const pem = nodeSamlPem(certificate)
  if (pem === undefined) {
    // node-saml does not trim before it tests the format: say so when that is all that is wrong.
    return nodeSamlPem(certificate.trim()) === undefined
      ? 'is neither a PEM certificate nor base64 DER as node-saml reads them'
      : 'has whitespace before or after it, which node-saml does not accept'
  }
  try {
    new X509Certificate(pem)
    return undefined
  } catch {
    const label = PEM_LABEL.exec(pem)?.[1]
    if (label !== undefined && label !== 'CERTIFICATE')
      return `is a PEM ${label}, not a CERTIFICATE`
    return 'does not parse as an X.509 certificate'
  }
}
