import { isObject } from '../claim-path.js'
import { ClaimMappingError } from '../errors.js'
import type { ClaimRule, ValueMap } from '../rules.js'
import { presetRule, presetRules } from './preset-rule.js'

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

const KEYCLOAK_MAPS = ['realmRoles', 'clientRoles', 'groups']
const KEYCLOAK = { name: 'keycloak', known: KEYCLOAK_MAPS, maps: KEYCLOAK_MAPS }

/**
 * Rules for Keycloak tokens. The realm roles every user has (`offline_access`,
 * `uma_authorization`, `default-roles-<realm>`) are refused as role signals.
 *
 * Keycloak's built-in `roles` client scope puts `realm_access` and `resource_access` in the
 * access token only, while `oidcVerify` maps the ID token. Turn on "Add to ID token" on that
 * scope's "realm roles" and "client roles" mappers (Client scopes, `roles`, Mappers), and on a
 * Group Membership mapper for `groups`, or these rules find nothing and users get only the
 * connection's `defaultRoles`.
 *
 * @throws {@link ClaimMappingError} for an unknown option, a map (or a client's map) given as
 *   `undefined`, or options that make no rule.
 * @example
 * ```ts
 * keycloak({ realmRoles: { 'billing-admin': 'admin' }, clientRoles: { 'billing-app': { viewer: 'read' } } })
 * // [{ id: 'keycloak.realm-roles', claim: ['realm_access', 'roles'], map: { 'billing-admin': 'admin' } },
 * //  { id: 'keycloak.client-roles.billing-app', claim: ['resource_access', 'billing-app', 'roles'], map: { viewer: 'read' } }]
 * ```
 */
export function keycloak(options: KeycloakPresetOptions): ClaimRule[] {
  return presetRules(KEYCLOAK, options, ({ realmRoles, clientRoles = {}, groups }) => [
    ...presetRule('keycloak.realm-roles', ['realm_access', 'roles'], realmRoles),
    ...clientEntries(clientRoles).flatMap(([client, map]) =>
      presetRule(`keycloak.client-roles.${client}`, ['resource_access', client, 'roles'], map),
    ),
    ...presetRule('keycloak.groups', 'groups', groups),
  ])
}

/** The clients' maps: a client given `undefined` is refused, never a client without a rule. */
function clientEntries(clientRoles: unknown): [string, ValueMap][] {
  if (!isObject(clientRoles))
    throw new ClaimMappingError('keycloak: "clientRoles" must map client ids to their role maps')
  const entries = Object.entries(clientRoles as Record<string, ValueMap | undefined>)
  const missing = entries.find(([, map]) => map === undefined)
  if (missing !== undefined)
    throw new ClaimMappingError(
      `keycloak: "clientRoles" gives client "${missing[0]}" undefined: give it a map or leave it out`,
    )
  return entries as [string, ValueMap][]
}
