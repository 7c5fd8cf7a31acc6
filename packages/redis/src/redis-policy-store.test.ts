import { randomBytes } from 'node:crypto'
import { contextResolver, definePolicy, type RoleInput } from '@rolegate/core'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { recommendedRedisOptions } from './client-options.js'
import { redisAssignmentStore } from './redis-assignment-store.js'
import { redisPolicyStore, type PolicyChange } from './redis-policy-store.js'
import { redisStore } from './redis-store.js'

const policy = definePolicy({
  resources: ['invoices', 'customers.address'],
  actions: { export: ['read'] },
  roles: {
    admin: { superuser: true, exclusive: true },
    viewer: { grants: { invoices: 'read' } },
  },
})

const prefix = `rg:test:unit-policy:${randomBytes(4).toString('hex')}:`
const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  ...recommendedRedisOptions,
  lazyConnect: true,
})
beforeAll(() => client.connect())
afterAll(async () => {
  const keys = await client.keys(`${prefix}*`)
  if (keys.length > 0) await client.del(...keys)
  client.disconnect()
})

let run = 0
/** Two instances of one application: two stores on the same keys. */
function setup() {
  const keyPrefix = `${prefix}${run++}:`
  const changes: PolicyChange[] = []
  const a = redisPolicyStore({ client, keyPrefix, policy, onChange: (c) => changes.push(c) })
  const b = redisPolicyStore({ client, keyPrefix, policy })
  const assignments = redisAssignmentStore({ client, keyPrefix, rolegate: b })
  return { a, b, assignments, changes, keyPrefix }
}

const clerk: RoleInput = { description: 'Billing clerk', grants: { invoices: ['read', 'export'] } }

// What every policy store must do alike is test/stores/policy-store-contract.ts, run on this one
// too; here, what two instances on one Redis see.
describe('redisPolicyStore', () => {
  test("core's default resolver, given the store alone, decides with what another instance changed", async () => {
    const { a, b } = setup()
    await a.createRole('clerk', { grants: { invoices: 'write' } })
    const resolve = contextResolver({ rolegate: b })
    const holder = { id: 'u1', roles: ['clerk'] }
    expect((await resolve(holder)).can('invoices:write')).toBe(true)
    await a.updateRole('clerk', { grants: { invoices: 'read' } })
    expect((await resolve(holder)).can('invoices:write')).toBe(false)
    await a.deleteRole('clerk')
    expect((await resolve(holder)).roles().dropped).toEqual([
      { role: 'clerk', reason: 'unknown-role' },
    ])
  })

  test('a custom role that a release adds to the code policy can be deleted, even while held', async () => {
    const { a, assignments, keyPrefix } = setup()
    await a.createRole('clerk', { grants: { invoices: 'read' } })
    await assignments.assign('u1', 'clerk')
    const released = definePolicy({
      ...policy,
      roles: { ...policy.roles, clerk: { grants: { invoices: 'write' } } },
    })
    const next = redisPolicyStore({ client, keyPrefix, policy: released })
    // No instance of the release can compile the stored roles: every request would answer 503.
    await expect(next.refresh()).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_POLICY_INVALID',
      problems: [
        {
          path: 'policy.roles.clerk',
          message:
            'role "clerk" is defined in code; a custom role cannot replace it (delete the custom role "clerk")',
        },
      ],
    })
    await next.deleteRole('clerk')
    const rolegate = await next.refresh()
    expect(next.customRoles()).toEqual({})
    // u1 now holds the role in code of that name.
    expect(rolegate.context({ id: 'u1', roles: ['clerk'] }).can('invoices:write')).toBe(true)
    await expect(next.deleteRole('clerk')).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_POLICY_INVALID',
    })
  })

  test('limits that would wait for ever or never try are refused at start-up, as by the assignment store', () => {
    const refused = (message: string) =>
      expect.objectContaining({ code: 'ERR_ROLEGATE_INVALID_ARGUMENT', message }) as Error
    const rolegate = redisPolicyStore({ client, keyPrefix: prefix, policy })
    for (const make of [
      (limits: object) => redisPolicyStore({ client, keyPrefix: prefix, policy, ...limits }),
      (limits: object) => redisAssignmentStore({ client, keyPrefix: prefix, rolegate, ...limits }),
    ]) {
      for (const timeoutMs of [0, -1, Infinity, Number.NaN])
        expect(() => make({ timeoutMs })).toThrow(
          refused('timeoutMs must be a positive number of milliseconds'),
        )
      for (const maxAttempts of [0, 1.5, Number.NaN])
        expect(() => make({ maxAttempts })).toThrow(
          refused('maxAttempts must be a positive integer'),
        )
    }
  })

  test('a custom role created on one instance is compiled on another after refresh', async () => {
    const { a, b, changes } = setup()
    expect(await b.refresh()).toBe(b.current())
    expect(b.revision).toBe(0)
    expect(await a.createRole('clerk', clerk)).toBe(1)
    expect(
      a
        .current()
        .context({ id: 'u', roles: ['clerk'] })
        .can('invoices:export'),
    ).toBe(true)
    expect(
      b
        .current()
        .context({ id: 'u', roles: ['clerk'] })
        .can('invoices:export'),
    ).toBe(false)
    const before = b.current()
    await b.refresh()
    expect(b.current()).not.toBe(before)
    expect(b.current().version).toBe(a.current().version)
    expect(
      b
        .current()
        .context({ id: 'u', roles: ['clerk'] })
        .can('invoices:export'),
    ).toBe(true)
    expect(b.revision).toBe(1)
    expect(b.customRoles()).toEqual({ clerk })
    expect(changes).toEqual([{ kind: 'create', role: 'clerk', revision: 1 }])
  })

  test('update and delete bump the revision, and the change reaches other instances', async () => {
    const { a, b, changes } = setup()
    await a.createRole('clerk', clerk)
    expect(await b.updateRole('clerk', { grants: { invoices: 'write' } })).toBe(2)
    await a.refresh()
    expect(
      a
        .current()
        .context({ id: 'u', roles: ['clerk'] })
        .can('invoices:write'),
    ).toBe(true)
    expect(await a.deleteRole('clerk')).toBe(3)
    await b.refresh()
    expect(b.customRoles()).toEqual({})
    expect(
      b
        .current()
        .context({ id: 'u', roles: ['clerk'] })
        .can('invoices:read'),
    ).toBe(false)
    expect(changes).toEqual([
      { kind: 'create', role: 'clerk', revision: 1 },
      { kind: 'delete', role: 'clerk', revision: 3 },
    ])
  })

  test('a name still assigned from before its deletion cannot be reused', async () => {
    const { a, keyPrefix } = setup()
    // What a deletion racing with an assignment on a stale instance leaves behind.
    await client.hset(`${keyPrefix}s:{u1}`, 'e', 'x', 'a', '{"roles":["clerk"],"scoped":{}}')
    await client.sadd(`${keyPrefix}g:clerk`, 'u1')
    await expect(a.createRole('clerk', clerk)).rejects.toThrow(
      'policy.roles.clerk: a role named "clerk" was deleted but is still assigned: held by "u1"',
    )
  })

  test('the assignment store enforces custom roles created on another instance', async () => {
    const { a, assignments } = setup()
    await a.createRole('auditor', { exclusive: true, grants: { invoices: 'read' } })
    await assignments.assign('u', 'auditor')
    await expect(assignments.assign('u', 'viewer')).rejects.toThrow(
      'role "auditor" is exclusive and cannot be combined with "viewer" globally',
    )
  })

  test('stored roles that do not compile with this instance’s policy fail refresh and keep current()', async () => {
    const { a, keyPrefix } = setup()
    await a.createRole('clerk', clerk)
    const older = redisPolicyStore({
      client,
      keyPrefix,
      policy: { resources: ['invoices'], roles: { viewer: { grants: { invoices: 'read' } } } },
    })
    const before = older.current()
    await expect(older.refresh()).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_POLICY_INVALID',
      message:
        'Invalid rolegate policy (1 problem):\n  - policy.roles.clerk.grants.invoices[1]: unknown action "export"',
    })
    expect(older.current()).toBe(before)
  })

  test('a change listener that throws goes to onError; the change stands', async () => {
    const keyPrefix = `${prefix}${run++}:`
    const failure = new Error('audit hook failed')
    const reported: unknown[] = []
    const policies = redisPolicyStore({
      client,
      keyPrefix,
      policy,
      onChange: () => {
        throw failure
      },
      onError: (error) => reported.push(error),
    })
    expect(await policies.createRole('clerk', clerk)).toBe(1)
    expect(reported).toEqual([failure])
    expect(policies.customRoles()).toEqual({ clerk })
  })

  test("redisStore hands its onError to the policy store: onPolicyChange's failures reach it", async () => {
    const failure = new Error('audit hook failed')
    const reported: unknown[] = []
    const store = redisStore({
      client,
      keyPrefix: `${prefix}${run++}:`,
      policy,
      onPolicyChange: () => {
        throw failure
      },
      onError: (error) => reported.push(error),
    })
    await store.policies.createRole('clerk', clerk)
    expect(reported).toEqual([failure])
    await store.close()
  })
})

describe('redisPolicyStore: what it cannot read is refused with 503', () => {
  test('a damaged record among the holders of a role refuses its deletion, naming the subject', async () => {
    const { a, keyPrefix } = setup()
    await a.createRole('clerk', clerk)
    await client.hset(`${keyPrefix}s:{u9}`, 'e', 'x', 'a', '{bad')
    await client.sadd(`${keyPrefix}g:clerk`, 'u9')
    await expect(a.deleteRole('clerk')).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_BACKEND_UNAVAILABLE',
      status: 503,
      message: 'The stored assignments of subject "u9" are unreadable.',
      cause: { name: 'SyntaxError' },
    })
    expect(a.customRoles()).toEqual({ clerk })
  })

  test('an index key of the wrong type refuses the change that must read it', async () => {
    const { a, keyPrefix } = setup()
    await client.set(`${keyPrefix}rs:gone`, 'x')
    await expect(a.createRole('gone', clerk)).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_BACKEND_UNAVAILABLE',
      status: 503,
      message: 'The policy store could not read who holds role "gone".',
      cause: { message: expect.stringMatching(/^WRONGTYPE /) as unknown },
    })
    expect(await client.hget(`${keyPrefix}policy`, 'roles')).toBeNull()
  })

  test.each([
    ['{not json', 'not JSON'],
    ['[]', 'not an object of roles'],
    ['null', 'not an object of roles'],
  ])('stored roles of %j are refused, naming the key and field', async (json, why) => {
    const { a, b, keyPrefix } = setup()
    await a.createRole('clerk', clerk)
    await client.hset(`${keyPrefix}policy`, 'roles', json, 'e', 'edited-by-hand')
    const refused = {
      code: 'ERR_ROLEGATE_BACKEND_UNAVAILABLE',
      status: 503,
      message: `The stored custom roles (field "roles" of ${keyPrefix}policy) are unreadable: ${why}.`,
    }
    await expect(b.refresh()).rejects.toMatchObject(refused)
    await expect(a.createRole('other', clerk)).rejects.toMatchObject(refused)
  })

  test.each(['abc', '-1', '1.5', '1e3', ' 7', '9007199254740993'])(
    'a stored revision of %j is refused, not counted on from NaN',
    async (rev) => {
      const { a, b, keyPrefix } = setup()
      await a.createRole('clerk', clerk)
      await client.hset(`${keyPrefix}policy`, 'rev', rev, 'e', 'edited-by-hand')
      const refused = {
        code: 'ERR_ROLEGATE_BACKEND_UNAVAILABLE',
        status: 503,
        message: `The custom roles' revision (field "rev" of ${keyPrefix}policy) is not a non-negative integer.`,
      }
      await expect(b.refresh()).rejects.toMatchObject(refused)
      await expect(a.createRole('other', clerk)).rejects.toMatchObject(refused)
      expect(await client.hget(`${keyPrefix}policy`, 'rev')).toBe(rev)
    },
  )
})
