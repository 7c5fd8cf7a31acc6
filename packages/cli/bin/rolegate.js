#!/usr/bin/env node
// The `rolegate` command.
//
// Installed from the registry (this file lies under node_modules), it runs the compiled
// dist/bin.js. In the rolegate repository it runs src/bin.ts through tsx with the
// @rolegate/source condition, so `pnpm exec rolegate` always runs the code as it is in the tree:
// a dist/ left over from an earlier build is never picked up by mistake, and no build is needed.
// (pnpm publishes `publishConfig.bin`, which points at dist/bin.js directly; this file is what
// other package managers and the workspace link.)
import { spawnSync } from 'node:child_process'
import { sep } from 'node:path'
import process from 'node:process'
import { fileURLToPath, URL } from 'node:url'

const installed = fileURLToPath(import.meta.url)
  .split(sep)
  .includes('node_modules')

function tsxLoader() {
  try {
    return import.meta.resolve('tsx')
  } catch {
    return undefined
  }
}

const tsx = installed ? undefined : tsxLoader()
if (tsx === undefined) {
  await import('../dist/bin.js')
} else {
  const source = fileURLToPath(new URL('../src/bin.ts', import.meta.url))
  const child = spawnSync(
    process.execPath,
    ['--conditions=@rolegate/source', '--import', tsx, source, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  )
  if (child.error !== undefined) throw child.error
  if (child.signal !== null) process.kill(process.pid, child.signal)
  process.exitCode = child.status ?? 1
}
