// Type-checks the `@example` blocks of the packages' TSDoc and the ts blocks of their READMEs:
// each becomes a module of its own that imports what its package's fixture (fixtures/<package>.ts)
// puts in scope, then holds the example in a block, so that a name the example declares itself
// shadows the fixture's.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'

/** One `@example` code block, where it was written. */
export interface DocExample {
  /** The package folder's name: `core`, `express`, … */
  readonly pkg: string
  /** The source file, relative to the repository. */
  readonly file: string
  /** The line of the block's first line of code (1-based). */
  readonly line: number
  readonly code: string
}

const SOURCE = /\.ts$/
const NOT_SOURCE = /\.(test|test-d|test-support|d)\.ts$/

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && SOURCE.test(entry.name) && !NOT_SOURCE.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
}

/** The ```ts blocks of each package's README. */
export function findReadmeExamples(root: string): DocExample[] {
  const examples: DocExample[] = []
  for (const pkg of readdirSync(join(root, 'packages')).sort()) {
    const path = join(root, 'packages', pkg, 'README.md')
    const lines = readFileSync(path, 'utf8').split('\n')
    for (let i = 0; i < lines.length; i++) {
      if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? '')) continue
      const close = lines.findIndex((l, at) => at > i && /^```\s*$/.test(l))
      if (close === -1) throw new Error(`${path}:${i + 1}: a ts block that is not closed`)
      const code = lines.slice(i + 1, close).join('\n')
      examples.push({ pkg, file: relative(root, path), line: i + 2, code })
      i = close
    }
  }
  return examples
}

/** The ```ts blocks that follow an `@example` tag in a TSDoc comment, in every package's src. */
export function findExamples(root: string): DocExample[] {
  const examples: DocExample[] = []
  for (const pkg of readdirSync(join(root, 'packages')).sort()) {
    for (const path of sourceFiles(join(root, 'packages', pkg, 'src'))) {
      const lines = readFileSync(path, 'utf8').split('\n')
      for (let i = 0; i < lines.length; i++) {
        if (!/^\s*\*\s*@example\b/.test(lines[i] ?? '')) continue
        const open = lines.findIndex((l, at) => at > i && /^\s*\*\s*```(ts|typescript)\s*$/.test(l))
        const close = lines.findIndex((l, at) => at > open && /^\s*\*\s*```\s*$/.test(l))
        if (open === -1 || close === -1)
          throw new Error(`${path}:${i + 1}: @example without a ts block`)
        const code = lines.slice(open + 1, close).map((l) => l.replace(/^\s*\* ?/, ''))
        examples.push({ pkg, file: relative(root, path), line: open + 2, code: code.join('\n') })
        i = close
      }
    }
  }
  return examples
}

/** The names a module exports, as an import list: `type X` for a type alone. */
function exportedNames(program: ts.Program, path: string): string[] {
  const source = program.getSourceFile(path)
  const checker = program.getTypeChecker()
  const module = source && checker.getSymbolAtLocation(source)
  if (module === undefined) throw new Error(`${path} is not a module`)
  return checker.getExportsOfModule(module).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
    return target.flags & ts.SymbolFlags.Value ? symbol.name : `type ${symbol.name}`
  })
}

const IMPORT = /^import\s+(?:type\s+)?(?:\{([^}]*)\}|(\w+)|\*\s+as\s+(\w+))\s+from\s+['"][^'"]+['"]/

/** The names an example binds with its own import lines. */
function importedNames(importLines: readonly string[]): Set<string> {
  const names = new Set<string>()
  for (const line of importLines) {
    const [, list, single, namespace] = IMPORT.exec(line) ?? []
    for (const part of (list ?? '').split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()
      if (name !== undefined && name !== '') names.add(name)
    }
    if (single !== undefined) names.add(single)
    if (namespace !== undefined) names.add(namespace)
  }
  return names
}

/**
 * Type-checks every example against the repository's tsconfig.json and returns one line per
 * problem, `file:line: message`, pointing into the TSDoc it came from.
 */
export function checkExamples(root: string, examples: readonly DocExample[]): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    },
  })
  if (config === undefined) throw new Error('tsconfig.json could not be read')
  const fixtures = (pkg: string) => join(root, 'test', 'docs', 'fixtures', `${pkg}.ts`)
  const packages = [...new Set(examples.map((e) => e.pkg))]
  const fixtureProgram = ts.createProgram(packages.map(fixtures), config.options)
  const inScope = new Map(
    packages.map((pkg) => [pkg, exportedNames(fixtureProgram, fixtures(pkg))]),
  )

  const virtual = new Map<string, { example: DocExample; text: string; offset: number }>()
  examples.forEach((example, index) => {
    const lines = example.code.split('\n')
    const importLines = lines.filter((l) => l.startsWith('import '))
    const own = importedNames(importLines)
    const names = (inScope.get(example.pkg) ?? []).filter(
      (name) => !own.has(name.replace(/^type /, '')),
    )
    const head = [
      `import { ${names.join(', ')} } from './fixtures/${example.pkg}.js'`,
      ...importLines,
      '{',
    ]
    const body = lines.map((l) => (l.startsWith('import ') ? '' : l))
    const text = [...head, ...body, '}', 'export {}', ''].join('\n')
    virtual.set(join(root, 'test', 'docs', `example-${index}.ts`), {
      example,
      text,
      offset: head.length,
    })
  })

  // The host reads the examples from memory and everything else from disk.
  const host = ts.createCompilerHost(config.options)
  const disk = {
    fileExists: host.fileExists.bind(host),
    readFile: host.readFile.bind(host),
    getSourceFile: host.getSourceFile.bind(host),
  }
  host.fileExists = (path) => virtual.has(path) || disk.fileExists(path)
  host.readFile = (path) => virtual.get(path)?.text ?? disk.readFile(path)
  host.getSourceFile = (path, language, ...rest) => {
    const text = virtual.get(path)?.text
    return text === undefined
      ? disk.getSourceFile(path, language, ...rest)
      : ts.createSourceFile(path, text, language)
  }
  // The fixtures' program has parsed every package already: its files are reused, not read again.
  const program = ts.createProgram({
    rootNames: [...virtual.keys()],
    options: config.options,
    host,
    oldProgram: fixtureProgram,
  })
  const problems: string[] = []
  for (const [path, { example, offset }] of virtual) {
    const source = program.getSourceFile(path)
    for (const d of [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ]) {
      const at =
        d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined
      const line = at === undefined ? example.line : example.line + at.line - offset
      problems.push(
        `${example.file}:${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
      )
    }
  }
  return problems
}
