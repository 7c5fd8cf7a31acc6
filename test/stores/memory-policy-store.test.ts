import { memoryAssignmentStore, memoryPolicyStore } from '@rolegate/core'
import { describePolicyStore, policy } from './policy-store-contract.js'

describePolicyStore('memoryPolicyStore', (onChange) => {
  // Each asks the other: the assignments are checked against the custom roles, and a role is
  // deleted only once no one holds it.
  const holders = { holdings: (role: string) => assignments.holdings(role) }
  const policies = memoryPolicyStore({ policy, assignments: holders, onChange })
  const assignments = memoryAssignmentStore({ rolegate: policies })
  return { policies, assignments }
})
