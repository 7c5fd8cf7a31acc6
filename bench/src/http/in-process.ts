/**
 * A server's cost per request without sockets: its own app (router, subject middleware, guard,
 * handler) on a fresh request made as Node's HTTP server makes it, and a response whose `end` takes
 * the body instead of writing it. Timed in the server's own process, after its HTTP slices, so
 * that it shares that process's JIT state and luck, and is compared with no guard's round by round
 * as the HTTP figures are. Steadier than HTTP on Koa; on Express it moves with the process, as
 * Express's own cost does.
 */
import { IncomingMessage, ServerResponse, type RequestListener } from 'node:http'
import { Socket } from 'node:net'
import { do_not_optimize, measure } from 'mitata'
import { allocatedBytesAsync } from '../heap.js'
import { ALLOWED_USER, BODY, ROUTE, USER_HEADER } from './guards.js'

/** mitata's timed work for one in-process timing. */
const BUDGET_MS = 300

/** Runs one request through `app`; resolves to the body it ended the response with. */
function runner(app: RequestListener): () => Promise<unknown> {
  const socket = new Socket()
  return () =>
    new Promise((resolve, reject) => {
      const req = new IncomingMessage(socket)
      req.method = 'GET'
      req.url = ROUTE
      req.headers = { host: '127.0.0.1', [USER_HEADER]: ALLOWED_USER }
      const res = new ServerResponse(req)
      res.end = ((chunk?: unknown) => {
        if (res.statusCode === 200) resolve(chunk)
        else reject(new Error(`answered ${res.statusCode}`))
        return res
      }) as typeof res.end
      app(req, res)
    })
}

/** Requests whose allocations are counted, one after the other. */
const COUNTED = 2_000

/** One request through the app in process: its median time, and the bytes it allocates. */
export interface InProcess {
  readonly ns: number
  readonly bytes: number
}

/**
 * Times requests through `app`, after checking that it answers with the body, then counts what
 * COUNTED more of them allocate. Allocation is the steadier figure: it does not move with the
 * machine's load, and the garbage a guard leaves is a cost that shows under HTTP load.
 */
export async function timeInProcess(app: RequestListener): Promise<InProcess> {
  const run = runner(app)
  const body = String(await run())
  if (body !== JSON.stringify(BODY)) throw new Error(`in process, the app answered ${body}`)
  const stats = await measure(async () => do_not_optimize(await run()), {
    min_cpu_time: BUDGET_MS * 1e6,
  })
  const bytes = await allocatedBytesAsync(async () => {
    for (let i = 0; i < COUNTED; i++) await run()
  })
  return { ns: stats.p50, bytes: bytes / COUNTED }
}
