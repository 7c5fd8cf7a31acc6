import { describe, expect, test, vi } from 'vitest'
import { emitAudit, type AuditEvent } from './audit.js'

const event: AuditEvent = {
  actor: 'vera',
  subject: 'vera',
  permissions: ['invoices:read'],
  scope: undefined,
  allowed: true,
  reason: 'granted',
  durationMs: 0.1,
}

/** Lets the microtask that runs the hook, and a rejection's handler after it, go by. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('emitAudit', () => {
  test('a hook that throws or rejects goes to onError, after the caller has gone on', async () => {
    const heard: unknown[] = []
    const sinkDown = new Error('sink down')
    emitAudit(
      () => {
        throw sinkDown
      },
      event,
      (error) => heard.push(error),
    )
    emitAudit(
      () => Promise.reject(sinkDown),
      event,
      (error) => heard.push(error),
    )
    expect(heard).toEqual([])
    await settled()
    expect(heard).toEqual([sinkDown, sinkDown])
  })

  test('when onError throws too, what it threw goes to console.error, never out', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const loggerDown = new Error('logger down')
    const onError = (): never => {
      throw loggerDown
    }
    try {
      emitAudit(
        () => {
          throw new Error('sink down')
        },
        event,
        onError,
      )
      emitAudit(() => Promise.reject(new Error('sink down later')), event, onError)
      const thenable = {
        then: (_: unknown, reject: (e: unknown) => void) => reject(new Error('x')),
      }
      emitAudit(() => thenable as unknown as Promise<void>, event, onError)
      await settled()
      expect(logged.mock.calls).toEqual([[loggerDown], [loggerDown], [loggerDown]])
    } finally {
      logged.mockRestore()
    }
  })
})
