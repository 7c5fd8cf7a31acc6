import { parseArgs } from 'node:util'
import { checkPolicyFile, type CheckProblem } from '../lint/check-policy.js'
import { EXIT, listFlag, oneOf, parseCommandArgs, type CliIo } from '../cli-io.js'

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** `rolegate check POLICY...`: validate and lint; exit 1 on errors (or warnings with `--strict`). */
export function check(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs(
    'check',
    () =>
      parseArgs({
        args: [...args],
        strict: true,
        allowPositionals: true,
        options: {
          conditions: { type: 'string' },
          strict: { type: 'boolean' },
          format: { type: 'string' },
        },
      }),
    { min: 1, max: Infinity, names: 'POLICY file' },
  )
  const format = oneOf('check', 'format', values.format, ['text', 'json'])
  const conditions =
    values.conditions === undefined ? undefined : new Set(listFlag(values.conditions))
  const problems: CheckProblem[] = []
  const lines: string[] = []
  for (const file of positionals) {
    const found = checkPolicyFile(file, { conditions })
    problems.push(...found)
    for (const p of found)
      lines.push(`${p.file}: ${p.severity} ${p.path}: ${p.message} [${p.rule}]`)
    const errors = found.filter((p) => p.severity === 'error').length
    const warnings = found.length - errors
    lines.push(
      found.length === 0
        ? `${file}: ok`
        : `${file}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`,
    )
  }
  const errors = problems.filter((p) => p.severity === 'error').length
  const warnings = problems.length - errors
  if (format === 'json') io.out(`${JSON.stringify({ errors, warnings, problems }, null, 2)}\n`)
  else io.out(`${lines.join('\n')}\n`)
  return errors > 0 || (values.strict === true && warnings > 0) ? EXIT.found : EXIT.ok
}
