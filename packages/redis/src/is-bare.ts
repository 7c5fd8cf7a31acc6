import type { Subject } from '@rolegate/core'

/** A subject carrying nothing but its id: its context depends only on the stored assignments. */
export function isBare(subject: Subject): boolean {
  return (
    subject.type === undefined &&
    subject.roles === undefined &&
    subject.scoped === undefined &&
    subject.grants === undefined &&
    subject.attributes === undefined
  )
}
