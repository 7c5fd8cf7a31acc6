import type { ClaimKind, CompiledConnection } from './connections.js'
import { TENANT_PLACEHOLDER } from './connections.js'
import type { ClaimRejection } from './mapping.js'
import { SAML_ATTRIBUTES } from './presets/saml.js'

function own(claims: object, name: string): unknown {
  return Object.hasOwn(claims, name) ? (claims as Record<string, unknown>)[name] : undefined
}

/**
 * Checks that claims come from the provider the connection trusts: the issuer (exactly, or the
 * connection's `{tenantid}` template filled with the tenant), the tenant allowlist and, for
 * tokens, the audience. Returns why not, or `undefined` when they do.
 *
 * For ID and access tokens the issuer is the `iss` claim (an `issuer` given beside it must agree).
 * For userinfo and SAML assertions it is the `issuer` the caller passes, and nothing else: the ID
 * token's `iss`, or the assertion's `Issuer` element. A userinfo response is not signed, so an
 * `iss` in it may only agree with the issuer given, never stand in for it; SAML attributes are
 * never read for it, so an attribute named `issuer` or `iss` changes nothing.
 */
export function checkIssuer(
  connection: CompiledConnection,
  kind: ClaimKind,
  claims: object,
  given: string | undefined,
): ClaimRejection | undefined {
  const token = kind === 'id_token' || kind === 'access_token'
  const claimed = kind === 'saml_assertion' ? undefined : own(claims, 'iss')
  if (token && typeof claimed !== 'string')
    return { code: 'issuer-missing', message: `the ${kind} has no "iss" claim` }
  if (!token && given === undefined)
    return { code: 'issuer-missing', message: `no issuer was given for the ${kind}` }
  if (claimed !== undefined && given !== undefined && claimed !== given)
    return { code: 'issuer-mismatch', message: 'the "iss" claim differs from the issuer given' }
  // A token's own iss (checked above), or for userinfo and SAML the issuer given, never the claims'.
  const issuer = token ? claimed : given
  const tenant = own(claims, kind === 'saml_assertion' ? SAML_ATTRIBUTES.tenantId : 'tid')
  if (connection.tenants !== undefined) {
    if (typeof tenant !== 'string' || !connection.tenants.has(tenant))
      return { code: 'tenant-not-allowed', message: 'the tenant is missing or not allowed' }
  }
  const expected = connection.issuer.includes(TENANT_PLACEHOLDER)
    ? connection.issuer.replace(TENANT_PLACEHOLDER, typeof tenant === 'string' ? tenant : '')
    : connection.issuer
  if (issuer !== expected)
    return {
      code: 'issuer-mismatch',
      message: `the issuer is not the one "${connection.name}" trusts`,
    }
  if (token && connection.audience !== undefined) {
    const aud = own(claims, 'aud')
    const audiences: readonly unknown[] = Array.isArray(aud) ? aud : [aud]
    if (!audiences.includes(connection.audience))
      return {
        code: 'audience-mismatch',
        message: `the token is not meant for "${connection.audience}"`,
      }
  }
  return undefined
}
