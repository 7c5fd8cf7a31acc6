import { BackendUnavailableError } from '@rolegate/core'

/** Whether `error` is core's BackendUnavailableError, matched on `code` so two copies of core agree. */
export function isUnavailable(error: unknown): error is BackendUnavailableError {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === 'ERR_ROLEGATE_BACKEND_UNAVAILABLE'
  )
}

/** `error` as a BackendUnavailableError: kept when it already is one, wrapped otherwise. */
export function unavailable(detail: string, error: unknown): BackendUnavailableError {
  return isUnavailable(error) ? error : new BackendUnavailableError(detail, { cause: error })
}
