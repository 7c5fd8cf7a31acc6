import { createMongoAbility } from '@casl/ability'
import { createRolegate, type Subject } from '@rolegate/core'
import { bestOfRounds, type Timing } from '../measure.js'
import { caslResolveAction, caslRulesFor } from '../peers/casl.js'
import type { Runner } from '../peers/peer.js'
import { rolegatePolicy } from '../peers/rolegate.js'
import { drawChecks } from '../policies/draw.js'
import {
  allows,
  internalize,
  type Check,
  type NeutralPolicy,
  type User,
} from '../policies/neutral.js'
import { duration, printTable, rate, ratio } from '../report.js'
import { judge } from '../targets.js'

const TARGET_NS = 2000

/** rolegate: a new context per request for a subject object as a session gives it, then one check. */
function rolegateRunner(policy: NeutralPolicy, checks: readonly Check[]): Runner {
  const rg = createRolegate({ policy: rolegatePolicy(policy) })
  // Fresh subject objects and role arrays, as deserialized from a session or token.
  const subjects: Subject[] = checks.map((c) => ({ id: c.user.id, roles: [...c.user.roles] }))
  const permissions = checks.map((c) => internalize(`${c.resource}:${c.action}`))
  const one = (i: number): boolean =>
    rg.context(subjects[i] as Subject).can(permissions[i] as string)
  return {
    run(from, to) {
      let allowed = 0
      for (let i = from; i < to; i++) if (one(i)) allowed++
      return allowed
    },
    answer: one,
  }
}

/** CASL: what its docs do per request, an Ability from the user's rules (rules prepared beforehand). */
function caslRunner(policy: NeutralPolicy, checks: readonly Check[]): Runner {
  const rulesFor = caslRulesFor(policy)
  const byUser = new Map<string, ReturnType<typeof rulesFor>>()
  const rules = checks.map((c) => {
    let r = byUser.get(c.user.id)
    if (r === undefined) byUser.set(c.user.id, (r = rulesFor(c.user.roles)))
    return r
  })
  const actions = checks.map((c) => internalize(c.action))
  const subjects = checks.map((c) => internalize(c.resource))
  const one = (i: number): boolean =>
    createMongoAbility(rules[i] ?? [], { resolveAction: caslResolveAction }).can(
      actions[i] as string,
      subjects[i] as string,
    )
  return {
    run(from, to) {
      let allowed = 0
      for (let i = from; i < to; i++) if (one(i)) allowed++
      return allowed
    },
    answer: one,
  }
}

async function verified(
  runner: Runner,
  policy: NeutralPolicy,
  checks: readonly Check[],
  name: string,
): Promise<Runner> {
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i] as Check
    if ((await runner.answer(i)) !== allows(policy, c.user, c.resource, c.action))
      throw new Error(
        `${name} disagrees with the reference on ${c.user.id} ${c.resource}:${c.action}`,
      )
  }
  return runner
}

/**
 * Context creation: `rg.context(subject)` plus its first `can()`, for subjects whose role set was
 * seen before (the verification pass above fills the role-set cache). Set beside CASL's per-request
 * Ability. casbin, accesscontrol and @rbac/rbac have no per-subject object: they take roles per check.
 */
export async function contextScenario(
  fixtures: readonly {
    label: string
    policy: NeutralPolicy
    users: readonly User[]
    count: number
  }[],
): Promise<void> {
  const prepared = []
  for (const fixture of fixtures) {
    const { policy, users, count } = fixture
    const checks = drawChecks(policy, users, { count, outcome: 'mixed', seed: 21 })
    const own = await verified(rolegateRunner(policy, checks), policy, checks, 'rolegate')
    const casl = await verified(caslRunner(policy, checks), policy, checks, 'CASL')
    prepared.push({ fixture, own, casl })
  }
  const best = await bestOfRounds(
    prepared.flatMap(({ fixture, own, casl }) => [
      { runner: own, count: fixture.count, async: false },
      { runner: casl, count: fixture.count, async: false },
    ]),
  )
  const rows: string[][] = []
  prepared.forEach(({ fixture }, i) => {
    const own = best[2 * i] as Timing
    const casl = best[2 * i + 1] as Timing
    const result = judge({
      scenario: `context creation, ${fixture.label}`,
      target: `< ${duration(TARGET_NS)}`,
      measured: duration(own.ns),
      pass: own.ns < TARGET_NS,
    })
    rows.push([
      `rolegate: rg.context(subject).can(p)`,
      fixture.label,
      duration(own.ns),
      rate(own.perSecond),
      '—',
      `< ${duration(TARGET_NS)}`,
      result,
    ])
    rows.push([
      `CASL: createMongoAbility(rules).can(a, s)`,
      fixture.label,
      duration(casl.ns),
      rate(casl.perSecond),
      ratio(casl.ns, own.ns),
      '',
      '',
    ])
  })
  printTable(
    'Context creation: a new context and its first check, role set seen before',
    ['what', 'users', 'ns (median)', 'per s', 'vs rolegate', 'target', 'result'],
    rows,
    [
      "subjects are fresh { id, roles } objects per request; CASL gets each user's rules prepared beforehand",
      'casbin, accesscontrol and @rbac/rbac keep no per-subject object: roles are passed with each check',
    ],
  )
}
