// How rolegate tells the app's onError about failures that do not stop an answer.

/** The default `onError` of rolegate's middleware: writes the error to `console.error`. */
export const reportError = (error: unknown): void => console.error(error)

/**
 * Calls a user's `onError` without letting what it throws escape: a failing logger must not fail a
 * request, nor leave it unanswered. What the reporter throws goes to {@link reportError}, and so
 * does the error itself when no reporter was set.
 *
 * @example
 * ```ts
 * reportSafely((error) => console.warn('rolegate:', error), new Error('cache down'))
 * ```
 */
export function reportSafely(
  onError: ((error: unknown) => void) | undefined,
  error: unknown,
): void {
  try {
    ;(onError ?? reportError)(error)
  } catch (reportFailure) {
    reportError(reportFailure)
  }
}

/**
 * Tells every listener about a change that has been made: what one throws goes to `onError` (see
 * {@link reportSafely}) and neither stops the others nor turns the change into a failed call.
 * Absent listeners (an unset `onChange`) are skipped.
 *
 * @example
 * ```ts
 * const listeners = new Set<(change: string) => void>([(change) => console.log(change)])
 * notifyListeners(listeners, ['role created'])
 * ```
 */
export function notifyListeners<Args extends readonly unknown[]>(
  listeners: Iterable<((...args: Args) => void) | undefined>,
  args: Args,
  onError?: (error: unknown) => void,
): void {
  for (const listener of listeners) {
    if (listener === undefined) continue
    try {
      listener(...args)
    } catch (error) {
      reportSafely(onError, error)
    }
  }
}
