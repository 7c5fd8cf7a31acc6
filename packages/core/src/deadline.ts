/**
 * Settles like `promise`, or rejects once `ms` have passed, with an error saying that `what` did
 * not answer. What `promise` stands for is not cancelled; only the caller stops waiting for it.
 *
 * @example
 * ```ts
 * const stored = await withDeadline(fetchAssignments('u1'), 500, 'The assignment database')
 * ```
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}
