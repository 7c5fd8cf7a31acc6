import {
  adapterDataOf,
  asHttpFailure,
  failedCheckProblem,
  problemResponse,
  reportSafely,
  ResponseStartedError,
  type Denial,
} from '@rolegate/core'
import type { ErrorRequestHandler, Request, Response } from 'express'

/**
 * Replaces the default problem response of a denied request (401, 403 or 503). The response
 * starts with the denial's status, so `res.json(…)` alone answers with it. It must answer before
 * it returns, or before the promise it returns settles; if it does not, or if it throws, the
 * default problem response is sent.
 */
export type OnDenied = (req: Request, res: Response, denial: Denial) => void | Promise<void>

/** What the `rolegate()` middleware set for the responses of its requests. */
export interface Responder {
  readonly onDenied: OnDenied | undefined
  readonly onError: (error: unknown) => void
}

/**
 * The responder of the middleware that made a per-request rolegate: kept once per middleware, in
 * core's settings for its request rolegates (the `adapter` option), not on each request's object.
 */
export function responderOf(state: object | undefined): Responder | undefined {
  return adapterDataOf(state) as Responder | undefined
}

/** The denial for a check that failed in a way core did not map (it never should). */
export const failedCheck: Denial = {
  allowed: false,
  status: 403,
  headers: {},
  problem: failedCheckProblem(),
}

/**
 * Writes a denial, or a rolegate HTTP error, as an `application/problem+json` response; one that
 * cannot be written as it is (see core's `problemResponse`) as the 403 of a failed check.
 */
export function send(res: Response, denial: Pick<Denial, 'status' | 'headers' | 'problem'>): void {
  const { status, headers, body } = problemResponse(denial)
  res.status(status).set(headers)
  res.set('content-type', 'application/problem+json; charset=utf-8')
  // res.send, not res.json: redactFor() wraps res.json, and a problem body must never be redacted.
  res.send(body)
}

/**
 * Ends a denied request whose response has already started (a middleware before the guard
 * flushed its headers): the status can no longer say so, and letting the response finish would
 * let the client take it as an answer. So the connection is closed, as Express's final handler
 * does with an error it cannot answer, and the error reported.
 */
function abort(res: Response, status: number, responder: Responder | undefined): void {
  reportSafely(responder?.onError, new ResponseStartedError(status))
  // A response already complete is left alone: its connection may serve the client's next request.
  if (!res.writableEnded) res.destroy()
}

/**
 * Answers a denial through `onDenied` when there is one, else with the problem body; closes the
 * connection when the response has already started.
 */
export function deny(
  req: Request,
  res: Response,
  denial: Denial,
  state: object | undefined,
  onDenied: OnDenied | undefined,
): void {
  const responder = responderOf(state)
  if (res.headersSent) return abort(res, denial.status, responder)
  const handler = onDenied ?? responder?.onDenied
  const fallback = (): void => {
    if (!res.headersSent) send(res, denial)
  }
  if (handler === undefined) return fallback()
  const failed = (error: unknown): void => {
    // Safely: a reporter that throws here would leave the request unanswered.
    reportSafely(responder?.onError, error)
    // A handler that started a response and then failed has left it half written: closed.
    if (res.headersSent && !res.writableEnded) abort(res, denial.status, responder)
    else fallback()
  }
  try {
    // The handler starts from the denial's status, so one that only sends a body keeps it.
    res.status(denial.status)
    Promise.resolve(handler(req, res, denial)).then(fallback, failed)
  } catch (error) {
    failed(error)
  }
}

/** Options of {@link problemErrors}. */
export interface ProblemErrorsOptions {
  /**
   * Hears the rolegate errors that are failures rather than answers: a 503, when the store or cache
   * did not answer. A 401 or 403 is the app working as intended and is not reported.
   * @defaultValue the `onError` of the request's `rolegate()` middleware, else `console.error`
   */
  readonly onError?: (error: unknown) => void
}

/**
 * An error-handling middleware that answers rolegate's HTTP errors, the 401, 403 and 503 that
 * `await req.rolegate.assert(…)` throws in a handler, with their status, headers and problem body,
 * as the guards do. Any other error, or one thrown after the response has started, goes on to the
 * next error handler: mount yours after it. Errors are recognised by their `code`, so those of
 * another copy of `@rolegate/core` are too.
 *
 * @example
 * ```ts
 * app.post('/invoices/:id/void', async (req, res) => {
 *   await req.rolegate.assert('invoices:write') // 403 problem body when denied
 *   res.json(await voidInvoice(req.params.id))
 * })
 * app.use(problemErrors(), myErrorHandler)
 * ```
 */
export function problemErrors({ onError }: ProblemErrorsOptions = {}): ErrorRequestHandler {
  return function problemErrors(error: unknown, req, res, next) {
    const http = asHttpFailure(error)
    if (http === undefined || res.headersSent) return next(error)
    if (http.code === 'ERR_ROLEGATE_BACKEND_UNAVAILABLE') {
      const state = (req as { rolegate?: object }).rolegate
      const responder = responderOf(state)
      reportSafely(onError ?? responder?.onError, error)
    }
    send(res, http)
  }
}
