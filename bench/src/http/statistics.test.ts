import { describe, expect, test } from 'vitest'
import { median, medianInterval } from './statistics.js'

describe('median', () => {
  test('is the middle value, or the mean of the two middle ones, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNaN()
  })
})

describe('medianInterval', () => {
  const ranks = (n: number): number[] => Array.from({ length: n }, (_, i) => n - i) // n … 1

  test('has no 95% interval for fewer than 6 values: even the extremes cover only 93.75% at 5', () => {
    expect(medianInterval(ranks(5))).toBeUndefined()
    expect(medianInterval(ranks(6))).toEqual([1, 6])
  })

  test('leaves out the ranks the sign test allows: 2 each side at 10, 7 each side at 25', () => {
    // P(X ≤ 1) = 1.1% ≤ 2.5% < P(X ≤ 2) = 5.5% for X ~ Bin(10, ½)
    expect(medianInterval(ranks(10))).toEqual([2, 9])
    // P(X ≤ 7) = 2.2% ≤ 2.5% < P(X ≤ 8) = 5.4% for X ~ Bin(25, ½)
    expect(medianInterval(ranks(25))).toEqual([8, 18])
  })

  test('narrows at a lower confidence', () => {
    // P(X ≤ 2) = 5.5% ≤ 10% < P(X ≤ 3) = 17.2% for X ~ Bin(10, ½)
    expect(medianInterval(ranks(10), 0.8)).toEqual([3, 8])
  })
})
