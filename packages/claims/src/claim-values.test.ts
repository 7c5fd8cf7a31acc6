import { describe, expect, test, vi } from 'vitest'

import { asciiLowerCase, claimValues } from './claim-values.js'

const none = { ignored: 0, unsupported: false, tooMany: false }

describe('claimValues', () => {
  test('absent is no values', () => {
    expect(claimValues(undefined, { split: undefined, maxValues: 10 })).toEqual({
      ...none,
      values: [],
      count: 0,
    })
  })

  test('a string is one value unless split', () => {
    expect(claimValues(' a  b ', { split: undefined, maxValues: 10 })).toEqual({
      ...none,
      values: [' a  b '],
      count: 1,
    })
    expect(claimValues(' a  b a ', { split: 'space', maxValues: 10 })).toEqual({
      ...none,
      values: ['a', 'b'],
      count: 3,
    })
    expect(claimValues('a, b,,a', { split: ',', maxValues: 10 })).toEqual({
      ...none,
      values: ['a', ' b'],
      count: 3,
    })
  })

  test('splits on ASCII space only, not tabs or other spaces', () => {
    expect(claimValues('a\tb\u00a0c d', { split: 'space', maxValues: 10 }).values).toEqual([
      'a\tb\u00a0c',
      'd',
    ])
  })

  test('counts split tokens before building them', () => {
    const text = 'x '.repeat(2_000_000)
    const split = vi.spyOn(String.prototype, 'split')
    try {
      expect(claimValues(text, { split: 'space', maxValues: 1000 })).toEqual({
        ...none,
        values: [],
        tooMany: true,
        count: 2_000_000,
      })
      expect(split).not.toHaveBeenCalled()
    } finally {
      split.mockRestore()
    }
  })

  test('measures an array by its length before reading any item', () => {
    const groups: unknown[] = new Array(1_000_001)
    let reads = 0
    Object.defineProperty(groups, 0, { get: () => (reads++, 'billing-admins'), enumerable: true })
    expect(claimValues(groups, { split: undefined, maxValues: 1000 })).toEqual({
      ...none,
      values: [],
      tooMany: true,
      count: 1_000_001,
    })
    expect(reads).toBe(0)
  })

  test('an array gives its distinct strings and counts the rest', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(claimValues(['a', 1, 'a', , { b: 1 }, 'b'], { split: 'space', maxValues: 10 })).toEqual({
      ...none,
      values: ['a', 'b'],
      ignored: 3,
      count: 6,
    })
  })

  test('anything else is unsupported', () => {
    for (const raw of [1, null, true, { a: 1 }, 1n]) {
      expect(claimValues(raw, { split: undefined, maxValues: 10 })).toEqual({
        ...none,
        values: [],
        unsupported: true,
        count: 0,
      })
    }
  })
})

describe('asciiLowerCase', () => {
  test('lowers A-Z only', () => {
    expect(asciiLowerCase('Billing ADMINS')).toBe('billing admins')
    expect(asciiLowerCase('İSTANBUL')).toBe('İstanbul')
    expect(asciiLowerCase('ＡＤＭＩＮ')).toBe('ＡＤＭＩＮ')
    expect(asciiLowerCase('ÀÉ')).toBe('ÀÉ')
  })
})
