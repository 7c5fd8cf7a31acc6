import { randomBytes } from 'node:crypto'
import { createRolegate, definePolicy, type AssignmentChange } from '@rolegate/core'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { recommendedRedisOptions } from './client-options.js'
import { redisAssignmentStore } from './redis-assignment-store.js'

// This file tests what only this store has (epochs, the role index, the channel, damaged records);
// the checks every store makes (exclusive roles, conflicts, subject types) are the contract's.
const policy = definePolicy({
  resources: ['projects', 'documents'],
  roles: {
    admin: { grants: { '*': 'write' } },
    standard: { grants: { projects: 'write' } },
    templates: { grants: { documents: 'read' } },
  },
})
const rg = createRolegate({ policy })

// The machine's Redis (REDIS_URL overrides it); every key of this file lives under one prefix.
const prefix = `rg:test:unit-store:${randomBytes(4).toString('hex')}:`
const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  ...recommendedRedisOptions,
  lazyConnect: true,
})

// With the offline queue off, commands fail until the connection is ready.
beforeAll(() => client.connect())
afterAll(async () => {
  const keys = await client.keys(`${prefix}*`)
  if (keys.length > 0) await client.del(...keys)
  client.disconnect()
})

let run = 0
function setup() {
  const changes: AssignmentChange[] = []
  const keyPrefix = `${prefix}${run++}:`
  const store = redisAssignmentStore({
    client,
    keyPrefix,
    rolegate: rg,
    onChange: (c) => changes.push(c),
  })
  return { store, changes, keyPrefix }
}

// What every store must do alike is test/stores/assignment-store-contract.ts, run on this one too.
describe('redisAssignmentStore', () => {
  test('every change gets a new random epoch; a change that changes nothing keeps it', async () => {
    const { store, changes } = setup()
    expect(await store.epoch('u')).toBeNull()
    await store.revoke('u', 'standard')
    expect(await store.epoch('u')).toBeNull()
    await store.assign('u', 'standard')
    const first = await store.epoch('u')
    expect(first).toMatch(/^[A-Za-z0-9_-]{12}$/)
    await store.assign('u', 'standard')
    await store.revoke('u', 'templates')
    expect(await store.epoch('u')).toBe(first)
    await store.assign('u', 'templates')
    const second = await store.epoch('u')
    expect(second).toMatch(/^[A-Za-z0-9_-]{12}$/)
    expect(second).not.toBe(first)
    expect(await store.read('u')).toEqual({
      epoch: second,
      assignments: { type: undefined, roles: ['standard', 'templates'], scoped: {} },
    })
    expect(changes.map((c) => c.kind)).toEqual(['assign', 'assign'])
  })

  test('delete forgets the subject, its epoch and its index entries', async () => {
    const { store, changes, keyPrefix } = setup()
    await store.assign('u', 'standard')
    await store.assign('u', 'templates', { scope: 'team:1' })
    await store.delete('u')
    await store.delete('u')
    expect(await store.read('u')).toEqual({ epoch: null, assignments: undefined })
    expect(await client.exists(`${keyPrefix}s:{u}`)).toBe(0)
    expect(await store.list({ role: 'standard' })).toEqual([])
    expect(await client.smembers(`${keyPrefix}g:standard`)).toEqual([])
    expect(await client.smembers(`${keyPrefix}r:templates:team:1`)).toEqual([])
    expect(changes.map((c) => c.kind)).toEqual(['assign', 'assign', 'delete'])
  })

  test('publishes every change on the channel, in the same step as the write', async () => {
    const { store, keyPrefix } = setup()
    const subscriber = client.duplicate({ lazyConnect: true })
    await subscriber.connect()
    const messages: string[] = []
    subscriber.on('message', (_channel: string, message: string) => messages.push(message))
    await subscriber.subscribe(`${keyPrefix}changes`)
    try {
      await store.assign('team}member', 'standard')
      const epoch = await store.epoch('team}member')
      await store.delete('team}member')
      await expect.poll(() => messages.length).toBe(2)
      expect(messages).toEqual([`s:${epoch}:team}member`, 's::team}member'])
    } finally {
      subscriber.disconnect()
    }
  })

  test('list checks the index against the records: a stale member is not listed', async () => {
    const { store, keyPrefix } = setup()
    await store.assign('u1', 'standard')
    await client.sadd(`${keyPrefix}g:standard`, 'ghost', 'u9')
    await client.hset(`${keyPrefix}s:{u9}`, 'e', 'x', 'a', '{"roles":["templates"],"scoped":{}}')
    expect(await store.list({ role: 'standard' })).toEqual(['u1'])
  })

  test('rebuildIndex adds what a crashed writer left out and removes what no one holds', async () => {
    const { store, keyPrefix } = setup()
    await store.assign('u1', 'standard')
    await store.assign('u2', 'templates', { scope: 'team:1' })
    await client.del(`${keyPrefix}g:standard`, `${keyPrefix}r:templates:team:1`)
    await client.sadd(`${keyPrefix}g:admin`, 'u1')
    expect(await store.list({ role: 'standard' })).toEqual([])
    expect(await store.rebuildIndex()).toEqual({ added: 2, removed: 1 })
    expect(await store.list({ role: 'standard' })).toEqual(['u1'])
    expect(await store.list({ role: 'templates', scope: 'team:1' })).toEqual(['u2'])
    expect(await client.smembers(`${keyPrefix}g:admin`)).toEqual([])
  })

  test('a failed index update after a committed change is reported; a throwing onError is logged', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const loggerDown = new Error('logger down')
    const heard: unknown[] = []
    try {
      const keyPrefix = `${prefix}${run++}:`
      const store = redisAssignmentStore({
        client,
        keyPrefix,
        rolegate: rg,
        onError: (error) => {
          heard.push(error)
          throw loggerDown
        },
      })
      // The index set of "standard" is a string: adding to it fails with WRONGTYPE.
      await client.set(`${keyPrefix}g:standard`, 'not a set')
      await store.assign('u', 'standard')
      expect(await store.get('u')).toEqual({ type: undefined, roles: ['standard'], scoped: {} })
      expect(heard).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/^WRONGTYPE/) as string }),
      ])
      expect(logged.mock.calls).toEqual([[loggerDown]])
    } finally {
      logged.mockRestore()
    }
  })

  test('without onError, a failed index update goes to console.error', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const { store, keyPrefix } = setup()
      await client.set(`${keyPrefix}g:standard`, 'not a set')
      await store.assign('u', 'standard')
      expect(logged.mock.calls).toEqual([
        [expect.objectContaining({ message: expect.stringMatching(/^WRONGTYPE/) as string })],
      ])
    } finally {
      logged.mockRestore()
    }
  })

  test('an unreadable record is refused as unavailable, never read as empty', async () => {
    const { store, keyPrefix } = setup()
    await client.hset(`${keyPrefix}s:{u}`, 'e', 'x', 'a', '{"roles":"admin","scoped":{}}')
    await expect(store.get('u')).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_BACKEND_UNAVAILABLE',
      status: 503,
      message: 'The stored assignments of subject "u" are unreadable.',
      cause: { message: 'stored assignments: "roles" is not a list of role names' },
    })
  })

  test('half a record holds no roles, and the next change replaces it', async () => {
    const { store, keyPrefix } = setup()
    const doc = '{"roles":["admin"],"scoped":{}}'
    await client.hset(`${keyPrefix}s:{epoch-only}`, 'e', 'x')
    await client.hset(`${keyPrefix}s:{doc-only}`, 'a', doc)
    expect(await store.read('epoch-only')).toEqual({ epoch: 'x', assignments: undefined })
    expect(await store.read('doc-only')).toEqual({ epoch: null, assignments: undefined })
    await store.assign('epoch-only', 'standard')
    await store.assign('doc-only', 'templates')
    expect(await store.get('epoch-only')).toEqual({
      type: undefined,
      roles: ['standard'],
      scoped: {},
    })
    expect(await store.get('doc-only')).toEqual({
      type: undefined,
      roles: ['templates'],
      scoped: {},
    })
    await client.hdel(`${keyPrefix}s:{epoch-only}`, 'a')
    await store.delete('epoch-only')
    expect(await client.exists(`${keyPrefix}s:{epoch-only}`)).toBe(0)
  })

  test('refuses an id or a scope with a lone surrogate, which Redis would store as another', async () => {
    const { store, changes } = setup()
    await store.assign('bob\uFFFD', 'standard')
    const refused = {
      name: 'TypeError',
      code: 'ERR_ROLEGATE_INVALID_ARGUMENT',
      message:
        'subjectId must be well-formed Unicode: it contains a lone UTF-16 surrogate, which Redis would store as U+FFFD and so share with another id',
    }
    const lone = 'bob\uD800'
    await expect(store.assign(lone, 'admin')).rejects.toMatchObject(refused)
    await expect(store.revoke(lone, 'standard')).rejects.toMatchObject(refused)
    await expect(store.set(lone, { roles: ['admin'], scoped: {} })).rejects.toMatchObject(refused)
    await expect(store.delete(lone)).rejects.toMatchObject(refused)
    await expect(store.get(lone)).rejects.toMatchObject(refused)
    await expect(store.read(lone)).rejects.toMatchObject(refused)
    await expect(store.epoch(lone)).rejects.toMatchObject(refused)
    // The other id's record is untouched; a surrogate pair (an emoji) is an id like any other.
    expect(await store.get('bob\uFFFD')).toEqual({
      type: undefined,
      roles: ['standard'],
      scoped: {},
    })
    // A scope is part of the role index's keys: with U+FFFD there, its holders would not be found.
    const scopeRefused = {
      ...refused,
      message:
        'scope must be well-formed Unicode: it contains a lone UTF-16 surrogate, which Redis would store as U+FFFD and so share with another scope',
    }
    const scope = 'team:\uD800'
    await expect(store.assign('bob', 'standard', { scope })).rejects.toMatchObject(scopeRefused)
    await expect(store.revoke('bob', 'standard', { scope })).rejects.toMatchObject(scopeRefused)
    await expect(
      store.set('bob', { roles: [], scoped: { [scope]: ['standard'] } }),
    ).rejects.toMatchObject(scopeRefused)
    await expect(store.list({ role: 'standard', scope })).rejects.toMatchObject(scopeRefused)
    expect(await store.get('bob')).toBeUndefined()
    await store.assign('bob\uD83D\uDE00', 'templates')
    expect(await store.get('bob\uD83D\uDE00')).toEqual({
      type: undefined,
      roles: ['templates'],
      scoped: {},
    })
    expect(changes.map((c) => c.subjectId)).toEqual(['bob\uFFFD', 'bob\uD83D\uDE00'])
  })

  test('refuses a key prefix that would move the hash tag', () => {
    expect(() => redisAssignmentStore({ client, keyPrefix: 'a{b}:', rolegate: rg })).toThrow(
      'keyPrefix must be a string without "{" or "}" (it would move the hash tag), got "a{b}:"',
    )
  })
})
