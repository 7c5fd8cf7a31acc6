import { invalidArgument } from '@rolegate/core'

// Why some ids and scopes core accepts are refused here: Redis keys and pub/sub messages are bytes,
// and ioredis writes a string as UTF-8, where a lone UTF-16 surrogate ("bob\ud800") becomes U+FFFD.
// Two such ids would share one record, and a change to one would be announced under the other's
// id, so an instance's copy of the first would not be dropped; a scope is part of the role index's
// keys, whose holders would then not be found (and a role still held could be deleted). The text
// is left out of the messages: it is not valid text and may not print.
const LONE_SURROGATE =
  'must be well-formed Unicode: it contains a lone UTF-16 surrogate, which Redis would store as U+FFFD and so share with another'
const ILL_FORMED = `${LONE_SURROGATE} id`

/**
 * Whether `id` is well-formed UTF-16 (no lone surrogate): ES2024's `String.prototype.isWellFormed`,
 * which Node has had since 20, but which the ES2023 lib rolegate compiles against does not declare.
 */
export function isWellFormedId(id: string): boolean {
  return (id as string & { isWellFormed(): boolean }).isWellFormed()
}

/** The store's refusal of an ill-formed id: core's TypeError for a bad argument. */
export function illFormedIdArgument(): TypeError & { code: 'ERR_ROLEGATE_INVALID_ARGUMENT' } {
  return invalidArgument(`subjectId ${ILL_FORMED}`)
}

/**
 * Refuses a scope that is not well-formed (see above), before anything is sent to Redis.
 * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`).
 */
export function checkScopes(scopes: Iterable<string | undefined>): void {
  for (const scope of scopes)
    if (typeof scope === 'string' && !isWellFormedId(scope))
      throw invalidArgument(`scope ${LONE_SURROGATE} scope`)
}

/** The resolver's refusal of a subject with an ill-formed id, with core's code for a bad subject. */
export function illFormedSubject(): TypeError & { code: 'ERR_ROLEGATE_INVALID_SUBJECT' } {
  return Object.assign(new TypeError(`Invalid subject: "id" ${ILL_FORMED}`), {
    code: 'ERR_ROLEGATE_INVALID_SUBJECT' as const,
  })
}
