/**
 * `pnpm bench`: rolegate beside @casl/ability, casbin, accesscontrol and @rbac/rbac on the same
 * policies (core), through Express and Koa over HTTP (http), and through the Redis context cache
 * (redis), and issue 3's 97% target in instructions (instructions) and in CPU time on a shared
 * core (cpu), in one run. `pnpm bench -- core http` runs a subset. See bench/README.md for what
 * each scenario measures and how to read it.
 */
import { cpus, loadavg, platform, release, totalmem } from 'node:os'
import { accesscontrol } from './peers/accesscontrol.js'
import { baseline } from './peers/baseline.js'
import { casbin } from './peers/casbin.js'
import { casl } from './peers/casl.js'
import type { Peer } from './peers/peer.js'
import { rbac } from './peers/rbac.js'
import { rolegate } from './peers/rolegate.js'
import { billwerk, oneRoleUsers, threeRoleUsers } from './policies/billwerk.js'
import { billwerkScenario } from './scenarios/a-billwerk.js'
import { allocationScenario } from './scenarios/allocation.js'
import { largeFixture, largeScenario } from './scenarios/b-large.js'
import { compileScenario } from './scenarios/c-compile.js'
import { contextScenario } from './scenarios/context-creation.js'
import { httpCpuScenario } from './scenarios/http-cpu.js'
import { httpInstructionsScenario } from './scenarios/http-instructions.js'
import { httpScenario } from './scenarios/http.js'
import { redisScenario } from './scenarios/redis.js'
import { printTargets } from './targets.js'

const peers: readonly Peer[] = [rolegate, baseline, casl, accesscontrol, casbin, rbac]

const SECTIONS = ['core', 'redis', 'http', 'instructions', 'cpu'] as const
type Section = (typeof SECTIONS)[number]

/** The sections named on the command line (`pnpm bench -- redis http`), or all of them. */
function sectionsFrom(args: readonly string[]): readonly Section[] {
  const named = args.filter((a) => a !== '--')
  const unknown = named.filter((a) => !(SECTIONS as readonly string[]).includes(a))
  if (unknown.length > 0)
    throw new Error(
      `unknown section ${unknown.join(', ')}: use ${SECTIONS.join(', ')} (or none for all)`,
    )
  return named.length === 0 ? SECTIONS : SECTIONS.filter((s) => named.includes(s))
}

function printHeader(sections: readonly Section[]): void {
  const cpu = cpus()
  console.log('rolegate bench')
  console.log(`node ${process.version} (V8 ${process.versions.v8}), ${platform()} ${release()}`)
  console.log(
    `cpu: ${cpu[0]?.model ?? 'unknown'} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
  )
  console.log(`date: ${new Date().toISOString()}`)
  console.log(`load average before the run: ${load()} (other processes share these cores)`)
  console.log(`sections: ${sections.join(', ')}`)
  if (!sections.includes('core')) return
  console.log('\nLibraries and how the neutral policy was mapped onto each:')
  for (const peer of peers) {
    console.log(`  ${peer.name}${peer.api === 'async' ? ' (async)' : ''}`)
    for (const note of peer.notes) console.log(`    - ${note}`)
  }
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
const start = performance.now()
const elapsed = (): string => `${((performance.now() - start) / 1000).toFixed(1)} s`

/** Issue 2: the core decision benchmarks. */
async function coreSection(): Promise<void> {
  const large = largeFixture()
  // C first: compile time and retained heap are read in a process whose heap holds nothing else yet.
  await compileScenario(
    peers.filter((p) => p !== baseline),
    large.policy,
  )
  console.log(`\n[C done at ${elapsed()}]`)
  const a = await billwerkScenario(peers)
  console.log(`\n[A done at ${elapsed()}]`)
  await largeScenario(peers, a)
  console.log(`\n[B done at ${elapsed()}]`)
  await contextScenario([
    { label: 'A, three roles', policy: billwerk, users: threeRoleUsers, count: 1024 },
    { label: 'A, one role', policy: billwerk, users: oneRoleUsers, count: 1024 },
    { label: 'B, 512 users', ...large, count: 4096 },
  ])
  await allocationScenario(peers, large)
  console.log(`\n[core done at ${elapsed()}]`)
}

async function main(): Promise<void> {
  const sections = sectionsFrom(process.argv.slice(2))
  printHeader(sections)
  if (sections.includes('core')) await coreSection()
  if (sections.includes('redis')) {
    await redisScenario()
    console.log(`\n[redis done at ${elapsed()}]`)
  }
  if (sections.includes('http')) {
    await httpScenario()
    console.log(`\n[http done at ${elapsed()}]`)
  }
  if (sections.includes('instructions')) {
    await httpInstructionsScenario()
    console.log(`\n[instructions done at ${elapsed()}]`)
  }
  if (sections.includes('cpu')) {
    await httpCpuScenario()
    console.log(`\n[cpu done at ${elapsed()}]`)
  }
  printTargets()
  console.log(`\ntotal: ${elapsed()}, load average after the run: ${load()}`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
