import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { LineCounter, parseDocument } from 'yaml'
import { PolicyError, type PolicyProblem } from '../errors.js'
import { keyCollisions } from './key-collisions.js'
import type { PolicyInput } from './types.js'
import { findPolicyProblems, type ValidateOptions } from './validate-policy.js'

/** Options of {@link loadPolicy} and {@link parsePolicy}. */
export interface LoadPolicyOptions extends ValidateOptions {
  /** `json` or `yaml`; by default taken from the file's extension, YAML when unknown. */
  readonly format?: 'json' | 'yaml'
}

/**
 * Parses policy text (JSON or YAML) and validates it. Duplicate keys are refused in both formats,
 * since JSON.parse would silently keep the last grant of a duplicated path; so are keys written
 * differently that load as the same one (`1` and `"1"`).
 *
 * @throws {@link PolicyError} whose problems name `file` and the path inside it.
 */
export function parsePolicy(
  text: string,
  file: string,
  options: LoadPolicyOptions = {},
): PolicyInput {
  // YAML 1.2 is a superset of JSON, so one parser serves both and reports lines for both.
  const lines = new LineCounter()
  const document = parseDocument(text, {
    uniqueKeys: true,
    prettyErrors: true,
    strict: true,
    lineCounter: lines,
  })
  const syntax: PolicyProblem[] = document.errors.map((error) => {
    const line = error.linePos?.[0]
    return {
      file,
      path: line === undefined ? 'policy' : `line ${line.line}, column ${line.col}`,
      message: firstLine(error.message),
    }
  })
  if (syntax.length > 0) throw new PolicyError(syntax)
  const collisions = keyCollisions(document, text, lines, file)
  if (collisions.length > 0) throw new PolicyError(collisions)
  const format = options.format ?? (extname(file).toLowerCase() === '.json' ? 'json' : 'yaml')
  if (format === 'json' && !isJsonText(text)) {
    throw new PolicyError([
      { file, path: 'policy', message: 'not valid JSON (is this a YAML file with a .json name?)' },
    ])
  }
  let value: unknown
  try {
    // Unresolved aliases and alias bombs only surface here, as plain errors from the parser.
    value = document.toJS({ maxAliasCount: 100 })
  } catch (cause) {
    throw new PolicyError(
      [{ file, path: 'policy', message: firstLine((cause as Error).message) }],
      { cause },
    )
  }
  const problems = findPolicyProblems(value, options).map((problem) => ({ ...problem, file }))
  if (problems.length > 0) throw new PolicyError(problems)
  return value as PolicyInput
}

/**
 * Reads a JSON or YAML policy file and validates it.
 *
 * @throws {@link PolicyError} when the file cannot be read or parsed, or the policy is invalid;
 * every problem names the file and the path inside it.
 *
 * @example
 * ```ts
 * const rg = createRolegate({ policy: loadPolicy('policy.yaml') })
 * ```
 */
export function loadPolicy(file: string, options: LoadPolicyOptions = {}): PolicyInput {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (cause) {
    throw new PolicyError(
      [{ file, path: 'policy', message: `cannot read the file: ${(cause as Error).message}` }],
      { cause },
    )
  }
  return parsePolicy(text, file, options)
}

/** The parser's message without its position, which the problem's path already gives. */
function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message
  return line.replace(/ at line \d+, column \d+:?$/, '')
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
