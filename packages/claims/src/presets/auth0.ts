import { ClaimMappingError } from '../errors.js'
import type { ClaimRule, ValueMap } from '../rules.js'
import { presetRule, presetRules } from './preset-rule.js'

/** Options of {@link auth0}. */
export interface Auth0PresetOptions {
  /**
   * The namespace an Auth0 Action puts custom claims under, an `http(s)` URL ending in `/`:
   * `'https://example.com/'` reads roles from `https://example.com/roles`.
   */
  readonly namespace: string
  /**
   * Role names (from the namespaced `roles` claim) to rolegate roles. It is in the ID token only
   * when the Action sets it there (`api.idToken.setCustomClaim`).
   */
  readonly roles?: ValueMap
  /**
   * RBAC permissions (the `permissions` claim) to rolegate roles. Auth0 puts it in access tokens
   * for an API with RBAC and "Add Permissions in the Access Token" on, never in the ID token that
   * `oidcVerify` maps: map the verified access token's payload with `kind: 'access_token'`.
   */
  readonly permissions?: ValueMap
}

const AUTH0 = {
  name: 'auth0',
  known: ['namespace', 'roles', 'permissions'],
  maps: ['roles', 'permissions'],
}

/**
 * Rules for Auth0: roles from the namespaced claim an Action adds, and API permissions from an
 * access token with RBAC on (access tokens only: not what `oidcVerify` maps).
 *
 * @throws {@link ClaimMappingError} when `namespace` is not an http(s) URL ending in `/`, for an
 *   unknown option, a map given as `undefined`, or options that make no rule.
 * @example
 * ```ts
 * auth0({ namespace: 'https://billing.example.com/', roles: { admin: 'admin' } })
 * ```
 */
export function auth0(options: Auth0PresetOptions): ClaimRule[] {
  return presetRules(AUTH0, options, ({ namespace, roles, permissions }) => {
    if (!/^https?:\/\/[^/\s]+\/(?:[^\s]*\/)?$/.test(namespace)) {
      throw new ClaimMappingError(
        `auth0: namespace "${namespace}" must be an http(s) URL ending in "/"`,
      )
    }
    return [
      ...presetRule('auth0.roles', `${namespace}roles`, roles),
      ...presetRule('auth0.permissions', 'permissions', permissions),
    ]
  })
}
