import { PROBLEM_CONTENT_TYPE } from '@rolegate/core'
import type { ErrorRequestHandler, Response } from 'express'

/** An RFC 9457 problem body, with this app's own extension members where useful. */
export interface AppProblem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
}

/** Answers with a problem body (extension members included), with the media type of rolegate's guards. */
export function sendProblem<T extends AppProblem>(res: Response, problem: T): void {
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem))
}

/** 400: the request body is not what the route takes. */
export function invalidRequest(detail: string): AppProblem {
  return {
    type: 'urn:rolegate-example:problem:invalid-request',
    title: 'Invalid request',
    status: 400,
    detail,
  }
}

/** 404: no such thing. */
export function notFound(detail: string): AppProblem {
  return { type: 'urn:rolegate-example:problem:not-found', title: 'Not found', status: 404, detail }
}

/** What body-parser's errors carry: `type` says what went wrong reading the body. */
interface BodyParserError {
  readonly type?: unknown
}

/**
 * The app's last middleware, mounted after `@rolegate/express`'s `problemErrors()`, which answers
 * rolegate's errors as problem bodies (403 from a handler's or a job's `assert`, 503 when the store
 * is down). What reaches this is the app's own: a body that is not JSON is a 400, anything else a
 * 500.
 */
export function answerErrors(
  report: (error: unknown) => void = console.error,
): ErrorRequestHandler {
  return function answerErrors(error: unknown, _req, res, next) {
    if (res.headersSent) {
      next(error)
      return
    }
    const { type }: BodyParserError = typeof error === 'object' && error !== null ? error : {}
    if (type === 'entity.parse.failed') {
      sendProblem(res, invalidRequest('The body is not valid JSON.'))
      return
    }
    report(error)
    sendProblem(res, {
      type: 'urn:rolegate-example:problem:internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The server could not answer this request.',
    })
  }
}
