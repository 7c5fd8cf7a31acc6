import { checkAssignments } from '@rolegate/core'
import { redisAssignmentStore, type RedisAssignmentStore } from '@rolegate/redis'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { redisUrl, uniquePrefix } from '../support/redis-server.js'
import { connectRedis, disconnectAll, removeKeys, rg } from './support.js'

// Many instances, each with its own connection, racing on the machine's Redis.
const INSTANCES = 16
const prefix = uniquePrefix('races')
let admin: Redis
let stores: RedisAssignmentStore[]

beforeAll(async () => {
  const connections = await Promise.all(
    Array.from({ length: INSTANCES }, () => connectRedis(redisUrl())),
  )
  admin = connections[0] as Redis
  stores = connections.map((client) =>
    redisAssignmentStore({ client, keyPrefix: prefix, rolegate: rg, maxAttempts: 200 }),
  )
})
afterAll(async () => {
  await removeKeys(admin, prefix)
  disconnectAll()
})

function store(i: number): RedisAssignmentStore {
  return stores[i % INSTANCES] as RedisAssignmentStore
}

describe('racing assignments from many connections', () => {
  test('an exclusive role and another role raced onto one subject: only one side wins', async () => {
    for (let round = 0; round < 10; round++) {
      const subject = `excl-${round}`
      const results = await Promise.allSettled(
        Array.from({ length: INSTANCES }, (_, i) =>
          store(i).assign(subject, i % 2 === 0 ? 'admin' : 'viewer'),
        ),
      )
      const stored = await store(0).get(subject)
      expect([['admin'], ['viewer']]).toContainEqual(stored?.roles)
      const winner = stored?.roles[0]
      // Every call for the winning role succeeded (assigning a held role changes nothing); every
      // call for the other one was refused with the exclusive rule, none half-applied.
      results.forEach((result, i) => {
        const role = i % 2 === 0 ? 'admin' : 'viewer'
        if (role === winner) expect(result.status).toBe('fulfilled')
        else
          expect(result).toMatchObject({
            status: 'rejected',
            reason: { code: 'ERR_ROLEGATE_ASSIGNMENT_REJECTED' },
          })
      })
    }
  })

  test('a conflicting pair raced onto one subject in a scope never lands together', async () => {
    for (let round = 0; round < 10; round++) {
      const subject = `conflict-${round}`
      await Promise.allSettled(
        Array.from({ length: INSTANCES }, (_, i) =>
          store(i).assign(subject, i % 2 === 0 ? 'finance' : 'auditor', { scope: 'team:1' }),
        ),
      )
      const stored = await store(1).get(subject)
      expect([['finance'], ['auditor']]).toContainEqual(stored?.scoped['team:1'])
    }
  })

  test('concurrent changes to one subject are never lost: each is applied to the one before it', async () => {
    const scopes = Array.from({ length: 64 }, (_, i) => `team:${i}`)
    await Promise.all(scopes.map((scope, i) => store(i).assign('many', 'viewer', { scope })))
    const stored = await store(5).get('many')
    expect(Object.keys(stored?.scoped ?? {}).sort()).toEqual([...scopes].sort())
    await Promise.all(scopes.map((scope, i) => store(i + 1).revoke('many', 'viewer', { scope })))
    expect(await store(6).get('many')).toEqual({ type: undefined, roles: [], scoped: {} })
  })

  test('random assigns, revokes and sets from every connection leave only valid records, all indexed', async () => {
    const subjects = Array.from({ length: 6 }, (_, i) => `mixed-${i}`)
    const roles = ['admin', 'read_only_operations', 'finance', 'viewer', 'auditor'] as const
    const scopes = [undefined, 'team:1', 'team:2'] as const
    let seed = 42
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed % n
    }
    const operations = Array.from({ length: 400 }, (_, i) => {
      const subjectId = subjects[random(subjects.length)] as string
      const role = roles[random(roles.length)] as string
      const scope = scopes[random(scopes.length)]
      const kind = random(10)
      const target = store(i)
      if (kind < 6) return () => target.assign(subjectId, role, { scope })
      if (kind < 9) return () => target.revoke(subjectId, role, { scope })
      return () => target.set(subjectId, { roles: [role], scoped: {} })
    })
    const results = await Promise.allSettled(operations.map((run) => run()))
    const failures = results.flatMap((r): unknown[] => (r.status === 'rejected' ? [r.reason] : []))
    for (const reason of failures)
      expect(reason).toMatchObject({ code: 'ERR_ROLEGATE_ASSIGNMENT_REJECTED' })
    expect(failures.length).toBeLessThan(operations.length)

    for (const subjectId of subjects) {
      const stored = await store(2).get(subjectId)
      if (stored !== undefined)
        expect(() => checkAssignments(rg.policy, subjectId, stored)).not.toThrow()
    }
    // The index behind list() agrees with the records once the writers are done.
    for (const role of roles) {
      for (const scope of scopes) {
        const holders: string[] = []
        for (const subjectId of subjects) {
          const stored = await store(3).get(subjectId)
          const held = scope === undefined ? stored?.roles : stored?.scoped[scope]
          if (held?.includes(role) === true) holders.push(subjectId)
        }
        const listed = await store(4).list({ role, scope })
        expect(listed.filter((id) => id.startsWith('mixed-'))).toEqual(holders.sort())
      }
    }
  })
})
