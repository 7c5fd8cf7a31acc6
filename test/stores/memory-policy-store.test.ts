import { memoryStore } from '@rolegate/core'
import { describePolicyStore, policy } from './policy-store-contract.js'

describePolicyStore('memoryPolicyStore', (onPolicyChange) => {
  const { policies, assignments } = memoryStore({ policy, onPolicyChange })
  return { policies, assignments }
})
