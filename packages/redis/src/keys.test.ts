import { describe, expect, test } from 'vitest'
import { redisKeys } from './keys.js'

describe('redisKeys', () => {
  test('lays out every key under the prefix, each subject in its own hash tag', () => {
    const keys = redisKeys('app:rg:')
    expect({
      channel: keys.channel,
      policy: keys.policy,
      subject: keys.subject('u1'),
      global: keys.holders('admin', undefined),
      scoped: keys.holders('admin', 'team:42'),
      scopes: keys.scopesOf('admin'),
      pattern: keys.subjectPattern,
    }).toEqual({
      channel: 'app:rg:changes',
      policy: 'app:rg:policy',
      subject: 'app:rg:s:{u1}',
      global: 'app:rg:g:admin',
      scoped: 'app:rg:r:admin:team:42',
      scopes: 'app:rg:rs:admin',
      pattern: 'app:rg:s:{*}',
    })
    expect(redisKeys().subject('u1')).toBe('rolegate:s:{u1}')
  })

  test('reads the subject id back from its key, whatever the id holds', () => {
    const keys = redisKeys('a*b:')
    for (const id of ['u1', 'team}42', '{x}', 'ü ñ'])
      expect(keys.subjectIdOf(keys.subject(id))).toBe(id)
    expect(keys.subjectPattern).toBe('a\\*b:s:{*}')
  })

  test('refuses a prefix with a brace, which would move the hash tag', () => {
    for (const prefix of ['{app}:', 'app}', 'a{']) {
      expect(() => redisKeys(prefix)).toThrow(
        `keyPrefix must be a string without "{" or "}" (it would move the hash tag), got ${JSON.stringify(prefix)}`,
      )
    }
  })
})
