import * as client from 'openid-client'

/** Single sign-on through one OpenID Provider, for one account. */
export interface SsoOptions {
  /** The provider's configuration, from {@link discoverSso}. */
  readonly config: client.Configuration
  /** This app's callback, registered at the provider: `https://…/sso/callback`. */
  readonly redirectUri: string
  /** The account SSO users join, e.g. `acme.example`. */
  readonly account: string
}

/** What {@link discoverSso} needs: the provider and this app's client registration there. */
export interface SsoSettings {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  readonly redirectUri: string
  readonly account: string
}

/**
 * Reads the provider's discovery document. Plain `http://` is accepted for a loopback provider
 * only (a local test provider); anything else must be `https://`.
 */
export async function discoverSso({
  issuer,
  clientId,
  clientSecret,
  redirectUri,
  account,
}: SsoSettings): Promise<SsoOptions> {
  const url = new URL(issuer)
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  const config = await client.discovery(
    url,
    clientId,
    undefined,
    client.ClientSecretBasic(clientSecret),
    url.protocol === 'http:' && loopback ? { execute: [client.allowInsecureRequests] } : {},
  )
  return { config, redirectUri, account }
}
