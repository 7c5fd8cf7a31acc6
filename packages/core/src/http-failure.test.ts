import { describe, expect, test } from 'vitest'
import {
  BackendUnavailableError,
  ForbiddenError,
  PolicyError,
  UnauthorizedError,
} from './errors.js'
import { asHttpFailure } from './http-failure.js'
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
      Object.assign(new Error('teapot'), { status: 418, expose: true }),
      'ERR_ROLEGATE_FORBIDDEN',
      null,
      undefined,
    ]
    for (const error of notHttp) expect(asHttpFailure(error)).toBeUndefined()
  })
})
