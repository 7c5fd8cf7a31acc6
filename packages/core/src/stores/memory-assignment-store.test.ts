import { describe, expect, test } from 'vitest'
import { createRolegate } from '../create-rolegate.js'
import { definePolicy } from '../policy/define-policy.js'
import { contextResolver } from './context-resolver.js'
import { memoryAssignmentStore } from './memory-assignment-store.js'

const policy = definePolicy({
  resources: ['projects'],
  roles: { admin: { exclusive: true, grants: { '*': 'write' } } },
})
const rg = createRolegate({ policy })

// What every store must do alike is test/stores/assignment-store-contract.ts, run on this one too.
describe('memoryAssignmentStore', () => {
  test('a store that fails makes the resolver throw BackendUnavailableError, never allow', async () => {
    const store = memoryAssignmentStore({ rolegate: rg })
    const broken = { ...store, get: () => Promise.reject(new Error('ECONNREFUSED')) }
    await expect(
      contextResolver({ rolegate: rg, store: broken })({ id: 'u', roles: ['admin'] }),
    ).rejects.toMatchObject({
      code: 'ERR_ROLEGATE_BACKEND_UNAVAILABLE',
      status: 503,
      message: 'The assignment store did not answer.',
    })
  })
})
