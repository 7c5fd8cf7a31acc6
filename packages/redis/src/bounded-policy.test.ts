import { createRolegate, definePolicy, type Rolegate } from '@rolegate/core'
import { describe, expect, test } from 'vitest'
import { boundedPolicy } from './bounded-policy.js'

const policy = definePolicy({
  resources: ['projects'],
  roles: { viewer: { grants: { projects: 'read' } } },
})
const before = createRolegate({ policy })
const after = createRolegate({ policy })

/**
 * A policy store whose reads the test answers one by one: the order in which a read, an
 * announcement and a failure meet is what is tested, and a real Redis cannot be made to keep it.
 */
function heldStore() {
  const reads: { resolve: (rg: Rolegate<typeof policy>) => void; reject: (e: Error) => void }[] = []
  // What the last read that succeeded loaded, as a real store's current() gives.
  let loaded = before
  const store = {
    current: () => loaded,
    refresh: () =>
      new Promise<Rolegate<typeof policy>>((resolve, reject) =>
        reads.push({
          resolve: (rg) => {
            loaded = rg
            resolve(rg)
          },
          reject,
        }),
      ),
  }
  return { store, reads }
}

/** A view with a bound the test sets, a generation it bumps, and the errors served stale. */
function view() {
  const { store, reads } = heldStore()
  const state = { boundMs: 60_000, generation: 0, stale: [] as unknown[] }
  const bounded = boundedPolicy(store, {
    within: (confirmedAt, now) => now - confirmedAt < state.boundMs,
    generation: () => state.generation,
    servedStale: (error) => state.stale.push(error),
  })
  return { bounded, reads, state }
}

describe('boundedPolicy', () => {
  test('requests share one read in flight, and its answer is fresh within the bound', async () => {
    const { bounded, reads } = view()
    expect(bounded.isFresh(performance.now())).toBe(false)
    const first = bounded.rolegate()
    const second = bounded.rolegate()
    expect(reads).toHaveLength(1)
    reads[0]?.resolve(after)
    expect([await first, await second]).toEqual([after, after])
    expect(bounded.isFresh(performance.now())).toBe(true)
  })

  test('an announcement, or a gap in the subscription, ends the freshness', async () => {
    const { bounded, reads, state } = view()
    const read = bounded.rolegate()
    reads[0]?.resolve(after)
    await read
    bounded.forget()
    expect(bounded.isFresh(performance.now())).toBe(false)
    const again = bounded.rolegate()
    reads[1]?.resolve(after)
    await again
    expect(bounded.isFresh(performance.now())).toBe(true)
    state.generation++
    expect(bounded.isFresh(performance.now())).toBe(false)
  })

  test('a read an announcement reached in flight confirms nothing, and is not shared any more', async () => {
    const { bounded, reads } = view()
    const early = bounded.rolegate()
    bounded.forget()
    const late = bounded.rolegate()
    expect(reads).toHaveLength(2)
    reads[0]?.resolve(before)
    expect(await early).toBe(before)
    expect(bounded.isFresh(performance.now())).toBe(false)
    reads[1]?.resolve(after)
    expect(await late).toBe(after)
    expect(bounded.isFresh(performance.now())).toBe(true)
  })

  test('a failed read is answered from the last confirmed rolegate within the bound, and fails past it', async () => {
    const { bounded, reads, state } = view()
    const confirmed = bounded.rolegate()
    reads[0]?.resolve(after)
    await confirmed
    const down = new Error('Redis did not answer')
    const within = bounded.rolegate()
    reads[1]?.reject(down)
    expect(await within).toBe(after) // the store's current(): what the confirmed read loaded
    expect(state.stale).toEqual([down])
    state.boundMs = 0
    const past = bounded.rolegate()
    reads[2]?.reject(down)
    await expect(past).rejects.toBe(down)
    expect(state.stale).toEqual([down])
  })

  test('with nothing ever confirmed, a failed read fails', async () => {
    const { bounded, reads, state } = view()
    const down = new Error('Redis did not answer')
    const read = bounded.rolegate()
    reads[0]?.reject(down)
    await expect(read).rejects.toBe(down)
    expect(state.stale).toEqual([])
  })
})
