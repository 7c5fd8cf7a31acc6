import type { ClaimRule, ValueMap } from '../rules.js'
import { presetRule } from './preset-rule.js'

/** Options of {@link keycloak}. Each map is an exact-value allowlist. */
export interface KeycloakPresetOptions {
  /** Realm roles (`realm_access.roles`) to rolegate roles. */
  readonly realmRoles?: ValueMap
  /** Client id to its client roles (`resource_access.<client>.roles`) to rolegate roles. */
  readonly clientRoles?: Readonly<Record<string, ValueMap>>
  /**
   * Groups (`groups`, from a Group Membership mapper) to rolegate roles. Keycloak sends full paths
   * (`/billing/admins`) when the mapper's "Full group path" is on; write them as sent.
   */
  readonly groups?: ValueMap
}

/**
 * Rules for Keycloak tokens. The realm roles every user has (`offline_access`,
 * `uma_authorization`, `default-roles-<realm>`) are refused as role signals.
 *
 * @example
 * ```ts
 * keycloak({ realmRoles: { 'billing-admin': 'admin' }, clientRoles: { 'billing-app': { viewer: 'read' } } })
 * // [{ id: 'keycloak.realm-roles', claim: ['realm_access', 'roles'], map: { 'billing-admin': 'admin' } },
 * //  { id: 'keycloak.client-roles.billing-app', claim: ['resource_access', 'billing-app', 'roles'], map: { viewer: 'read' } }]
 * ```
 */
export function keycloak({
  realmRoles,
  clientRoles = {},
  groups,
}: KeycloakPresetOptions): ClaimRule[] {
  return [
    ...presetRule('keycloak.realm-roles', ['realm_access', 'roles'], realmRoles),
    ...Object.entries(clientRoles).flatMap(([client, map]) =>
      presetRule(`keycloak.client-roles.${client}`, ['resource_access', client, 'roles'], map),
    ),
    ...presetRule('keycloak.groups', 'groups', groups),
  ]
}
