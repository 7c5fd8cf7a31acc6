import { parseArgs } from 'node:util'
import { loadPolicy, type PolicyInput } from '@rolegate/core'
import { EXIT, oneOf, parseCommandArgs, policyFailure, type CliIo } from '../cli-io.js'
import { diffPolicies, type PolicyDiff } from '../diff/diff-policies.js'

/** `rolegate diff OLD NEW`: the permissions a change grants or removes; exit 1 when anything changed. */
export function diff(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs(
    'diff',
    () =>
      parseArgs({
        args: [...args],
        strict: true,
        allowPositionals: true,
        options: { type: { type: 'string' }, format: { type: 'string' } },
      }),
    { min: 2, max: 2, names: 'OLD and NEW policy files' },
  )
  const format = oneOf('diff', 'format', values.format, ['text', 'json'])
  const policies: PolicyInput[] = []
  for (const file of positionals) {
    try {
      policies.push(loadPolicy(file))
    } catch (error) {
      return policyFailure(io, error)
    }
  }
  const [before, after] = policies as [PolicyInput, PolicyInput]
  const result = diffPolicies(before, after, { type: values.type })
  io.out(format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatDiff(result))
  return result.policy.length > 0 || result.roles.length > 0 ? EXIT.found : EXIT.ok
}

const show = (value: unknown): string =>
  value === null
    ? 'any'
    : Array.isArray(value)
      ? `[${value.map(show).join(', ')}]`
      : typeof value === 'string'
        ? value
        : JSON.stringify(value)

const PLAIN = new Set(['allowed', 'denied'])

/** The diff as text: policy changes, then each role's permission changes, then a summary line. */
export function formatDiff(result: PolicyDiff): string {
  const lines: string[] = []
  if (result.policy.length > 0) {
    lines.push('policy')
    for (const change of result.policy) {
      lines.push(`  ${change.path}: ${show(change.before)} → ${show(change.after)}`)
    }
  }
  const count = { '+': 0, '-': 0, '~': 0 }
  for (const role of result.roles) {
    lines.push(`role ${role.role}${role.status === 'changed' ? '' : ` (${role.status})`}`)
    for (const change of role.permissions) {
      count[change.sign]++
      const plain = PLAIN.has(change.before) && PLAIN.has(change.after)
      lines.push(
        `  ${change.sign} ${change.permission}${plain ? '' : ` (${change.before} → ${change.after})`}`,
      )
    }
  }
  const changed = result.policy.length + result.roles.length > 0
  lines.push(
    changed
      ? `${count['+']} granted, ${count['-']} removed, ${count['~']} changed in ${result.roles.length} role(s); ${result.policy.length} policy change(s)`
      : 'no changes',
  )
  return `${lines.join('\n')}\n`
}
