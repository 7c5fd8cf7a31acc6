import { failedCheckProblem, type Denial } from '@rolegate/core'
import type { ParameterizedContext } from 'koa'

/**
 * Replaces the default problem response of a denied request (401, 403 or 503) by setting
 * `ctx.status` and `ctx.body`. If it leaves `ctx.body` unset (use `null` for no body), or throws,
 * the default problem response is sent.
 */
export type OnDenied = (ctx: ParameterizedContext, denial: Denial) => void | Promise<void>

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
export function send(ctx: ParameterizedContext, { status, headers, problem }: Denial): void {
  ctx.status = status
  ctx.set({ ...headers, 'content-type': 'application/problem+json; charset=utf-8' })
  ctx.body = JSON.stringify(problem)
}

/** Answers a denial through `onDenied` when there is one, else with the problem body. */
export async function deny(
  ctx: ParameterizedContext,
  denial: Denial,
  state: object | undefined,
  onDenied: OnDenied | undefined,
): Promise<void> {
  const responder = state === undefined ? undefined : responders.get(state)
  const handler = onDenied ?? responder?.onDenied
  if (handler !== undefined) {
    try {
      await handler(ctx, denial)
      if (ctx.body !== undefined) return
    } catch (error) {
      ;(responder?.onError ?? console.error)(error)
    }
  }
  send(ctx, denial)
}
