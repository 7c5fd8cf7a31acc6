import type { RequestRolegate } from '@rolegate/core'
import { IncomingMessage } from 'node:http'
import type { Request, Response } from 'express'
import { uncachedRead } from './uncached-read.js'

/**
 * Where a request's rolegates are kept, and how `req.rolegate` finds them.
 *
 * Express gives every request a new prototype (`Object.setPrototypeOf(req, app.request)`), and V8
 * then adds each new property to `req` on a slow path: about 3 µs a property, measured, against
 * under 0.1 µs for a plain object, and two of them made rolegate's guard cost several percent of an
 * Express request. So the rolegates of a request live in `res.locals`, the dictionary Express makes
 * for every request, where adding a key is cheap; and `req.rolegate` is a getter on Express's
 * request prototype (`express.request`, which every app's `app.request` inherits from: Express's
 * own extension points), added on an app's first request. Outside an Express app (no `res.locals`, or a request whose prototype is not its app's
 * `request`), both are plain properties of `req`.
 *
 * Reads of `req` and `res` are not free either (their properties are looked up, not at a fixed
 * place): the middleware and the guards, which are handed `res`, find the holder once per call
 * with {@link holderOf} and read nothing else of either.
 */

/** Where a request's rolegates are kept: typed by no policy, a rolegate of any policy is kept alike. */
export type Holder = Record<symbol, object | undefined>

/** The request rolegate of the `rolegate()` middleware that ran last: what `req.rolegate` gives. */
const CURRENT: unique symbol = Symbol('rolegate.current')

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null

/**
 * Where this request's rolegates are kept: its `res.locals` under Express, else the request.
 * @param res The response when the caller has it (middleware and guards do), else `req.res`.
 */
export function holderOf(req: Request, res: Response | undefined = req.res): Holder {
  // Typed as a Response, but outside Express `req.res` may be anything.
  const locals = isObject(res) ? uncachedRead(res, 'locals') : undefined
  return isObject(locals) ? (locals as Holder) : (req as unknown as Holder)
}

/** Keeps a request rolegate in `holder` under `key`, and makes it what `req.rolegate` gives. */
export function keepState(req: Request, holder: Holder, key: symbol, state: object): void {
  holder[key] = state
  holder[CURRENT] = state
  // Where the getter cannot be installed, or the state is not in res.locals, a plain property.
  if (holder === (req as unknown) || !exposeOnPrototype(req))
    (req as { rolegate?: unknown }).rolegate = state
}

/** The prototypes `req.rolegate` is a getter on. */
const exposed = new WeakSet<object>()

const descriptor: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: Request): RequestRolegate | undefined {
    return holderOf(this)[CURRENT] as RequestRolegate | undefined
  },
  // An app that sets req.rolegate itself (a test, a custom middleware) gets a plain property.
  set(this: Request, value: unknown): void {
    Object.defineProperty(this, 'rolegate', {
      value,
      writable: true,
      configurable: true,
      enumerable: true,
    })
  },
}

/**
 * Makes `req.rolegate` a getter on the request's prototype when that is its Express app's
 * `request` object; false when it is not (a plain object, another framework).
 *
 * The getter goes below every app's `request`, on Express's own (what they all inherit from, a
 * mounted sub-app's through its parent's): a request goes back to its parent app's prototype when
 * it leaves a sub-app, whichever of the apps that mounted it it came through, and `req.rolegate`
 * must outlive the sub-app as a property its middleware set would. An app that never runs
 * `rolegate()` reads `undefined` there, as before.
 */
function exposeOnPrototype(req: Request): boolean {
  const proto: unknown = Object.getPrototypeOf(req)
  if (typeof proto !== 'object' || proto === null) return false
  if (exposed.has(proto)) return true
  const app = (req as { app?: { request?: unknown } }).app
  if (app?.request !== proto || Object.hasOwn(proto, 'rolegate')) return false
  const base = expressRequestBelow(proto) ?? proto
  if (!Object.hasOwn(base, 'rolegate')) Object.defineProperty(base, 'rolegate', descriptor)
  exposed.add(proto)
  return true
}

/**
 * Express's own `request` below an app's: the last prototype before Node's `IncomingMessage`'s.
 * `undefined` when the chain does not reach Node's (not a request Express made).
 */
function expressRequestBelow(proto: object): object | undefined {
  let at = proto
  for (;;) {
    const next: unknown = Object.getPrototypeOf(at)
    if (next === IncomingMessage.prototype) return at
    if (typeof next !== 'object' || next === null) return undefined
    at = next
  }
}
