import { invalidArgument } from '@rolegate/core'

/**
 * Every Redis key and channel name rolegate uses under one prefix.
 *
 * Layout (prefix `rg:` shown):
 *
 * | key | type | holds |
 * |---|---|---|
 * | `rg:s:{<subject id>}` | hash | `e`: the subject's epoch token; `a`: its assignments as JSON |
 * | `rg:g:<role>` | set | ids of subjects holding `<role>` globally (index for `list`) |
 * | `rg:r:<role>:<scope>` | set | ids of subjects holding `<role>` in `<scope>` (index for `list`) |
 * | `rg:rs:<role>` | set | scopes in which `<role>` has ever been held (index for role deletion) |
 * | `rg:policy` | hash | `roles`: custom roles as JSON; `etag`: a token that changes on every change; `rev`: a counter |
 * | `rg:changes` | pub/sub channel | one message per change, for every instance |
 *
 * A subject has one key, and its name carries the hash tag `{<subject id>}`, so in a Redis Cluster
 * any key rolegate adds for a subject later lands in the same slot and can join the same script.
 * The tag comes after the prefix, which may therefore contain no `{` or `}`: a brace there would
 * move the tag. The id itself may contain anything: the tag then ends at the id's first `}`, which
 * is still the same for every key of that subject.
 *
 * Role names never contain `:` (core refuses such names), so the index keys are unambiguous. They
 * carry no hash tag: a popular role's sets spread over the cluster instead of piling into one slot.
 */
export interface RedisKeys {
  /** The prefix every key starts with. */
  readonly prefix: string
  /** The pub/sub channel changes are announced on. */
  readonly channel: string
  /** The hash holding the custom roles. */
  readonly policy: string
  /** A `SCAN MATCH` pattern for every subject key. */
  readonly subjectPattern: string
  /** The subject's hash. */
  subject(subjectId: string): string
  /** The subject id a subject key belongs to. */
  subjectIdOf(key: string): string
  /** The index set of subjects holding `role` globally, or in `scope`. */
  holders(role: string, scope: string | undefined): string
  /** The index set of scopes in which `role` has been held. */
  scopesOf(role: string): string
}

/** The prefix used when none is given. */
export const DEFAULT_KEY_PREFIX = 'rolegate:'

/**
 * The key layout for a prefix.
 *
 * @throws TypeError (`ERR_ROLEGATE_INVALID_ARGUMENT`) when the prefix contains `{` or `}`.
 */
export function redisKeys(prefix: string = DEFAULT_KEY_PREFIX): RedisKeys {
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw invalidArgument(
      `keyPrefix must be a string without "{" or "}" (it would move the hash tag), got ${JSON.stringify(prefix)}`,
    )
  }
  const subjectStart = `${prefix}s:{`
  return {
    prefix,
    channel: `${prefix}changes`,
    policy: `${prefix}policy`,
    subjectPattern: `${globEscape(subjectStart)}*}`,
    subject: (subjectId) => `${subjectStart}${subjectId}}`,
    subjectIdOf: (key) => key.slice(subjectStart.length, -1),
    holders: (role, scope) =>
      scope === undefined ? `${prefix}g:${role}` : `${prefix}r:${role}:${scope}`,
    scopesOf: (role) => `${prefix}rs:${role}`,
  }
}

/** Escapes the characters `SCAN MATCH` treats as glob syntax. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
}
