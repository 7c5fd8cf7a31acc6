import { createRolegate, type PolicyInput } from '@rolegate/core'
import { describe, expect, test } from 'vitest'
import { lintPolicy } from './check-policy.js'
import { lintContext } from './lint-context.js'
import {
  conflictWithDefault,
  deadInheritance,
  exclusiveDefault,
  shadowedGrant,
  superuserDefault,
  unusableRole,
  type LintRule,
} from './lint-rules.js'

const findings = (rule: LintRule, policy: PolicyInput) => rule.check(lintContext(policy))
const core = (policy: PolicyInput) => createRolegate({ policy })

describe('unusable-role: holding the role alone brings a conflicting pair', () => {
  const policy: PolicyInput = {
    resources: ['a'],
    roles: {
      x: { grants: { a: 'read' } },
      y: { grants: { a: 'write' } },
      both: { inherits: ['x', 'y'] },
      lead: { inherits: ['x'] },
    },
    conflicts: [
      ['x', 'y'],
      ['lead', 'x'],
    ],
  }

  test('core denies everything to a subject holding only such a role', () => {
    for (const role of ['both', 'lead']) {
      expect(
        core(policy)
          .context({ id: 's', roles: [role] })
          .explain('a:read').reason,
      ).toBe('exclusive-conflict')
    }
    expect(
      core(policy)
        .context({ id: 's', roles: ['x'] })
        .can('a:read'),
    ).toBe(true)
  })

  test('is reported for each such role, and not for the roles of the pair', () => {
    expect(findings(unusableRole, policy)).toEqual([
      {
        path: 'policy.roles.both',
        message:
          'nobody can act with role "both": it brings "x" and "y", which may not be held together, so every decision denies (exclusive-conflict)',
      },
      {
        path: 'policy.roles.lead',
        message:
          'nobody can act with role "lead": it may not be held with "x", which it inherits, so every decision denies (exclusive-conflict)',
      },
    ])
    expect(findings(unusableRole, { ...policy, conflicts: [] })).toEqual([])
  })
})

describe('superuser-default: a default role makes everyone a superuser', () => {
  const policy: PolicyInput = {
    resources: ['a'],
    roles: {
      boss: { superuser: true },
      everyone: { inherits: ['boss'] },
      staff: { subjectTypes: ['staff'], inherits: ['boss'] },
    },
    defaults: ['everyone'],
  }

  test('core lets a subject with no roles do everything', () => {
    expect(core(policy).context({ id: 's' }).can('a:write')).toBe(true)
  })

  test('is reported at the default that brings it, and names the subject types when not all', () => {
    expect(findings(superuserDefault, policy)).toEqual([
      {
        path: 'policy.defaults[0]',
        message:
          'every authenticated subject holds superuser role "boss" (through default role "everyone"), so it may do everything',
      },
    ])
    expect(findings(superuserDefault, { ...policy, defaults: ['staff'] })).toEqual([
      {
        path: 'policy.defaults[0]',
        message:
          'every authenticated subject of type "staff" holds superuser role "boss" (through default role "staff"), so it may do everything',
      },
    ])
    expect(findings(superuserDefault, { ...policy, defaults: [] })).toEqual([])
  })
})

describe('exclusive-default: exclusivity is not enforced for default roles', () => {
  const policy: PolicyInput = {
    resources: ['a', 'profile'],
    roles: {
      solo: { exclusive: true, grants: { profile: 'write' } },
      clerk: { grants: { a: 'write' } },
    },
    defaults: ['solo'],
  }

  test('core holds the default beside another role without conflict, but not when assigned', () => {
    const rg = core(policy)
    const alone = rg.context({ id: 's', roles: ['clerk'] }).roles()
    expect(alone.inForce).toEqual(['solo', 'clerk'])
    expect(alone.conflict).toBeUndefined()
    expect(rg.context({ id: 's', roles: ['clerk', 'solo'] }).roles().conflict).toEqual({
      kind: 'exclusive',
      roles: ['solo', 'clerk'],
    })
  })

  test('is reported on the exclusive flag, and not when the role is no default', () => {
    expect(findings(exclusiveDefault, policy)).toEqual([
      {
        path: 'policy.roles.solo.exclusive',
        message:
          'exclusive role "solo" is a default role: defaults are not checked for exclusivity, so a subject holding "clerk" also holds "solo" and is not denied; it only denies everything when "solo" is assigned explicitly beside another role',
      },
    ])
    expect(findings(exclusiveDefault, { ...policy, defaults: [] })).toEqual([])
  })
})

describe('conflict-with-default: a conflicting pair that involves a default role', () => {
  const policy: PolicyInput = {
    resources: ['a'],
    roles: { guest: { grants: { a: 'read' } }, member: { grants: { a: 'write' } }, other: {} },
    conflicts: [['guest', 'member']],
    defaults: ['member'],
  }

  test('core does not deny a subject that holds the other role', () => {
    const rg = core(policy)
    const report = rg.context({ id: 's', roles: ['guest'] }).roles()
    expect(report.inForce).toEqual(['guest', 'member'])
    expect(report.conflict).toBeUndefined()
    expect(rg.context({ id: 's', roles: ['guest', 'member'] }).can('a:read')).toBe(false)
  })

  test('is reported on the pair, also when both roles are defaults, and not otherwise', () => {
    expect(findings(conflictWithDefault, policy)).toEqual([
      {
        path: 'policy.conflicts[0]',
        message:
          '"member" is a default role and defaults are not checked for conflicts: a subject holding "guest" holds both and is not denied; the pair only denies when "member" is assigned explicitly',
      },
    ])
    expect(findings(conflictWithDefault, { ...policy, defaults: ['member', 'guest'] })).toEqual([
      {
        path: 'policy.conflicts[0]',
        message:
          '"guest" and "member" are both default roles: every subject holds both, and defaults are not checked for conflicts, so the pair never denies',
      },
    ])
    expect(findings(conflictWithDefault, { ...policy, defaults: ['other'] })).toEqual([])
  })
})

describe('shadowed-grant: grants of a role that is or brings a superuser', () => {
  const policy: PolicyInput = {
    resources: ['a', 'secrets'],
    roles: {
      root: { superuser: true, grants: { secrets: 'none' } },
      deputy: { inherits: ['root'], grants: { a: 'read' } },
      staff_root: { superuser: true, subjectTypes: ['staff'] },
      helper: { inherits: ['staff_root'], grants: { a: 'read' } },
    },
  }

  test('core allows what the grants seem to restrict', () => {
    expect(
      core(policy)
        .context({ id: 's', roles: ['root'] })
        .can('secrets:read'),
    ).toBe(true)
    expect(
      core(policy)
        .context({ id: 's', roles: ['deputy'] })
        .can('a:write'),
    ).toBe(true)
  })

  test('is reported for both, and not where a subject type drops the superuser', () => {
    expect(findings(shadowedGrant, policy)).toEqual([
      {
        path: 'policy.roles.root.grants',
        message:
          'role "root" is a superuser: its grants are never consulted (a superuser allows every action, and "none" restricts nothing)',
      },
      {
        path: 'policy.roles.deputy.grants',
        message:
          'role "deputy" inherits superuser role "root": its grants are never consulted (a superuser allows every action, and "none" restricts nothing)',
      },
    ])
    // helper held by a subject without type "staff" does not get staff_root: its grants count.
    expect(
      core(policy)
        .context({ id: 's', roles: ['helper'] })
        .can('a:write'),
    ).toBe(false)
  })
})

describe('dead-inheritance: an inherited role that subject types always drop', () => {
  const policy: PolicyInput = {
    resources: ['a'],
    roles: {
      partner: { subjectTypes: ['partner'], inherits: ['bridge'] },
      bridge: { inherits: ['tools'] },
      tools: { subjectTypes: ['staff'], grants: { a: 'read' } },
      anyone: { inherits: ['tools'] },
    },
  }

  test('core drops it for every subject type that may hold the role', () => {
    const report = core(policy)
      .context({ id: 's', type: 'partner', roles: ['partner'] })
      .roles()
    expect(report.inForce).toEqual(['partner', 'bridge'])
    expect(report.dropped).toEqual([{ role: 'tools', reason: 'subject-type' }])
  })

  test('is reported through a chain, and not where some subject type keeps it', () => {
    expect(findings(deadInheritance, policy)).toEqual([
      {
        path: 'policy.roles.partner.inherits',
        message:
          'inherited role "tools" is never in force with "partner": core drops it, or a role between them, for every subject type that may hold "partner" ("partner"); "tools" is for "staff"',
      },
    ])
  })
})

describe('condition names', () => {
  const policy: PolicyInput = {
    resources: ['a', 'b'],
    roles: {
      x: { grants: { a: { actions: 'read', when: 'self' }, b: { actions: 'read', when: 'self' } } },
      y: { grants: { b: { actions: 'write', when: 'owner' } } },
    },
  }

  test('without known conditions, each condition used is one warning at its first use', () => {
    expect(lintPolicy(policy)).toEqual([
      {
        path: 'policy.roles.x.grants.a.when',
        message:
          'condition "self" is not declared: pass --conditions self if the application supplies it',
        severity: 'warning',
        rule: 'undeclared-condition',
      },
      {
        path: 'policy.roles.y.grants.b.when',
        message:
          'condition "owner" is not declared: pass --conditions owner if the application supplies it',
        severity: 'warning',
        rule: 'undeclared-condition',
      },
    ])
  })

  test("with known conditions, every use of another one is core's error", () => {
    expect(lintPolicy(policy, { conditions: new Set(['owner']) })).toEqual([
      {
        path: 'policy.roles.x.grants.a.when',
        message: 'condition "self" has no function: pass it in createRolegate({ conditions })',
        severity: 'error',
        rule: 'unknown-condition',
      },
      {
        path: 'policy.roles.x.grants.b.when',
        message: 'condition "self" has no function: pass it in createRolegate({ conditions })',
        severity: 'error',
        rule: 'unknown-condition',
      },
    ])
    expect(lintPolicy(policy, { conditions: new Set(['owner', 'self']) })).toEqual([])
  })
})
