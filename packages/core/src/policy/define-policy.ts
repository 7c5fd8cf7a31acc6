import type { ActionOf, GrantInput, PolicyInput, ResourceOf, RoleOf } from './types.js'

/** A role's grants, where a key that is not a resource of the policy must be `never`. */
type Grants<P extends PolicyInput, G> = {
  readonly [resource in keyof G]: resource extends ResourceOf<P> ? GrantInput<ActionOf<P>> : never
}

/**
 * The shape a policy must have once its own names are known: grants may only name its resources
 * and actions, and `inherits`, `conflicts` and `defaults` only its roles. Intersected with the
 * input, it turns a misspelt name into a compile error at the spot where it is written.
 */
type Checked<P extends PolicyInput> = {
  readonly resources: P['resources']
  readonly actions?: { readonly [action in keyof P['actions']]: readonly ActionOf<P>[] }
  readonly roles: {
    readonly [role in keyof P['roles']]: {
      readonly inherits?: readonly RoleOf<P>[]
      readonly grants?: Grants<P, NonNullable<P['roles'][role]['grants']>>
    }
  }
  readonly conflicts?: readonly (readonly [RoleOf<P>, RoleOf<P>])[]
  readonly defaults?: readonly RoleOf<P>[]
}

/**
 * Returns the policy unchanged, typed so that its role names, resources and `resource:action`
 * permissions become string-literal types. Validation happens in {@link createRolegate}, which also
 * knows the condition functions.
 *
 * @example
 * ```ts
 * const policy = definePolicy({
 *   resources: ['invoices', 'reports'],
 *   actions: { export: ['read'] },
 *   roles: { finance: { grants: { invoices: 'write', reports: ['read', 'export'] } } },
 * })
 * type P = PermissionOf<typeof policy> // 'invoices:read' | 'invoices:write' | 'reports:export' | …
 * ```
 */
export function definePolicy<const P extends PolicyInput>(policy: P & Checked<P>): P {
  return policy
}
