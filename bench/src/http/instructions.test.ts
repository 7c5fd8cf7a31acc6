import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import { countedListener } from './counted-listener.js'
import { dumpTotals, inlineCacheMisses } from './instructions.js'

const dump = (lines: readonly string[]): string =>
  ['# callgrind format', 'version: 1', 'creator: callgrind-3.19.0', ...lines, ''].join('\n')

describe('dumpTotals: the instructions', () => {
  it('reads the totals of the dump made at the end mark', () => {
    const text = dump([
      'desc: Trigger: --dump-before=node::os::GetTotalMemory(v8::FunctionCallbackInfo<v8::Value> const&)',
      'events: Ir',
      'summary: 4848818223',
      'fn=(1) main',
      '1 5',
      'totals: 597546998',
    ])
    expect(dumpTotals(text).Ir).toBe(597546998)
  })

  it('refuses a dump made anywhere else, such as at exit', () => {
    const text = dump(['desc: Trigger: Program termination', 'totals: 6948434'])
    expect(() => dumpTotals(text)).toThrow(
      'the callgrind dump was not made at node::os::GetTotalMemory*',
    )
  })

  it('refuses a dump without a totals line', () => {
    const text = dump(['desc: Trigger: --dump-before=node::os::GetTotalMemory(x)', 'events: Ir'])
    expect(() => dumpTotals(text)).toThrow('the callgrind dump has no totals line')
  })
})

describe('dumpTotals: every event', () => {
  const mark =
    'desc: Trigger: --dump-before=node::os::GetTotalMemory(v8::FunctionCallbackInfo<v8::Value> const&)'

  it('names each total by its event, the simulated caches as well', () => {
    const text = dump([
      mark,
      'events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw',
      'fn=(1) main',
      '1 5 2 1 0 0 0 0 0 0',
      'totals: 590488497 171705512 88393261 26718135 11085425 1994849 350 19 442',
    ])
    expect(dumpTotals(text)).toEqual({
      Ir: 590488497,
      Dr: 171705512,
      Dw: 88393261,
      I1mr: 26718135,
      D1mr: 11085425,
      D1mw: 1994849,
      ILmr: 350,
      DLmr: 19,
      DLmw: 442,
    })
  })

  it('refuses totals that do not match the events', () => {
    const text = dump([mark, 'events: Ir I1mr', 'totals: 597546998'])
    expect(() => dumpTotals(text)).toThrow('the callgrind dump has 1 totals for 2 events')
  })

  it('refuses a dump that counted no instructions', () => {
    const text = dump([mark, 'events: I1mr', 'totals: 12'])
    expect(() => dumpTotals(text)).toThrow('the callgrind dump counted no instructions')
  })
})

describe('inlineCacheMisses', () => {
  it("adds up the calls into V8's miss handlers, and no other call", () => {
    const text = dump([
      'events: Ir',
      'fn=Builtins_LoadIC',
      'cfn=v8::internal::Runtime_LoadIC_Miss(int, unsigned long*, v8::internal::Isolate*)',
      'calls=90 0 ',
      '0 360000',
      // A miss taken inside a miss handler: callgrind names a recursion level with a suffix.
      "cfn=v8::internal::Runtime_LoadIC_Miss(int, unsigned long*, v8::internal::Isolate*)'2",
      'calls=2 0 ',
      '0 8000',
      'cfn=v8::internal::Runtime_StoreIC_Miss(int, unsigned long*, v8::internal::Isolate*)',
      'calls=24 0',
      '0 96000',
      'cfn=v8::internal::LookupIterator::Start<false>()',
      'calls=500 0',
      '0 5000',
      'fn=Builtins_KeyedStoreIC',
      'cfn=v8::internal::Runtime_KeyedStoreIC_Miss(int, unsigned long*, v8::internal::Isolate*)',
      'calls=3 0',
      '0 900',
      '0 12',
      'totals: 462000',
    ])
    expect(inlineCacheMisses(text)).toBe(119)
  })

  it('counts none in a dump without calls into them', () => {
    expect(inlineCacheMisses(dump(['fn=main', '1 5', 'totals: 5']))).toBe(0)
  })
})

describe('countedListener', () => {
  it('passes every request on and reports once, when request warm + counted arrives', () => {
    const seen: number[] = []
    let done = 0
    const app: RequestListener = (req) => void seen.push(Number(req.url))
    const listener = countedListener(app, 3, 4, () => done++)
    const res = {} as ServerResponse
    for (let i = 1; i <= 10; i++) {
      listener({ url: String(i) } as IncomingMessage, res)
      expect(done).toBe(i >= 7 ? 1 : 0)
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })
})
