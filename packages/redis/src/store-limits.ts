import { invalidArgument } from '@rolegate/core'

/**
 * Refuses the limits of a store's calls that would let it wait for ever (a `timeoutMs` that is not
 * a finite positive number) or never try (a `maxAttempts` below 1), by name, at start-up.
 */
export function checkStoreLimits(timeoutMs: unknown, maxAttempts: unknown): void {
  if (!Number.isInteger(maxAttempts) || (maxAttempts as number) < 1)
    throw invalidArgument('maxAttempts must be a positive integer')
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0 && timeoutMs < Infinity))
    throw invalidArgument('timeoutMs must be a positive number of milliseconds')
}
