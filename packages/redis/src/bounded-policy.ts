import type { PolicyInput, PolicyStore, Rolegate } from '@rolegate/core'
import type { Flight } from './shared-reads.js'

/** Bounded mode's view of the custom roles in a Redis policy store. */
export interface BoundedPolicy<P extends PolicyInput> {
  /**
   * The rolegate to decide with: the store's, refreshed by one read in flight at a time. When the
   * read fails, the rolegate Redis last confirmed, while that is within the bound (`servedStale`
   * hears the error); past it, the error.
   */
  rolegate(): Promise<Rolegate<P>>
  /** Whether Redis confirmed the custom roles within the bound, in the resolver's generation. */
  isFresh(now: number): boolean
  /** A change was announced: the confirmation no longer holds, nor does a read in flight. */
  forget(): void
}

/** What the view needs of its resolver. */
export interface BoundedPolicyOptions {
  /** Whether a confirmation at `confirmedAt` is still within the bound at `now`. */
  readonly within: (confirmedAt: number, now: number) => boolean
  /** The resolver's generation, bumped when the subscription may have missed a message. */
  readonly generation: () => number
  /** Hears the error of a read answered from the last confirmed rolegate instead. */
  readonly servedStale: (error: unknown) => void
}

/**
 * Keeps when Redis last confirmed the custom roles, so that a request within the bound decides
 * without asking: a confirmation counts from when its read was *sent*, and a read that an
 * announcement reached in flight confirms nothing.
 */
export function boundedPolicy<P extends PolicyInput>(
  policies: Pick<PolicyStore<P>, 'refresh' | 'current'>,
  { within, generation, servedStale }: BoundedPolicyOptions,
): BoundedPolicy<P> {
  let confirmedAt = -Infinity
  let confirmedGeneration = -1
  let flight: Flight<Rolegate<P>> | undefined

  const refresh = (): Flight<Rolegate<P>> => {
    const sentAt = performance.now()
    const sentGeneration = generation()
    const started: Flight<Rolegate<P>> = {
      invalidated: false,
      promise: policies.refresh().then((rg) => {
        if (!started.invalidated) {
          confirmedAt = sentAt
          confirmedGeneration = sentGeneration
        }
        return rg
      }),
    }
    const forget = (): void => {
      if (flight === started) flight = undefined
    }
    started.promise.then(forget, forget)
    return started
  }

  return {
    async rolegate() {
      if (flight === undefined || flight.invalidated) flight = refresh()
      try {
        return await flight.promise
      } catch (error) {
        if (!within(confirmedAt, performance.now())) throw error
        servedStale(error)
        return policies.current()
      }
    },
    isFresh: (now) => confirmedGeneration === generation() && within(confirmedAt, now),
    forget() {
      confirmedAt = -Infinity
      if (flight !== undefined) flight.invalidated = true
    },
  }
}
