import { memoryAssignmentStore } from '@rolegate/core'
import { describeAssignmentStore, rg } from './assignment-store-contract.js'

describeAssignmentStore('memoryAssignmentStore', (onChange, rolegate = rg) =>
  memoryAssignmentStore({ rolegate, onChange }),
)
