import { pathStep } from '@rolegate/core'
import type { LintContext } from './lint-context.js'

/** A problem a rule found: where in the policy, and what core does there. */
export interface Finding {
  readonly path: string
  readonly message: string
}

/** A lint rule: a name, how bad its findings are, and the check itself. */
export interface LintRule {
  readonly name: string
  readonly severity: 'error' | 'warning'
  readonly check: (ctx: LintContext) => Finding[]
}

const rolePath = (role: string): string => `policy.roles${pathStep(role)}`

/** ` (through default role "d")` when a default brings `role` by inheritance, else nothing. */
function through(ctx: LintContext, role: string): string {
  const via = ctx.fromDefaults.get(role)
  return via === undefined || via === role ? '' : ` (through default role "${via}")`
}

/**
 * Roles nobody can act with: holding the role alone already brings a conflicting pair (the role
 * and what it inherits are checked for conflicts), so every decision denies with
 * `exclusive-conflict`.
 */
export const unusableRole: LintRule = {
  name: 'unusable-role',
  severity: 'error',
  check: (ctx) =>
    ctx.roles.flatMap((role) => {
      const held = ctx.heldTypes(role)
      const conflicts = held.map((type) => ctx.ownContext(type, [role]).roles().conflict)
      const first = conflicts[0]
      if (first === undefined || conflicts.some((c) => c === undefined)) return []
      const [a, b] = first.roles
      const other = a === role ? b : b === role ? a : undefined
      const why =
        other === undefined
          ? `it brings "${a}" and "${b}", which may not be held together`
          : `it may not be held with "${other}", which it inherits`
      return [
        {
          path: rolePath(role),
          message: `nobody can act with role "${role}": ${why}, so every decision denies (exclusive-conflict)`,
        },
      ]
    }),
}

/** A superuser among the default roles: every authenticated subject may do everything. */
export const superuserDefault: LintRule = {
  name: 'superuser-default',
  severity: 'error',
  check: (ctx) => {
    const found = new Map<string, (string | undefined)[]>()
    for (const type of ctx.types) {
      const decision = ctx.context(type, []).explain('*:read')
      if (decision.reason !== 'superuser' || decision.role === undefined) continue
      found.set(decision.role, [...(found.get(decision.role) ?? []), type])
    }
    return [...found].map(([role, types]) => {
      const who =
        types.length === ctx.types.length
          ? 'every authenticated subject'
          : `every authenticated subject of type ${types.map((t) => `"${t ?? ''}"`).join(', ')}`
      return {
        path: `policy.defaults[${ctx.defaultIndex(role)}]`,
        message: `${who} holds superuser role "${role}"${through(ctx, role)}, so it may do everything`,
      }
    })
  },
}

/**
 * An exclusive role among the defaults. Core checks exclusivity over the roles a subject holds and
 * inherits, not over defaults (or an exclusive admin could never act), so the role is held beside
 * every other role and its exclusivity only bites when it is assigned explicitly.
 */
export const exclusiveDefault: LintRule = {
  name: 'exclusive-default',
  severity: 'error',
  check: (ctx) =>
    ctx.roles.flatMap((role) => {
      if (ctx.policy.roles[role]?.exclusive !== true || !ctx.fromDefaults.has(role)) return []
      const other = findHolder(
        ctx,
        role,
        ctx.roles.filter((r) => r !== role),
      )
      if (other === undefined) return []
      return [
        {
          path: `${rolePath(role)}.exclusive`,
          message: `exclusive role "${role}" is a default role${through(ctx, role)}: defaults are not checked for exclusivity, so a subject holding "${other}" also holds "${role}" and is not denied; it only denies everything when "${role}" is assigned explicitly beside another role`,
        },
      ]
    }),
}

/**
 * A conflicting pair with a default role in it. Defaults are not checked for conflicts, so a
 * subject holding the other role holds both and is not denied.
 */
export const conflictWithDefault: LintRule = {
  name: 'conflict-with-default',
  severity: 'error',
  check: (ctx) =>
    (ctx.policy.conflicts ?? []).flatMap(([a, b], i) => {
      const path = `policy.conflicts[${i}]`
      const aDefault = ctx.fromDefaults.has(a)
      const bDefault = ctx.fromDefaults.has(b)
      if (aDefault && bDefault) {
        const both = ctx.types.some((type) => {
          const report = ctx.context(type, []).roles()
          return (
            report.inForce.includes(a) &&
            report.inForce.includes(b) &&
            report.conflict === undefined
          )
        })
        const message = `"${a}" and "${b}" are both default roles: every subject holds both, and defaults are not checked for conflicts, so the pair never denies`
        return both ? [{ path, message }] : []
      }
      if (!aDefault && !bDefault) return []
      const [held, byDefault] = aDefault ? [b, a] : [a, b]
      if (findHolder(ctx, byDefault, [held]) === undefined) return []
      return [
        {
          path,
          message: `"${byDefault}" is a default role and defaults are not checked for conflicts: a subject holding "${held}" holds both and is not denied; the pair only denies when "${byDefault}" is assigned explicitly`,
        },
      ]
    }),
}

/** The first of `candidates` that a subject can hold alone while `role` is in force without conflict. */
function findHolder(
  ctx: LintContext,
  role: string,
  candidates: readonly string[],
): string | undefined {
  return candidates.find((candidate) =>
    ctx.heldTypes(candidate).some((type) => {
      const report = ctx.context(type, [candidate]).roles()
      return report.inForce.includes(role) && report.conflict === undefined
    }),
  )
}

/** Grants that never decide anything: the role is, or always comes with, a superuser. */
export const shadowedGrant: LintRule = {
  name: 'shadowed-grant',
  severity: 'warning',
  check: (ctx) =>
    ctx.roles.flatMap((role) => {
      if (Object.keys(ctx.policy.roles[role]?.grants ?? {}).length === 0) return []
      const held = ctx.heldTypes(role)
      const deciders = held.map((type) => {
        const decision = ctx.ownContext(type, [role]).explain('*:read')
        return decision.reason === 'superuser' ? decision.role : undefined
      })
      const superuser = deciders[0]
      if (superuser === undefined || deciders.some((d) => d === undefined)) return []
      const why =
        superuser === role
          ? `role "${role}" is a superuser`
          : `role "${role}" inherits superuser role "${superuser}"`
      return [
        {
          path: `${rolePath(role)}.grants`,
          message: `${why}: its grants are never consulted (a superuser allows every action, and "none" restricts nothing)`,
        },
      ]
    }),
}

/** Inherited roles that are never in force: subject types rule them out for whoever holds the role. */
export const deadInheritance: LintRule = {
  name: 'dead-inheritance',
  severity: 'warning',
  check: (ctx) =>
    ctx.roles.flatMap((role) => {
      const inherited = ctx.closure(role).filter((r) => r !== role)
      if (inherited.length === 0) return []
      const reports = ctx.heldTypes(role).map((type) => ctx.ownContext(type, [role]).roles())
      return inherited
        .filter((r) => reports.every((report) => !report.inForce.includes(r)))
        .map((r) => ({
          path: `${rolePath(role)}.inherits`,
          message: `inherited role "${r}" is never in force with "${role}": core drops it, or a role between them, for every subject type that may hold "${role}" (${ctx.describeTypes(role)}); "${r}" is for ${ctx.describeTypes(r)}`,
        }))
    }),
}

/** Every rule `rolegate check` runs on a valid policy, in the order their findings are listed. */
export const LINT_RULES: readonly LintRule[] = [
  unusableRole,
  superuserDefault,
  exclusiveDefault,
  conflictWithDefault,
  shadowedGrant,
  deadInheritance,
]
