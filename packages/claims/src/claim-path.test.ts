import { describe, expect, test } from 'vitest'

import { claimLabel, parseClaimPath, readClaimPath } from './claim-path.js'

const where = { connection: 'c', rule: 'r' }

describe('parseClaimPath', () => {
  test('a string is one literal name, dots and colons included', () => {
    expect(parseClaimPath('https://example.com/roles', where)).toEqual([
      'https://example.com/roles',
    ])
    expect(parseClaimPath('cognito:groups', where)).toEqual(['cognito:groups'])
    expect(parseClaimPath('urn:oid:1.3.6.1.4.1.5923.1.1.1.7', where)).toEqual([
      'urn:oid:1.3.6.1.4.1.5923.1.1.1.7',
    ])
  })

  test('an array is a path; a one-element array may hold a dotted name', () => {
    expect(parseClaimPath(['resource_access', 'billing.app', 'roles'], where)).toEqual([
      'resource_access',
      'billing.app',
      'roles',
    ])
    expect(parseClaimPath(['realm_access.roles'], where)).toEqual(['realm_access.roles'])
  })

  test('refuses a string that reads like a dotted path', () => {
    expect(() => parseClaimPath('resource_access.billing-app.roles', where)).toThrow(
      'write ["resource_access","billing-app","roles"] for a nested claim',
    )
  })

  test.each([[''], [[]], [['a', '']], [[1]], [undefined]])('refuses %j', (claim) => {
    expect(() => parseClaimPath(claim, where)).toThrow('Claim mapping: connection "c", rule "r"')
  })

  test('labels a path by joining its segments', () => {
    expect(claimLabel(['realm_access', 'roles'])).toBe('realm_access.roles')
  })
})

describe('readClaimPath', () => {
  test('reads own properties along the path', () => {
    const claims = { realm_access: { roles: ['a'] } }
    expect(readClaimPath(claims, ['realm_access', 'roles'])).toEqual({ value: ['a'] })
  })

  test('never reads through a prototype', () => {
    const inherited = Object.create({ groups: ['a'] }) as object
    expect(readClaimPath(inherited, ['groups'])).toEqual({ value: undefined })
    expect(readClaimPath({}, ['constructor'])).toEqual({ value: undefined })
    expect(readClaimPath({}, ['constructor', 'name'])).toEqual({ value: undefined })
    expect(readClaimPath({}, ['__proto__'])).toEqual({ value: undefined })
  })

  test('does not walk into a string, an array or null: it says which step is not an object', () => {
    expect(readClaimPath({ a: 'text' }, ['a', 'length'])).toEqual({
      wrongShape: { claim: 'a', shape: 'string', next: 'length' },
    })
    expect(readClaimPath({ a: [{ b: 1 }] }, ['a', '0', 'b'])).toEqual({
      wrongShape: { claim: 'a', shape: 'array', next: '0' },
    })
    expect(readClaimPath({ a: { b: null } }, ['a', 'b', 'c'])).toEqual({
      wrongShape: { claim: 'a.b', shape: 'null', next: 'c' },
    })
  })

  test('a step that is missing, or undefined, is absent', () => {
    expect(readClaimPath({ a: undefined }, ['a', 'b'])).toEqual({ value: undefined })
    expect(readClaimPath({ a: {} }, ['a', 'b', 'c'])).toEqual({ value: undefined })
  })

  test('reads an own __proto__ key that JSON.parse made', () => {
    const claims: unknown = JSON.parse('{"__proto__":{"roles":["a"]}}')
    expect(readClaimPath(claims, ['__proto__', 'roles'])).toEqual({ value: ['a'] })
    expect(readClaimPath(claims, ['roles'])).toEqual({ value: undefined })
  })
})
