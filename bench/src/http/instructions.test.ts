import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import { countedListener } from './counted-listener.js'
import { totalInstructions } from './instructions.js'

const dump = (lines: readonly string[]): string =>
  ['# callgrind format', 'version: 1', 'creator: callgrind-3.19.0', ...lines, ''].join('\n')

describe('totalInstructions', () => {
  it('reads the totals of the dump made at the end mark', () => {
    const text = dump([
      'desc: Trigger: --dump-before=node::os::GetTotalMemory(v8::FunctionCallbackInfo<v8::Value> const&)',
      'events: Ir',
      'summary: 4848818223',
      'fn=(1) main',
      '1 5',
      'totals: 597546998',
    ])
    expect(totalInstructions(text)).toBe(597546998)
  })

  it('refuses a dump made anywhere else, such as at exit', () => {
    const text = dump(['desc: Trigger: Program termination', 'totals: 6948434'])
    expect(() => totalInstructions(text)).toThrow(
      'the callgrind dump was not made at node::os::GetTotalMemory*',
    )
  })

  it('refuses a dump without a totals line', () => {
    const text = dump(['desc: Trigger: --dump-before=node::os::GetTotalMemory(x)', 'events: Ir'])
    expect(() => totalInstructions(text)).toThrow('the callgrind dump has no totals line')
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
