import {
  adapterDataOf,
  asHttpFailure,
  failedCheckProblem,
  problemResponse,
  reportSafely,
  ResponseStartedError,
  type Denial,
} from '@rolegate/core'
import type { Middleware, Next, ParameterizedContext } from 'koa'

/**
 * Replaces the default problem response of a denied request (401, 403 or 503) by setting
 * `ctx.body`, and `ctx.status` unless the denial's own status will do (it is set before the call).
 * If it leaves `ctx.body` as it found it, or throws, the default problem response is sent. For no
 * body, set `ctx.body = null`: the denial's status is kept rather than Koa's 204; to answer another
 * status without a body, set the status after the body, as Koa requires anywhere.
 */
export type OnDenied = (ctx: ParameterizedContext, denial: Denial) => void | Promise<void>

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
export function send(
  ctx: ParameterizedContext,
  denial: Pick<Denial, 'status' | 'headers' | 'problem'>,
): void {
  const { status, headers, body } = problemResponse(denial)
  ctx.status = status
  ctx.set({ ...headers, 'content-type': 'application/problem+json; charset=utf-8' })
  ctx.body = body
}

/**
 * Answers a denial through `onDenied` when there is one, else with the problem body. When the
 * response has already started (a middleware before the guard flushed its headers), its status can
 * no longer say so and letting it finish would let the client take it as an answer: the connection
 * is closed instead and the error reported.
 */
export async function deny(
  ctx: ParameterizedContext,
  denial: Denial,
  state: object | undefined,
  onDenied: OnDenied | undefined,
): Promise<void> {
  const responder = responderOf(state)
  if (ctx.headerSent) return abort(ctx, denial.status, responder)
  const handler = onDenied ?? responder?.onDenied
  if (handler !== undefined) {
    // A body a middleware set before the guard is not an answer to the denial, and may be what
    // the caller was refused: only a body the handler sets answers.
    const upstream: unknown = ctx.body
    try {
      // The handler starts from the denial's status, so one that sets only a body keeps it.
      ctx.status = denial.status
      await handler(ctx, denial)
      // A handler that wrote to the raw response answered by itself if it ended it; Koa would add
      // its own body after one it left half written, which is closed instead.
      if (hasStarted(ctx))
        return ctx.res.writableEnded ? undefined : abort(ctx, denial.status, responder)
      // Koa makes a null body a 204; a denial answered without a body keeps its status instead.
      if (ctx.body === null && ctx.status === 204) ctx.status = denial.status
      if (ctx.body !== undefined && ctx.body !== upstream) return
    } catch (error) {
      reportSafely(responder?.onError, error)
      // One that started writing and then failed has left the response half written: closed.
      if (hasStarted(ctx)) return abort(ctx, denial.status, responder)
    }
  }
  send(ctx, denial)
}

/** Whether the response has started: read afresh, as the handler may have written meanwhile. */
const hasStarted = (ctx: ParameterizedContext): boolean => ctx.headerSent

/**
 * Ends a denied request whose response has already started: its status can no longer say so,
 * and letting it finish would let the client take it as an answer, so the connection is closed
 * (unless the response is already complete) and the error reported.
 */
function abort(ctx: ParameterizedContext, status: number, responder: Responder | undefined): void {
  reportSafely(responder?.onError, new ResponseStartedError(status))
  if (!ctx.res.writableEnded) ctx.res.destroy()
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
 * A middleware that answers rolegate's HTTP errors thrown downstream, the 401, 403 and 503 that
 * `await ctx.state.rolegate.assert(…)` throws in a handler, with their status, headers and problem
 * body, as the guards do. Any other error, or one thrown after the response has started, is
 * re-thrown to your own error handling. Errors are recognised by their `code`, so those of another
 * copy of `@rolegate/core` are too.
 *
 * @example
 * ```ts
 * app.use(myErrorHandler) // outside: sees what problemErrors() re-throws
 * app.use(problemErrors())
 * router.post('/invoices/:id/void', async (ctx) => {
 *   await ctx.state.rolegate.assert('invoices:write') // 403 problem body when denied
 *   ctx.body = await voidInvoice(ctx.params.id)
 * })
 * ```
 */
export function problemErrors({ onError }: ProblemErrorsOptions = {}): Middleware {
  return async function problemErrors(ctx: ParameterizedContext, next: Next): Promise<void> {
    try {
      await next()
    } catch (error) {
      const http = asHttpFailure(error)
      if (http === undefined || ctx.headerSent) throw error
      if (http.code === 'ERR_ROLEGATE_BACKEND_UNAVAILABLE') {
        const state = (ctx.state as { rolegate?: object }).rolegate
        const responder = responderOf(state)
        reportSafely(onError ?? responder?.onError, error)
      }
      send(ctx, http)
    }
  }
}
