import { describe, expect, test } from 'vitest'
import {
  BackendUnavailableError,
  ForbiddenError,
  PolicyError,
  UnauthorizedError,
} from './errors.js'
import { asHttpFailure, problemResponse } from './http-failure.js'
import { failedCheckProblem, unauthorizedProblem } from './problem.js'

describe('asHttpFailure', () => {
  test("recognises core's 401, 403 and 503 errors", () => {
    const errors = [
      new UnauthorizedError(unauthorizedProblem(), { 'www-authenticate': 'Bearer' }),
      new ForbiddenError(failedCheckProblem(), {
        allowed: false,
        permission: 'invoices:write',
        reason: 'no-grant',
      }),
      new BackendUnavailableError('The assignment store did not answer.'),
    ]
    for (const error of errors) expect(asHttpFailure(error)).toBe(error)
  })

  test('recognises one thrown by another copy of core, by its code and fields', () => {
    const copy = {
      code: 'ERR_ROLEGATE_FORBIDDEN',
      status: 403,
      headers: {},
      problem: failedCheckProblem(),
    }
    expect(asHttpFailure(copy)).toBe(copy)
  })

  test('rejects other rolegate errors, lookalikes and non-objects', () => {
    const problem = failedCheckProblem()
    const notHttp = [
      new PolicyError([{ path: 'roles', message: 'missing' }]),
      { code: 'ERR_ROLEGATE_POLICY_INVALID', status: 403, headers: {}, problem },
      { code: 'ERR_ROLEGATE_FORBIDDEN', status: '403', headers: {}, problem },
      { code: 'ERR_ROLEGATE_FORBIDDEN', status: 403, headers: {}, problem: null },
      { code: 'ERR_ROLEGATE_FORBIDDEN', status: 403, problem },
      { status: 403, headers: {}, problem },
      // A code that claims a status not its own, or headers that cannot be set.
      { code: 'ERR_ROLEGATE_FORBIDDEN', status: 200, headers: {}, problem },
      { code: 'ERR_ROLEGATE_BACKEND_UNAVAILABLE', status: 403, headers: {}, problem },
      {
        code: 'ERR_ROLEGATE_FORBIDDEN',
        status: 403,
        headers: { 'x-a': 'b\r\nset-cookie: s=1' },
        problem,
      },
      { code: 'ERR_ROLEGATE_FORBIDDEN', status: 403, headers: { 'x a': 'b' }, problem },
      { code: 'ERR_ROLEGATE_FORBIDDEN', status: 403, headers: { 'x-a': 1 }, problem },
      Object.defineProperty({}, 'code', {
        get() {
          throw new Error('hostile getter')
        },
      }),
      Object.assign(new Error('teapot'), { status: 418, expose: true }),
      'ERR_ROLEGATE_FORBIDDEN',
      null,
      undefined,
    ]
    for (const error of notHttp) expect(asHttpFailure(error)).toBeUndefined()
  })
})

describe('problemResponse', () => {
  const failed = { status: 403, headers: {}, body: JSON.stringify(failedCheckProblem()) }

  test('writes a denial as it is: status, headers and the problem as JSON', () => {
    const problem = unauthorizedProblem()
    expect(
      problemResponse({ status: 401, headers: { 'www-authenticate': 'Bearer' }, problem }),
    ).toEqual({
      status: 401,
      headers: { 'www-authenticate': 'Bearer' },
      body: JSON.stringify(problem),
    })
  })

  test('a problem that does not serialise, or a header that cannot be set, is a failed check', () => {
    const cyclic: Record<string, unknown> = { ...failedCheckProblem() }
    cyclic.self = cyclic
    const withBigInt = { ...failedCheckProblem(), scope: 5n } as unknown as ReturnType<
      typeof failedCheckProblem
    >
    expect(problemResponse({ status: 403, headers: {}, problem: withBigInt })).toEqual(failed)
    expect(problemResponse({ status: 403, headers: {}, problem: cyclic as never })).toEqual(failed)
    expect(
      problemResponse({
        status: 401,
        headers: { 'www-authenticate': 'a\nb' },
        problem: unauthorizedProblem(),
      }),
    ).toEqual(failed)
  })
})
