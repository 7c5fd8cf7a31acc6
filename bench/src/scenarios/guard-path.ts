/**
 * Issue 3, in process: what each variant's middleware costs per request without HTTP. The HTTP runs
 * give the answer that counts, but a server's cost moves by 10 to 30% from run to run; this gives
 * the guard's own share, steadily, to read beside them. Each call builds a fresh request object and
 * runs the variant's own middleware (the subject middleware, rolegate's, the guard, the handler: the
 * functions the HTTP servers mount) through a minimal chain in place of the framework's router.
 */
import { do_not_optimize, measure } from 'mitata'
import type { Middleware, ParameterizedContext } from 'koa'
import express, { type Request, type RequestHandler, type Response } from 'express'
import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { expressChain } from '../http/express-apps.js'
import {
  ALLOWED_USER,
  BODY,
  LABELS,
  USER_HEADER,
  VARIANTS,
  handWrittenGuards,
} from '../http/guards.js'
import { koaChain } from '../http/koa-apps.js'
import { duration, printTable } from '../report.js'

const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 100)
const ROUNDS = 5

const header = (name: string): string | undefined =>
  name.toLowerCase() === USER_HEADER ? ALLOWED_USER : undefined

/** Runs Koa middleware as koa-compose does, on a fresh context; resolves to the body. */
function koaRunner(middleware: readonly Middleware[]): () => Promise<unknown> {
  const ended = Promise.resolve()
  return async () => {
    const ctx = { state: {}, body: undefined, get: (name: string) => header(name) ?? '' }
    const dispatch = (i: number): Promise<void> => {
      const next = middleware[i]
      if (next === undefined) return ended
      return Promise.resolve(next(ctx as unknown as ParameterizedContext, () => dispatch(i + 1)))
    }
    await dispatch(0)
    return ctx.body
  }
}

/**
 * Runs Express middleware in order on a fresh request; gives what the handler sent. The request is
 * made as Express makes it: an `IncomingMessage` whose prototype is then set to the app's request
 * prototype. V8 handles an object whose prototype was changed on a slow path: each property added
 * to it afterwards costs microseconds, not nanoseconds, and middleware that adds some pays that.
 */
function expressRunner(middleware: readonly RequestHandler[]): () => Promise<unknown> {
  const app = express()
  const socket = new Socket()
  return () =>
    new Promise((resolve, reject) => {
      const req = Object.setPrototypeOf(new IncomingMessage(socket), app.request) as Request
      req.headers = { [USER_HEADER]: ALLOWED_USER }
      const res = Object.setPrototypeOf({ json: resolve }, app.response) as Response
      res.locals = Object.create(null) as Response['locals']
      req.res = res
      let i = 0
      const next = (error?: unknown): void => {
        if (error !== undefined) return reject(new Error('a middleware failed', { cause: error }))
        const handler = middleware[i++]
        if (handler === undefined) reject(new Error('no handler answered'))
        else void handler(req, res, next)
      }
      next()
    })
}

/** The median ns of one call, the best of ROUNDS timings. */
async function time(run: () => Promise<unknown>): Promise<number> {
  let best = Infinity
  for (let round = 0; round < ROUNDS; round++) {
    const stats = await measure(async () => do_not_optimize(await run()), {
      min_cpu_time: BUDGET_MS * 1e6,
    })
    best = Math.min(best, stats.p50)
  }
  return best
}

/**
 * Times each variant's middleware per request, in process, and prints it beside the HTTP servers'
 * CPU per request without a guard (`noGuardCpuMicros`, from the HTTP rounds), to show what share of
 * a request the guard is.
 */
export async function guardPathScenario(
  noGuardCpuMicros: Readonly<Record<'express' | 'koa', number>>,
): Promise<void> {
  const guards = await handWrittenGuards()
  const rows: string[][] = []
  const frameworks = [
    [
      'express',
      'Express 5',
      (v: (typeof VARIANTS)[number]) => expressRunner(flat(expressChain(v, guards))),
    ],
    ['koa', 'Koa 3', (v: (typeof VARIANTS)[number]) => koaRunner(flat(koaChain(v, guards)))],
  ] as const
  for (const [framework, name, runnerFor] of frameworks) {
    const runners = VARIANTS.map((variant) => [variant, runnerFor(variant)] as const)
    for (const [variant, run] of runners) {
      const body = await run()
      if (JSON.stringify(body) !== JSON.stringify(BODY))
        throw new Error(`${name} ${LABELS[variant]} in process answered ${JSON.stringify(body)}`)
    }
    const timings = new Map<string, number>()
    for (const [variant, run] of runners) timings.set(variant, await time(run))
    const none = timings.get('none') as number
    for (const [variant] of runners) {
      const ns = timings.get(variant) as number
      const added = ns - none
      rows.push([
        name,
        LABELS[variant],
        duration(ns),
        variant === 'none' ? '—' : `${added >= 0 ? '+' : '−'}${duration(Math.abs(added))}`,
        variant === 'none'
          ? '—'
          : `${((added / 1000 / noGuardCpuMicros[framework]) * 100).toFixed(1)}%`,
      ])
    }
  }
  printTable(
    'HTTP guards in process: the same middleware per request, without HTTP (median, best of 5)',
    ['framework', 'variant', 'per request', 'vs no guard', "share of no guard's server CPU/req"],
    rows,
    [
      'per request: a fresh request object, then the subject middleware, rolegate() where mounted, the guard and the handler, in a minimal chain',
      "share: the added time over the no-guard server's CPU per request in the HTTP rounds above; 3% is what the 97% target leaves",
    ],
  )
}

const flat = <T>(chain: { readonly use: readonly T[]; readonly route: readonly T[] }): T[] => [
  ...chain.use,
  ...chain.route,
]
