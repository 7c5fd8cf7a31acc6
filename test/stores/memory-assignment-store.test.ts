import { memoryAssignmentStore } from '@rolegate/core'
import { describeAssignmentStore, rg } from './assignment-store-contract.js'

describeAssignmentStore('memoryAssignmentStore', (onChange) =>
  memoryAssignmentStore({ rolegate: rg, onChange }),
)
