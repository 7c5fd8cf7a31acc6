import { describe, expect, test } from 'vitest'
import { judgeMedian, median, medianInterval, resolves } from './statistics.js'

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

describe('judgeMedian', () => {
  // Ten values: the 95% interval runs from the 2nd lowest to the 2nd highest.
  const around = (low: number, high: number): number[] => [
    0,
    low,
    ...Array<number>(6).fill((low + high) / 2),
    high,
    9,
  ]

  test('passes when all of the interval clears the floor, fails when none of it does', () => {
    expect(judgeMedian(around(0.98, 1.02), 0.97)).toBe('pass')
    expect(judgeMedian(around(0.9, 0.96), 0.97)).toBe('fail')
  })

  test('is open when the interval straddles the floor, or with too few values for an interval', () => {
    expect(judgeMedian(around(0.95, 1.01), 0.97)).toBe('open')
    expect(judgeMedian([1.5, 1.5, 1.5, 1.5, 1.5], 0.97)).toBe('open')
  })

  test('at least the floor by default; above it when strict', () => {
    expect(judgeMedian(around(0.97, 1), 0.97)).toBe('pass')
    expect(judgeMedian(around(1, 1.2), 1, true)).toBe('open')
    expect(judgeMedian(around(1.01, 1.2), 1, true)).toBe('pass')
  })
})

describe('resolves', () => {
  const aa = (low: number, high: number): number[] => [0, low, 1, 1, 1, 1, 1, 1, high, 9]

  test('an A/A interval within 1 ± tolerance resolves that tolerance, a wider one does not', () => {
    expect(resolves(aa(0.98, 1.02), 0.03)).toBe(true)
    expect(resolves(aa(0.96, 1.02), 0.03)).toBe(false)
    expect(resolves(aa(0.98, 1.04), 0.03)).toBe(false)
  })

  test('too few rounds for an interval resolve nothing', () => {
    expect(resolves([1, 1, 1, 1, 1], 0.03)).toBe(false)
  })
})
