import { describe, expect, test } from 'vitest'
import { createRolegate } from '../create-rolegate.js'
import { definePolicy } from '../policy/define-policy.js'
import { contextResolver, withAssignments } from './context-resolver.js'
import { memoryAssignmentStore } from './memory-assignment-store.js'
import type { Subject } from '../policy/types.js'
import type { Assignments, AssignmentStore } from './types.js'

/** Malformed subjects, each with the error `rg.context` gives it. */
const MALFORMED: [subject: unknown, message: string][] = [
  [null, 'Invalid subject: expected an object with an "id"'],
  [{ id: 5 }, 'Invalid subject: "id" must be a non-empty string'],
  [{ id: 'u1', roles: 'viewer' }, 'Invalid subject: "roles" must be a list of role names'],
  [{ id: 'u1', roles: null }, 'Invalid subject: "roles" must be a list of role names'],
  [
    { id: 'u1', roles: new Set(['viewer']) },
    'Invalid subject: "roles" must be a list of role names',
  ],
  [{ id: 'u1', type: null }, 'Invalid subject: "type" must be a string'],
  [{ id: 'u1', grants: null }, 'Invalid subject: "grants" must map resources to grants'],
  [{ id: 'u1', attributes: 'x' }, 'Invalid subject: "attributes" must be an object'],
  [
    { id: 'u1', scoped: { 'team:1': 'viewer' } },
    'Invalid subject: scoped["team:1"] must be a list of role names',
  ],
]

describe('withAssignments', () => {
  const stored = {
    type: 'staff',
    roles: ['viewer'],
    // A scope really named "__proto__", as JSON from a store or a token can carry.
    scoped: JSON.parse('{"team:1":["standard"],"__proto__":["admin"]}') as Record<string, string[]>,
    grants: { invoices: 'read' as const },
  }

  test('adds stored roles, scopes and grants to the subject’s own; the subject’s type and grants win', () => {
    const merged = withAssignments(
      {
        id: 'u',
        type: 'customer',
        roles: ['standard'],
        scoped: { 'team:1': ['viewer'] },
        grants: { invoices: 'write' },
      },
      stored,
    )
    expect(merged).toEqual({
      id: 'u',
      type: 'customer',
      roles: ['standard', 'viewer'],
      scoped: { 'team:1': ['viewer', 'standard'], ['__proto__']: ['admin'] },
      grants: { invoices: 'write' },
      attributes: undefined,
    })
    expect(Object.hasOwn(merged.scoped ?? {}, '__proto__')).toBe(true)
  })

  test('a malformed subject is refused with the error it gets alone, never merged', () => {
    for (const [subject, message] of MALFORMED) {
      expect(() => withAssignments(subject as Subject, stored)).toThrow(
        expect.objectContaining({
          name: 'TypeError',
          code: 'ERR_ROLEGATE_INVALID_SUBJECT',
          message,
        }),
      )
    }
  })

  test('a bare subject takes the stored record; no record leaves the subject as it is', () => {
    const bare = { id: 'u' }
    expect(withAssignments(bare, { roles: ['viewer'], scoped: {} })).toEqual({
      id: 'u',
      type: undefined,
      roles: ['viewer'],
      scoped: {},
      grants: undefined,
      attributes: undefined,
    })
    expect(withAssignments(bare, undefined)).toBe(bare)
  })
})

describe('contextResolver', () => {
  const rg = createRolegate({
    policy: definePolicy({
      resources: ['invoices'],
      roles: { viewer: { grants: { invoices: 'read' } } },
    }),
  })
  /** A store whose `get` gives `answer` for every subject. */
  const answering = (answer: () => Promise<unknown>): AssignmentStore => ({
    ...memoryAssignmentStore({ rolegate: rg }),
    get: () => answer() as Promise<Assignments | undefined>,
  })
  const unavailable = (message: string) => ({
    code: 'ERR_ROLEGATE_BACKEND_UNAVAILABLE',
    status: 503,
    message,
  })

  test('a store that does not answer within timeoutMs is refused with 503', async () => {
    const hung = answering(() => new Promise(() => {}))
    const resolve = contextResolver({ rolegate: rg, store: hung, timeoutMs: 20 })
    await expect(resolve({ id: 'u' })).rejects.toMatchObject(
      unavailable('The assignment store did not answer.'),
    )
    const slow = answering(
      () => new Promise((done) => setTimeout(() => done({ roles: ['viewer'], scoped: {} }), 5)),
    )
    const ctx = await contextResolver({ rolegate: rg, store: slow, timeoutMs: 1_000 })({ id: 'u' })
    expect(ctx.can('invoices:read')).toBe(true)
  })

  test('an answer that is not assignments is refused with 503, naming the subject and the fault', async () => {
    const answers: [answer: unknown, problem: string][] = [
      [null, 'not an object'],
      ['viewer', 'not an object'],
      [['viewer'], 'not an object'],
      [{}, '"roles" is not a list of role names'],
      [{ roles: 'viewer', scoped: {} }, '"roles" is not a list of role names'],
      [{ roles: [1], scoped: {} }, '"roles" is not a list of role names'],
      [{ roles: [], scoped: null }, '"scoped" is not an object'],
      [{ roles: [], scoped: ['viewer'] }, '"scoped" is not an object'],
      [
        { roles: [], scoped: { 'team:1': 'viewer' } },
        '"scoped.team:1" is not a list of role names',
      ],
      [{ type: 7, roles: [], scoped: {} }, '"type" is not a string'],
      [{ roles: [], scoped: {}, grants: 'all' }, '"grants" is not an object'],
    ]
    for (const [answer, problem] of answers) {
      const resolve = contextResolver({
        rolegate: rg,
        store: answering(() => Promise.resolve(answer)),
      })
      await expect(resolve({ id: 'u' })).rejects.toMatchObject(
        unavailable(
          `The assignment store gave unreadable assignments for subject "u": ${problem}.`,
        ),
      )
    }
  })

  test('an answer checked once is not checked again only when it is frozen', async () => {
    const answer = { roles: ['viewer'], scoped: {} as Record<string, string[]> }
    const resolve = contextResolver({
      rolegate: rg,
      store: answering(() => Promise.resolve(answer)),
    })
    expect((await resolve({ id: 'u' })).can('invoices:read')).toBe(true)
    answer.scoped['team:1'] = [42 as unknown as string]
    await expect(resolve({ id: 'u' })).rejects.toMatchObject({ status: 503 })
  })

  test('a malformed subject is refused as such before the store is asked, with a stored record or not', async () => {
    const store = memoryAssignmentStore({ rolegate: rg })
    await store.assign('u1', 'viewer')
    const asked: string[] = []
    const counting: AssignmentStore = {
      ...store,
      get: (id) => {
        asked.push(id)
        return store.get(id)
      },
    }
    const resolve = contextResolver({ rolegate: rg, store: counting })
    for (const [subject, message] of MALFORMED) {
      const error = { name: 'TypeError', code: 'ERR_ROLEGATE_INVALID_SUBJECT', message }
      await expect(resolve(subject as Subject)).rejects.toMatchObject(error)
      expect(() => rg.context(subject as Subject)).toThrow(expect.objectContaining(error))
    }
    expect(asked).toEqual([])
    expect((await resolve({ id: 'u1', roles: [] })).roles().held).toEqual(['viewer'])
  })

  test('timeoutMs must be a positive number of milliseconds', () => {
    for (const timeoutMs of [0, -1, Number.NaN, Infinity])
      expect(() => contextResolver({ rolegate: rg, timeoutMs })).toThrow(
        'timeoutMs must be a positive number of milliseconds',
      )
  })
})
