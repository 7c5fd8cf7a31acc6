import type { AssignmentStore } from '@rolegate/core'

/**
 * `store`, except that once `hold(count)` is called, its next `count` lists of `role` wait until
 * all of them have been asked: two requests then both pass a "last Admin" check before either
 * writes, as on two instances over one Redis, and the race is the test's, not the scheduler's.
 */
export function racingAssignments(store: AssignmentStore, role: string) {
  let expected = 0
  let held: (() => void)[] = []
  const assignments: AssignmentStore = {
    ...store,
    async list(query) {
      const found = await store.list(query)
      if (query.role !== role || expected === 0) return found
      await new Promise<void>((resolve) => {
        held.push(resolve)
        if (held.length < expected) return
        expected = 0
        for (const release of held) release()
        held = []
      })
      return found
    },
  }
  return { assignments, hold: (count: number) => void (expected = count) }
}
