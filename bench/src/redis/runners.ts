import type { RoleContext, Subject } from '@rolegate/core'
import type { Redis } from 'ioredis'
import type { Runner } from '../peers/peer.js'
import type { RedisCheck } from './fixture.js'

/** How a guard resolves a subject's context. */
export type Resolve = (subject: Subject) => RoleContext | Promise<RoleContext>

/**
 * One decision per index (`width` 1), or one batch of `width` concurrent decisions per index, so
 * that the bench's chunking (a chunk of consecutive indices per measured call) never shrinks a
 * batch. Each decision is `(await resolve(subject)).can(permission)`: what a guard does.
 */
export function decisions(resolve: Resolve, checks: readonly RedisCheck[], width: number): Runner {
  const one = async (i: number): Promise<boolean> => {
    const c = checks[i % checks.length] as RedisCheck
    return (await resolve(c.subject)).can(c.permission)
  }
  if (width === 1)
    return {
      async run(from, to) {
        let allowed = 0
        for (let i = from; i < to; i++) {
          const c = checks[i] as RedisCheck
          if ((await resolve(c.subject)).can(c.permission)) allowed++
        }
        return allowed
      },
      answer: one,
    }
  return batches(one, width)
}

function batches(one: (i: number) => Promise<boolean>, width: number): Runner {
  const run = async (from: number, to: number): Promise<number> => {
    let allowed = 0
    for (let b = from; b < to; b++) {
      const batch: Promise<boolean>[] = []
      for (let j = 0; j < width; j++) batch.push(one(b * width + j))
      for (const answer of await Promise.all(batch)) if (answer) allowed++
    }
    return allowed
  }
  return { run, answer: async (b) => (await run(b, b + 1)) > 0 }
}

/** The round-trip floor: a PING on the same client, one at a time or `width` at once. */
export function pings(client: Redis, width: number): Runner {
  const one = async (): Promise<boolean> => {
    await client.ping()
    return true
  }
  return width === 1
    ? {
        async run(from, to) {
          let n = 0
          for (let i = from; i < to; i++) if (await one()) n++
          return n
        },
        answer: one,
      }
    : batches(one, width)
}

/** Every check answered as the reference says, through the resolver (`width` at a time). */
export async function verify(
  label: string,
  resolve: Resolve,
  checks: readonly RedisCheck[],
  width: number,
): Promise<void> {
  for (let i = 0; i < checks.length; i += width) {
    const slice = checks.slice(i, i + width)
    const answers = await Promise.all(
      slice.map(async (c) => (await resolve(c.subject)).can(c.permission)),
    )
    const wrong = slice.findIndex((c, j) => answers[j] !== c.expected)
    if (wrong >= 0) {
      const c = slice[wrong] as RedisCheck
      throw new Error(`${label}: ${c.subject.id} ${c.permission} answered ${String(!c.expected)}`)
    }
  }
}
