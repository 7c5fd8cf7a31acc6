import { describe, expect, test } from 'vitest'
import { createRolegate } from './create-rolegate.js'
import { definePolicy } from './policy/define-policy.js'
import type { RoleSet } from './role-set.js'
import { RoleSetCache } from './role-set-cache.js'

/** A cache whose builds are recorded: each build gives a distinct object naming what it was built from. */
function recording(maxSize = 100) {
  const builds: [readonly string[], string | undefined][] = []
  const cache = new RoleSetCache(maxSize, (held, type) => {
    builds.push([held, type])
    return { held: [...held], type } as unknown as RoleSet
  })
  return { cache, builds }
}

describe('RoleSetCache', () => {
  test('a combination seen before gives the same set without building it again', () => {
    const { cache, builds } = recording()
    const first = cache.get(undefined, ['finance', 'reports'])
    expect(cache.get(undefined, ['finance', 'reports'])).toBe(first)
    expect(builds).toEqual([[['finance', 'reports'], undefined]])
  })

  test('the type, the order and every name count: no two lists share an entry by accident', () => {
    const { cache, builds } = recording()
    const lists: [string | undefined, string[]][] = [
      [undefined, ['a', 'b']],
      [undefined, ['b', 'a']],
      [undefined, ['a,b']],
      [undefined, ['a|b']],
      [undefined, ['a']],
      [undefined, []],
      ['', ['a', 'b']],
      ['user', ['a', 'b']],
      ['user|a', ['b']],
    ]
    const sets = lists.map(([type, held]) => cache.get(type, held))
    expect(new Set(sets).size).toBe(lists.length)
    expect(builds).toEqual(lists.map(([type, held]) => [held, type]))
    lists.forEach(([type, held], i) => expect(cache.get(type, held)).toBe(sets[i]))
    expect(builds).toHaveLength(lists.length)
  })

  test('when full it starts over', () => {
    const { cache, builds } = recording(2)
    const a = cache.get(undefined, ['a'])
    cache.get(undefined, ['b'])
    expect(cache.get(undefined, ['a'])).toBe(a)
    cache.get(undefined, ['c'])
    expect(cache.get(undefined, ['a'])).not.toBe(a)
    expect(builds.map(([held]) => held)).toEqual([['a'], ['b'], ['c'], ['a']])
  })

  test('a list of more than 16 names is sorted and de-duplicated, and cached only if it is then short', () => {
    const { cache, builds } = recording()
    const repeated = [...Array<string>(20).fill('b'), 'a']
    const set = cache.get(undefined, repeated)
    expect(cache.get(undefined, [...repeated].reverse())).toBe(set)
    const many = Array.from({ length: 17 }, (_, i) => `r${String(i).padStart(2, '0')}`)
    cache.get(undefined, many)
    cache.get(undefined, many)
    expect(builds).toEqual([
      [['a', 'b'], undefined],
      [many, undefined],
      [many, undefined],
    ])
  })
})

describe('the role-set cache behind rg.context', () => {
  const rg = createRolegate({
    policy: definePolicy({
      resources: ['invoices'],
      roles: {
        finance: { grants: { invoices: 'write' } },
        viewer: { grants: { invoices: 'read' } },
      },
    }),
  })

  test('a name that joins two role names is not those two roles', () => {
    expect(rg.context({ id: 'u', roles: ['finance', 'viewer'] }).can('invoices:write')).toBe(true)
    const joined = rg.context({ id: 'v', roles: ['finance,viewer'] })
    expect(joined.can('invoices:read')).toBe(false)
    expect(joined.roles().dropped).toEqual([{ role: 'finance,viewer', reason: 'unknown-role' }])
  })

  test('role lists in another order decide the same', () => {
    const ab = rg.context({ id: 'u', roles: ['viewer', 'finance'] })
    const ba = rg.context({ id: 'u', roles: ['finance', 'viewer'] })
    expect(ab.roles()).toEqual(ba.roles())
    expect(ab.can('invoices:write')).toBe(true)
  })
})
