import { describe, expect, test } from 'vitest'
import { namesFromSetting } from './settings.js'

const KNOWN = ['express', 'koa'] as const

describe('namesFromSetting', () => {
  test('gives the listed names, trimmed, and undefined when the setting is unset or empty', () => {
    expect(namesFromSetting('S', ' koa , express', KNOWN, 'framework')).toEqual(['koa', 'express'])
    expect(namesFromSetting('S', undefined, KNOWN, 'framework')).toBeUndefined()
    expect(namesFromSetting('S', '', KNOWN, 'framework')).toBeUndefined()
  })

  test('an unknown name throws, naming the setting, every unknown name and the known ones', () => {
    expect(() =>
      namesFromSetting('BENCH_CPU_FRAMEWORKS', 'koa,hapi,nest', KNOWN, 'framework'),
    ).toThrow(new Error('BENCH_CPU_FRAMEWORKS: no framework hapi, nest (express, koa)'))
  })
})
