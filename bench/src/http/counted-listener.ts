/**
 * The server's half of counting instructions under valgrind's callgrind (instructions.ts): marks
 * where the counted requests begin and end with two calls callgrind is told to watch for. Node's
 * `os.freemem()` and `os.totalmem()` run the C++ functions `node::os::GetFreeMemory` and
 * `node::os::GetTotalMemory`, which nothing else in the server calls; callgrind zeroes its counters
 * on entering the first (`--zero-before`) and writes them out on entering the second
 * (`--dump-before`). So the count covers exactly the requests in between, on every thread of the
 * process (the JIT's and the GC's included), and none of the warm-up.
 */
import type { RequestListener } from 'node:http'
import { freemem, totalmem } from 'node:os'

/** The C++ functions callgrind is told to watch for, as its options name them. */
export const ZERO_AT = 'node::os::GetFreeMemory*'
export const DUMP_AT = 'node::os::GetTotalMemory*'

/**
 * Wraps `app` so that request number `warm` starts the count and request number `warm + counted`
 * ends it, then calls `done`. Requests are counted as they arrive: with C connections, up to C
 * requests are in flight at either end, the same for every variant. No full GC before the count:
 * a forced one (`gc()`) made the counted requests cost twice as much, as if it threw away
 * compiled code (measured: 265k instead of 120k instructions per Koa request).
 */
export function countedListener(
  app: RequestListener,
  warm: number,
  counted: number,
  done: () => void,
): RequestListener {
  let arrived = 0
  return (req, res) => {
    arrived++
    if (arrived === warm) freemem()
    else if (arrived === warm + counted) {
      totalmem()
      done()
    }
    app(req, res)
  }
}
