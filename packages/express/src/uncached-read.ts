/**
 * Reads a property of Express's `req` or `res` without an inline cache.
 *
 * Express sets the prototype of every request's `req` and `res`, and on Node 20 V8 then gives each
 * of them a map (hidden class) of its own, so that a read written `res.locals` misses its inline
 * cache on every request: a call into V8's runtime that looks the property up and updates the
 * cache, 2,500 to 4,000 instructions (bench README, sessions 10 and 12). `Reflect.get` has no
 * inline cache: V8 looks the property up in generated code, with no runtime call, whatever the
 * object's map (`node --log-ic` shows no miss).
 */
export function uncachedRead(target: object, key: string): unknown {
  return Reflect.get(target, key)
}
