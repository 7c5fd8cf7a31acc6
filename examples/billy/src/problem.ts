import { STATUS_CODES } from 'node:http'
import type { Middleware } from 'koa'

/** An RFC 9457 problem body, as the app's own refusals (422, 404, 409…) send it. */
export interface AppProblem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly [extension: string]: unknown
}

/** Thrown by handlers to answer with a problem body; {@link problems} writes it. */
export class ProblemError extends Error {
  readonly problem: AppProblem

  constructor(
    status: number,
    slug: string,
    title: string,
    detail: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(detail)
    this.name = 'ProblemError'
    this.problem = {
      type: `urn:rolegate-example:problem:${slug}`,
      title,
      status,
      detail,
      ...extensions,
    }
  }
}

/**
 * Answers a {@link ProblemError}, and errors Koa's own middleware marks as exposable (a malformed
 * JSON body), with `application/problem+json`. Anything else is a 500 that says nothing. rolegate's
 * errors never get here: its guards answer their own 401/403/503, and `problemErrors()` from
 * `@rolegate/koa`, mounted just inside this, answers what `ctx.state.rolegate.assert()` throws in a
 * handler (403, 503).
 */
export function problems(onError: (error: unknown) => void): Middleware {
  return async function problems(ctx, next) {
    try {
      await next()
    } catch (error) {
      const problem = toProblem(error)
      if (problem.status >= 500) onError(error)
      ctx.status = problem.status
      ctx.body = problem
      ctx.set('content-type', 'application/problem+json; charset=utf-8')
    }
  }
}

function toProblem(error: unknown): AppProblem {
  if (error instanceof ProblemError) return error.problem
  const { status, expose, message } = error as {
    status?: unknown
    expose?: unknown
    message?: unknown
  }
  if (typeof status === 'number' && status >= 400 && status < 500 && expose === true)
    return {
      type: 'about:blank',
      title: STATUS_CODES[status] ?? 'Bad Request',
      status,
      detail: typeof message === 'string' ? message : 'The request could not be read.',
    }
  return {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'Something went wrong.',
  }
}
