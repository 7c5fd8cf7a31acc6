/** A value now, or a promise of it: what user callbacks (subject readers, loaders) may return. */
export type MaybePromise<T> = T | Promise<T>

/** Whether `value` is a thenable, as `await` would see it. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/**
 * `next(value)`, at once when `value` is not a promise, else when it resolves. The request path of a
 * guard runs through this: with the default resolver and synchronous callbacks, a request is
 * decided without a single promise, which under load is most of the guard's cost. A synchronous
 * throw stays synchronous; callers catch both kinds.
 */
export function andThen<T, U>(
  value: MaybePromise<T>,
  next: (value: T) => MaybePromise<U>,
): MaybePromise<U> {
  return isThenable(value) ? Promise.resolve(value).then(next) : next(value)
}
