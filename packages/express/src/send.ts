import { failedCheckProblem, type Denial } from '@rolegate/core'
import type { Request, Response } from 'express'

/**
 * Replaces the default problem response of a denied request (401, 403 or 503). It must answer
 * before it returns, or before the promise it returns settles; if it does not, or if it throws,
 * the default problem response is sent.
 */
export type OnDenied = (req: Request, res: Response, denial: Denial) => void | Promise<void>

/** What the `rolegate()` middleware set for the responses of its requests. */
export interface Responder {
  readonly onDenied: OnDenied | undefined
  readonly onError: (error: unknown) => void
}

/** The responder of each per-request rolegate, set by the middleware that made it. */
export const responders: WeakMap<object, Responder> = new WeakMap()

/** The denial for a check that failed in a way core did not map (it never should). */
export const failedCheck: Denial = {
  allowed: false,
  status: 403,
  headers: {},
  problem: failedCheckProblem(),
}

/** Writes a denial as an `application/problem+json` response. */
export function send(res: Response, { status, headers, problem }: Denial): void {
  res.status(status).set(headers)
  res.set('content-type', 'application/problem+json; charset=utf-8')
  // res.send, not res.json: redactFor() wraps res.json, and a problem body must never be redacted.
  res.send(JSON.stringify(problem))
}

/** Answers a denial through `onDenied` when there is one, else with the problem body. */
export function deny(
  req: Request,
  res: Response,
  denial: Denial,
  state: object | undefined,
  onDenied: OnDenied | undefined,
): void {
  const responder = state === undefined ? undefined : responders.get(state)
  const handler = onDenied ?? responder?.onDenied
  const report = responder?.onError ?? ((error: unknown) => console.error(error))
  const fallback = (): void => {
    if (!res.headersSent) send(res, denial)
  }
  if (handler === undefined) return fallback()
  const failed = (error: unknown): void => {
    report(error)
    fallback()
  }
  try {
    Promise.resolve(handler(req, res, denial)).then(fallback, failed)
  } catch (error) {
    failed(error)
  }
}
