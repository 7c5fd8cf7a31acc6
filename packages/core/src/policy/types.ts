/** The two actions every policy has. `write` implies `read`. */
export type BuiltInAction = 'read' | 'write'

/**
 * What a role gives on a resource: `'none'` (restrict), one action, a list of actions, or a
 * conditional grant that counts only when the named condition holds for the resource instance.
 */
export type GrantInput<A extends string = string> =
  'none' | A | readonly A[] | { readonly actions: A | readonly A[]; readonly when: string }

/** One role of a policy. */
export interface RoleInput {
  /** Shown by the CLI and admin screens. */
  readonly description?: string
  /** Allows every action on every declared resource, including actions declared later. */
  readonly superuser?: boolean
  /** May not be held together with any other role. */
  readonly exclusive?: boolean
  /** Roles whose grants this role also brings (each is evaluated as a role of its own). */
  readonly inherits?: readonly string[]
  /** The subject types this role may be given to; absent means any type. */
  readonly subjectTypes?: readonly string[]
  /** Resource path → grant. Inside one role the most specific path wins. */
  readonly grants?: { readonly [resource: string]: GrantInput }
}

/**
 * A policy as plain data: the same in TypeScript, JSON and YAML.
 *
 * @example
 * ```ts
 * const policy = definePolicy({
 *   resources: ['invoices', 'customers.address.bcc'],
 *   actions: { export: ['read'] },
 *   roles: {
 *     admin: { superuser: true, exclusive: true },
 *     finance: { grants: { invoices: 'write', customers: 'read', 'customers.address.bcc': 'none' } },
 *   },
 * })
 * ```
 */
export interface PolicyInput {
  /** Dotted resource paths; every prefix is implied. `'*'` is the root. */
  readonly resources: readonly string[]
  /** Named actions beside `read` and `write`, each with the actions it implies. */
  readonly actions?: { readonly [action: string]: readonly string[] }
  /** Role name → role. */
  readonly roles: { readonly [role: string]: RoleInput }
  /** Pairs of roles that may not be held together. */
  readonly conflicts?: readonly (readonly [string, string])[]
  /** Roles every authenticated subject holds. */
  readonly defaults?: readonly string[]
  /** An editor hint (JSON Schema reference); ignored by rolegate. */
  readonly $schema?: string
}

type Prefixes<S extends string> = S extends `${infer Head}.${infer Tail}`
  ? Head | `${Head}.${Prefixes<Tail>}`
  : S

/**
 * Whether a policy's names are only known at run time (loaded from JSON or YAML, or typed as
 * {@link PolicyInput}): then every name type widens to `string`.
 */
type IsLoose<P extends PolicyInput> = string extends P['resources'][number] ? true : false

/** Every resource path a policy declares, with all implied parents and the root `'*'`. */
export type ResourceOf<P extends PolicyInput> =
  IsLoose<P> extends true ? string : '*' | Prefixes<P['resources'][number]>

/** Every action of a policy: `read`, `write` and the declared ones. */
export type ActionOf<P extends PolicyInput> =
  IsLoose<P> extends true ? string : BuiltInAction | (keyof NonNullable<P['actions']> & string)

/** Every role name of a policy. */
export type RoleOf<P extends PolicyInput> =
  IsLoose<P> extends true ? string : keyof P['roles'] & string

/** Every `resource:action` permission of a policy, e.g. `'invoices:write'`; `string` for a loose policy. */
export type PermissionOf<P extends PolicyInput> =
  IsLoose<P> extends true ? string : `${ResourceOf<P>}:${ActionOf<P>}`

/** A subject: a user, a service account or a background job's actor. */
export interface Subject {
  /** Stable identifier. */
  readonly id: string
  /** The subject's type, matched against roles' `subjectTypes` (e.g. `'admin'`, `'customer'`). */
  readonly type?: string | undefined
  /** Roles held everywhere. Names the policy does not know are ignored and reported. */
  readonly roles?: readonly string[] | undefined
  /** Roles held in one scope only: `{ 'team:42': ['admin'] }`. */
  readonly scoped?: Readonly<Record<string, readonly string[]>> | undefined
  /**
   * Direct grants beside roles (PortaBilling's ACLs), written like a role's grants. A conditional
   * one (`{ actions, when }`) counts when its condition holds for the instance, as in a role.
   * Entries on undeclared resources, with unknown actions, or naming a condition the rolegate has
   * no function for grant nothing.
   */
  readonly grants?: Readonly<Record<string, GrantInput>> | undefined
  /** What conditions read, e.g. a customer id or an email domain. */
  readonly attributes?: Readonly<Record<string, unknown>> | undefined
}

/** A named condition: does it hold for this subject and this resource instance? Must return `true` to count. */
export type Condition = (subject: Subject, resource: unknown) => boolean
