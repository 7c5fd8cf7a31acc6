import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { checkExamples, findExamples, findReadmeExamples } from './doc-examples.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('the code examples of the TSDoc and the READMEs', () => {
  const examples = findExamples(root)

  test('every package with a public API has examples', () => {
    const packages = new Set(examples.map((e) => e.pkg))
    expect([...packages].sort()).toEqual(['claims', 'cli', 'core', 'express', 'koa', 'redis'])
  })

  // One program for all of them, TSDoc and READMEs: a few seconds, not one per example.
  test(
    'every example and README ts block compiles against the public API',
    { timeout: 120_000 },
    () => {
      const readmes = findReadmeExamples(root)
      expect(readmes.length).toBeGreaterThan(0)
      expect(checkExamples(root, [...examples, ...readmes])).toEqual([])
    },
  )

  test('a wrong name in an example is found, at its line in the TSDoc', () => {
    const wrong = {
      pkg: 'core',
      file: 'packages/core/src/example.ts',
      line: 10,
      code: "const ctx = rg.context({ id: 'u1' })\nctx.can('invocies:read')",
    }
    const [problem, ...more] = checkExamples(root, [wrong])
    expect(more).toEqual([])
    expect(problem).toMatch(
      /^packages\/core\/src\/example\.ts:11: Argument of type '"invocies:read"' is not assignable/,
    )
  })
})
