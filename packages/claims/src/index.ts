/**
 * Identity-provider claims to rolegate roles. Each connection trusts one issuer and maps what it
 * asserts through explicit allowlist rules: exact values to roles, never inferred, never by prefix,
 * substring or locale case-folding. Missing or suspicious data grants nothing. Presets give the
 * rules for Keycloak, Entra ID, Okta, Auth0, Cognito, Google Workspace, AD FS and eduPerson; the
 * Passport helpers live in the `@rolegate/claims/passport-oidc` and
 * `@rolegate/claims/passport-saml` subpaths.
 *
 * @module
 */
export type { ClaimPath } from './claim-path.js'
export {
  claimsSubject,
  type ClaimsSubject,
  type ClaimsSubjectAttributes,
  type ClaimsSubjectDetails,
  type Provision,
} from './claims-subject.js'
export type { ValueSplit } from './claim-values.js'
export {
  type ClaimInput,
  type ClaimMapper,
  type ClaimMapperOptions,
  type RoleChecker,
  createClaimMapper,
} from './create-claim-mapper.js'
export type {
  ClaimKind,
  CompiledConnection,
  Connection,
  ConnectionOptions,
  OidcConnection,
  OverageRequest,
  OverageResolver,
  SamlConnection,
} from './connections.js'
export { ClaimMappingError } from './errors.js'
export type {
  ClaimMapping,
  ClaimRejection,
  ClaimRejectionCode,
  ClaimTrace,
  ClaimWarning,
  ClaimWarningCode,
} from './mapping.js'
export { adfs, type AdfsPresetOptions } from './presets/adfs.js'
export { auth0, type Auth0PresetOptions } from './presets/auth0.js'
export { cognito, type CognitoPresetOptions } from './presets/cognito.js'
export { eduPerson, type EduPersonPresetOptions } from './presets/edu-person.js'
export {
  ENTRA_ISSUER_TEMPLATE,
  entraId,
  entraIdSaml,
  type EntraPresetOptions,
} from './presets/entra.js'
export { googleWorkspace, type GoogleWorkspacePresetOptions } from './presets/google-workspace.js'
export { keycloak, type KeycloakPresetOptions } from './presets/keycloak.js'
export { okta, type OktaPresetOptions } from './presets/okta.js'
export { SAML_ATTRIBUTES, samlAttribute, type SamlAttributePresetOptions } from './presets/saml.js'
export {
  firstUserOfDomain,
  teamCreator,
  type DomainAuthority,
  type FirstUserDecision,
  type FirstUserInput,
  type FirstUserOfDomainOptions,
  type FirstUserRefusal,
  type ScopedAssignment,
  type TeamCreatorOptions,
} from './provisioning.js'
export type {
  ClaimRule,
  CompiledRule,
  RoleGrant,
  RoleTarget,
  RuleOptions,
  ScopeRule,
  ScopeTarget,
  ValueMap,
  ValueRule,
} from './rules.js'
export { UNIVERSAL_VALUES } from './universal-values.js'
