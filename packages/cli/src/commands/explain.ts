import { parseArgs } from 'node:util'
import {
  loadPolicy,
  UnknownPermissionError,
  UnknownRoleError,
  type Decision,
  type PolicyInput,
  type Rolegate,
  type RolesReport,
} from '@rolegate/core'
import {
  EXIT,
  listFlag,
  oneOf,
  parseCommandArgs,
  policyFailure,
  UsageError,
  type CliIo,
} from '../cli-io.js'
import { formatGrant } from '../format-grant.js'
import { conditionUses, declaredSubjectType, policyRolegate } from '../policy-file.js'

/** `rolegate explain POLICY PERMISSION`: core's decision and why; exit 0 when allowed, 1 when denied. */
export function explain(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs(
    'explain',
    () =>
      parseArgs({
        args: [...args],
        strict: true,
        allowPositionals: true,
        options: {
          roles: { type: 'string' },
          scope: { type: 'string' },
          'scope-roles': { type: 'string' },
          type: { type: 'string' },
          assume: { type: 'string' },
          format: { type: 'string' },
        },
      }),
    { min: 2, max: 2, names: 'POLICY file and PERMISSION' },
  )
  const format = oneOf('explain', 'format', values.format, ['text', 'json'])
  const [file, permission] = positionals as [string, string]
  const { scope } = values
  if (values['scope-roles'] !== undefined && scope === undefined) {
    throw new UsageError('--scope-roles needs --scope', 'explain')
  }
  let policy: PolicyInput
  try {
    policy = loadPolicy(file)
  } catch (error) {
    return policyFailure(io, error)
  }
  const assumed = values.assume === undefined ? undefined : listFlag(values.assume)
  const named = new Set(conditionUses(policy).map((use) => use.name))
  const unknown = assumed?.find((name) => !named.has(name))
  if (unknown !== undefined) {
    throw new UsageError(`--assume: the policy names no condition "${unknown}"`, 'explain')
  }
  const holds = new Set(assumed)
  const rg = policyRolegate(policy, { holds: (name) => holds.has(name) })
  declaredPermission(rg, permission)
  const roles = declaredRoles(rg, 'roles', values.roles)
  const scopeRoles = declaredRoles(rg, 'scope-roles', values['scope-roles'])
  const context = rg.context({
    id: 'explain',
    type: declaredSubjectType(policy, values.type, 'explain'),
    roles,
    scoped: scope === undefined ? undefined : { [scope]: scopeRoles },
  })
  const options = {
    ...(scope === undefined ? {} : { scope }),
    ...(assumed === undefined ? {} : { resource: {} }),
  }
  const decision = context.explain(permission, options)
  const report = context.roles(scope)
  if (format === 'json') {
    io.out(`${JSON.stringify({ decision, roles: report, assumed: assumed ?? null }, null, 2)}\n`)
  } else {
    io.out(describeDecision(rg, decision, report, assumed))
  }
  return decision.allowed ? EXIT.ok : EXIT.found
}

/**
 * Checks the permission with the rolegate, as a guard does when it is created. Core's `explain`
 * denies a permission it does not know (`invoices`, a misspelt resource or action), so the answer
 * would be "denied", exit 1, as if the policy denied it: a usage error says the question was wrong.
 */
function declaredPermission(rg: Rolegate, permission: string): void {
  try {
    rg.permission(permission)
  } catch (error) {
    if (error instanceof UnknownPermissionError) throw new UsageError(error.message, 'explain')
    throw error
  }
}

/**
 * A list flag of role names, each checked with the rolegate. Core drops an unknown role from a
 * context (reason unknown-role), so a misspelt role would answer "denied", exit 1, as if the
 * policy denied it: a usage error says the question was wrong, as `matrix --roles` does.
 */
function declaredRoles(rg: Rolegate, flag: string, value: string | undefined): string[] {
  return listFlag(value).map((name) => {
    try {
      return rg.role(name)
    } catch (error) {
      if (error instanceof UnknownRoleError)
        throw new UsageError(`--${flag}: ${error.message}`, 'explain')
      throw error
    }
  })
}

function describeDecision(
  rg: Rolegate,
  decision: Decision,
  roles: RolesReport,
  assumed: readonly string[] | undefined,
): string {
  const lines = [
    `${decision.permission}: ${decision.allowed ? 'allowed' : 'denied'}`,
    `  reason: ${decision.reason}: ${why(decision)}`,
  ]
  if (decision.reason === 'condition-needs-resource') {
    for (const line of conditionalGrants(rg, decision.permission, roles.inForce)) {
      lines.push(`  conditional grant: ${line}`)
    }
    const names = [...new Set(conditionNames(rg, decision.permission, roles.inForce))]
    lines.push(`  to decide as if it held: --assume ${names.join(',')}`)
  }
  if (decision.scope !== undefined) lines.push(`  scope: ${decision.scope}`)
  lines.push(`  held: ${roles.held.join(', ') || '(none)'}`)
  lines.push(`  in force: ${roles.inForce.join(', ') || '(none)'}`)
  if (roles.dropped.length > 0) {
    lines.push(`  dropped: ${roles.dropped.map((d) => `${d.role} (${d.reason})`).join(', ')}`)
  }
  if (assumed !== undefined) {
    const which =
      assumed.length === 0
        ? 'no condition holds'
        : `${assumed.map((c) => `"${c}"`).join(', ')} ${assumed.length === 1 ? 'holds' : 'hold'} (and no other condition)`
    lines.push(`  assumed: a resource instance on which ${which}`)
  }
  return `${lines.join('\n')}\n`
}

function why(decision: Decision): string {
  const grant =
    decision.grant === undefined
      ? ''
      : `${decision.grant.resource}: ${formatGrant(decision.grant.value)}`
  const role = `role "${decision.role ?? ''}"`
  const colon = decision.permission.lastIndexOf(':')
  switch (decision.reason) {
    case 'superuser':
      return `${role} is a superuser`
    case 'granted':
      return `${role} grants ${grant}`
    case 'no-grant':
      return 'no role in force grants it'
    case 'restricted':
      return `${role} restricts it with ${grant}`
    // Not reached from the command line, which refuses an unknown permission first; kept so that
    // every reason core gives has its words.
    case 'unknown-resource':
      return `the policy declares no resource "${decision.permission.slice(0, Math.max(colon, 0))}"`
    case 'unknown-action':
      return `the policy declares no action "${decision.permission.slice(colon + 1)}"`
    case 'exclusive-conflict': {
      const [a, b] = decision.conflict?.roles ?? ['', '']
      return decision.conflict?.kind === 'exclusive'
        ? `"${a}" is exclusive and is held with "${b}", so every decision denies`
        : `"${a}" and "${b}" may not be held together, so every decision denies`
    }
    case 'condition-failed':
      return `${role} grants ${grant}, and the condition does not hold`
    case 'condition-needs-resource':
      return 'only a conditional grant allows it, and conditions are weighed only for a resource instance'
    case 'impersonation-refused':
      return 'an impersonation was refused'
  }
}

/** The conditional grants in force that would give `permission`, for a `condition-needs-resource` denial. */
function conditionalGrants(rg: Rolegate, permission: string, inForce: readonly string[]): string[] {
  return grantsFor(rg, permission, inForce).map(
    ({ role, grant }) => `role "${role}" grants ${grant.resource}: ${formatGrant(grant.value)}`,
  )
}

function conditionNames(rg: Rolegate, permission: string, inForce: readonly string[]): string[] {
  return grantsFor(rg, permission, inForce).flatMap(({ grant }) => grant.when ?? [])
}

function grantsFor(rg: Rolegate, permission: string, inForce: readonly string[]) {
  const { policy } = rg
  const compiled = policy.permissions.get(permission)
  if (compiled === undefined) return []
  return inForce.flatMap((name) => {
    const role = policy.roles[policy.roleIndex.get(name) ?? -1]
    const chain = role?.conditional.get(compiled.resource) ?? []
    return chain
      .filter((grant) => (grant.mask & compiled.bit) !== 0)
      .map((grant) => ({ role: name, grant }))
  })
}
