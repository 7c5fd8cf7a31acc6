import { describe, expect, test } from 'vitest'
import { duration, micros, signed } from './report.js'

describe('signed', () => {
  test('prints the sign, then the size in the given format', () => {
    expect(signed(micros)(4.04)).toBe('+4.0 µs')
    expect(signed(micros)(-2.88)).toBe('−2.9 µs')
    expect(signed(duration)(-359)).toBe('−359 ns')
    expect(signed((bytes) => `${Math.round(bytes)} B`)(0)).toBe('+0 B')
  })
})
