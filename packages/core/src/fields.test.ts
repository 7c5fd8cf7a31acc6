import { describe, expect, test } from 'vitest'
import { createRolegate } from './create-rolegate.js'
import { definePolicy } from './policy/define-policy.js'

const policy = definePolicy({
  resources: [
    'customers.address.street',
    'customers.address.bcc',
    'customers.name',
    'customers.notes',
  ],
  roles: {
    agent: {
      grants: { customers: 'write', 'customers.address.bcc': 'none', 'customers.notes': 'read' },
    },
    owner_notes: { grants: { 'customers.notes': { actions: 'write', when: 'owner' } } },
    name_only: { grants: { 'customers.name': 'read' } },
    street_only: { grants: { 'customers.address.street': 'read' } },
    nobody: {},
  },
})
const rg = createRolegate({
  policy,
  conditions: {
    owner: (subject, customer) => (customer as { ownerId?: string }).ownerId === subject.id,
  },
})

const customer = {
  id: 'c1',
  name: 'Ada',
  notes: 'VIP',
  address: { street: 'Main St 1', bcc: 'audit@example.com', city: 'Berlin' },
  contacts: [{ phone: '1' }],
}

describe('permittedFields and redact', () => {
  test('permittedFields lists the direct children the context may use', () => {
    const ctx = rg.context({ id: 'a', roles: ['agent'] })
    expect(ctx.permittedFields('customers')).toEqual(['address', 'name', 'notes'])
    expect(ctx.permittedFields('customers', 'write')).toEqual(['address', 'name'])
    expect(ctx.permittedFields('customers.address')).toEqual(['street'])
    expect(rg.context({ id: 'n', roles: ['nobody'] }).permittedFields('customers')).toEqual([])
  })

  test('permittedFields weighs conditional grants against the given instance', () => {
    const ctx = rg.context({ id: 'a', roles: ['agent', 'owner_notes'] })
    expect(ctx.permittedFields('customers', 'write', { resource: { ownerId: 'a' } })).toEqual([
      'address',
      'name',
      'notes',
    ])
    expect(ctx.permittedFields('customers', 'write', { resource: { ownerId: 'b' } })).toEqual([
      'address',
      'name',
    ])
  })

  test('redact removes unreadable fields at any depth and keeps the rest', () => {
    const ctx = rg.context({ id: 'a', roles: ['agent'] })
    expect(ctx.redact('customers', customer)).toEqual({
      id: 'c1',
      name: 'Ada',
      notes: 'VIP',
      address: { street: 'Main St 1', city: 'Berlin' },
      contacts: [{ phone: '1' }],
    })
    expect(customer.address.bcc).toBe('audit@example.com')
  })

  test('redact maps arrays element by element', () => {
    const ctx = rg.context({ id: 'a', roles: ['agent'] })
    expect(ctx.redact('customers.address', [customer.address, customer.address])).toEqual([
      { street: 'Main St 1', city: 'Berlin' },
      { street: 'Main St 1', city: 'Berlin' },
    ])
  })

  test('an unreadable resource redacts to an empty object', () => {
    expect(rg.context({ id: 'n', roles: ['nobody'] }).redact('customers', customer)).toEqual({})
  })

  test('redact keeps what permittedFields lists when the resource itself is not readable', () => {
    const names = rg.context({ id: 'n', roles: ['name_only'] })
    expect(names.permittedFields('customers')).toEqual(['name'])
    expect(names.redact('customers', customer)).toEqual({ name: 'Ada' })
    expect(names.redact('customers', [customer, { id: 'c2' }, 'c3'])).toEqual([
      { name: 'Ada' },
      {},
      null,
    ])
    // Recursively: address is not readable, its street is; the resource's own keys go.
    const streets = rg.context({ id: 's', roles: ['street_only'] })
    expect(streets.permittedFields('customers')).toEqual([])
    expect(streets.permittedFields('customers.address')).toEqual(['street'])
    expect(streets.redact('customers', customer)).toEqual({ address: { street: 'Main St 1' } })
    expect(streets.redact('customers', { id: 'c2', name: 'Bob' })).toEqual({})
  })

  test('a readable resource without declared fields is given back as it is, not copied', () => {
    const ctx = rg.context({ id: 'a', roles: ['agent'] })
    const notes = { text: 'VIP', tags: ['gold'] }
    expect(ctx.redact('customers.notes', notes)).toBe(notes)
    expect(ctx.redact('customers.address', customer.address)).not.toBe(customer.address)
  })

  test('an object that is not plain data is redacted as JSON would write it', () => {
    const ctx = rg.context({ id: 'a', roles: ['agent'] })
    class Entity {
      readonly name: string
      readonly address: object
      constructor(name: string, address: object) {
        this.name = name
        this.address = address
      }
      get notes(): string {
        return 'from a getter, not written'
      }
    }
    const written = { street: 'Main St 1', bcc: 'audit@example.com' }
    const entity = new Entity('Ada', { street: 'x', toJSON: () => written })
    expect(ctx.redact('customers', entity)).toEqual({
      name: 'Ada',
      address: { street: 'Main St 1' },
    })
    const since = new Date('2020-01-02T03:04:05.000Z')
    expect(
      ctx.redact('customers', {
        name: 'Ada',
        since,
        toJSON: () => ({ name: 'Ada', since, notes: 'n' }),
      }),
    ).toEqual({
      name: 'Ada',
      since: '2020-01-02T03:04:05.000Z',
      notes: 'n',
    })
    // What JSON cannot write throws, as writing it would: never the original sent instead.
    const looped: Record<string, unknown> = { street: 'x' }
    looped.entity = new Entity('Ada', looped)
    expect(() => ctx.redact('customers', looped.entity)).toThrow(TypeError)
  })

  test('a plain array or object that holds itself is refused as JSON refuses it, not walked until the stack overflows', () => {
    const ctx = rg.context({ id: 'a', roles: ['agent'] })
    const list: unknown[] = [{ name: 'Ada' }]
    list.push(list)
    expect(() => ctx.redact('customers', list)).toThrow(
      new TypeError(
        'redact: the value of "customers" holds itself (a cycle), which JSON cannot write',
      ),
    )
    const addresses: unknown[] = [{ street: 'x', bcc: 'audit@example.com' }]
    addresses.push([addresses])
    const looped = { name: 'Ada', address: addresses }
    expect(() => ctx.redact('customers', looped)).toThrow(
      new TypeError(
        'redact: the value of "customers.address" holds itself (a cycle), which JSON cannot write',
      ),
    )
    // The same object twice, neither inside the other, is no cycle.
    const shared = { street: 'Main St 1', bcc: 'audit@example.com' }
    expect(ctx.redact('customers', [{ address: shared }, { address: shared }])).toEqual([
      { address: { street: 'Main St 1' } },
      { address: { street: 'Main St 1' } },
    ])
  })

  test('a __proto__ key from JSON stays plain data', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "name": "x"}') as Record<
      string,
      unknown
    >
    const out = rg.context({ id: 'a', roles: ['agent'] }).redact('customers', hostile) as Record<
      string,
      unknown
    >
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(Object.keys(out)).toEqual(['__proto__', 'name'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
