import { parseArgs } from 'node:util'
import { basename } from 'node:path'
import { loadPolicy, UnknownRoleError, type PolicyInput } from '@rolegate/core'
import {
  EXIT,
  listFlag,
  oneOf,
  parseCommandArgs,
  policyFailure,
  UsageError,
  type CliIo,
} from '../cli-io.js'
import { renderCsv } from '../matrix/render-csv.js'
import { renderHtml } from '../matrix/render-html.js'
import { renderMarkdown } from '../matrix/render-markdown.js'
import { rightsMatrix, type RightsMatrix } from '../matrix/rights-matrix.js'

/** `rolegate matrix POLICY`: the effective rights matrix as Markdown, HTML or CSV. */
export function matrix(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseCommandArgs(
    'matrix',
    () =>
      parseArgs({
        args: [...args],
        strict: true,
        allowPositionals: true,
        options: {
          format: { type: 'string' },
          'with-defaults': { type: 'boolean' },
          roles: { type: 'string' },
          type: { type: 'string' },
          scope: { type: 'string' },
        },
      }),
    { min: 1, max: 1, names: 'POLICY file' },
  )
  const format = oneOf('matrix', 'format', values.format, ['md', 'html', 'csv'])
  const file = positionals[0] as string
  let policy: PolicyInput
  try {
    policy = loadPolicy(file)
  } catch (error) {
    return policyFailure(io, error)
  }
  let result: RightsMatrix
  try {
    result = rightsMatrix(policy, {
      withDefaults: values['with-defaults'] === true,
      scope: values.scope,
      type: values.type,
      roles: values.roles === undefined ? undefined : listFlag(values.roles),
    })
  } catch (error) {
    if (error instanceof UnknownRoleError)
      throw new UsageError(`--roles: ${error.message}`, 'matrix')
    throw error
  }
  const rendered =
    format === 'csv'
      ? renderCsv(result)
      : format === 'html'
        ? renderHtml(result, basename(file))
        : renderMarkdown(result)
  io.out(rendered)
  return EXIT.ok
}
