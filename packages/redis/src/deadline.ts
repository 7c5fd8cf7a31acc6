import { withDeadline as deadline } from '@rolegate/core'

/**
 * Settles like `promise`, or rejects once `ms` have passed. rolegate puts its own deadline on every
 * Redis call instead of trusting the client's `commandTimeout` alone: a Cluster retries MOVED and
 * CLUSTERDOWN replies after delays of its own, and a client built without `commandTimeout` would
 * otherwise hold a request for as long as the server stays silent. The command itself is not
 * cancelled (Redis has no way to); only the caller stops waiting for it.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return deadline(promise, ms, 'Redis')
}
