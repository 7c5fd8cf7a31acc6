import type { RequestRolegate } from '@rolegate/core'
import type { Request, Response } from 'express'
import { uncachedRead } from './uncached-read.js'

/**
 * Where a request's rolegates are kept, and how `req.rolegate` finds them.
 *
 * Express gives every request a new prototype (`Object.setPrototypeOf(req, app.request)`), and V8
 * then adds each new property to `req` on a slow path: about 3 µs a property, measured, against
 * under 0.1 µs for a plain object, and two of them made rolegate's guard cost several percent of an
 * Express request. So the rolegates of a request live in `res.locals`, the dictionary Express makes
 * for every request, where adding a key is cheap; and `req.rolegate` is a getter on the app's
 * request prototype (`app.request`, Express's own extension point), added on the app's first
 * request. Outside an Express app (no `res.locals`, or a request whose prototype is not its app's
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

/** What `exposeOnPrototype` reads of an Express app: its request prototype and its parent. */
interface AppLike {
  readonly request?: unknown
  readonly parent?: AppLike
}

/**
 * Makes `req.rolegate` a getter on the request's prototype when that is its Express app's
 * `request` object; false when it is not (a plain object, another framework).
 *
 * A mounted sub-app's `request` inherits from its parent's, and when a request leaves the sub-app
 * Express gives it the parent's prototype back: the getter goes on every ancestor's `request`
 * too, so `req.rolegate` outlives the sub-app, as a property its middleware set would.
 */
function exposeOnPrototype(req: Request): boolean {
  const proto: unknown = Object.getPrototypeOf(req)
  if (typeof proto !== 'object' || proto === null) return false
  if (exposed.has(proto)) return true
  const app = (req as { app?: AppLike }).app
  if (app?.request !== proto || Object.hasOwn(proto, 'rolegate')) return false
  for (let at: AppLike | undefined = app; at !== undefined; at = at.parent) {
    const request = at.request
    if (typeof request !== 'object' || request === null || exposed.has(request)) continue
    // An ancestor whose app defined req.rolegate itself keeps its own.
    if (Object.hasOwn(request, 'rolegate')) continue
    Object.defineProperty(request, 'rolegate', descriptor)
    exposed.add(request)
  }
  return true
}
