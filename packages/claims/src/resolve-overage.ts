import type { CompiledConnection, OverageRequest } from './connections.js'
import type { ClaimRejection } from './mapping.js'
import { ALL_CLAIMS } from './overage.js'

/**
 * Asks the connection's resolver for the values the provider left out. Without a resolver, or
 * when it throws or returns anything but an array of strings, the answer is a rejection: missing
 * data never passes as "no groups".
 */
export async function resolveOverage(
  conn: CompiledConnection,
  request: OverageRequest,
): Promise<{ readonly values: readonly string[] } | { readonly rejection: ClaimRejection }> {
  if (conn.resolveOverage === undefined || request.claim === ALL_CLAIMS) {
    const message = `the provider left "${request.claim}" out (overage) and no resolver supplied it`
    return { rejection: { code: 'overage', message } }
  }
  let values: unknown
  try {
    values = await conn.resolveOverage(request)
  } catch {
    return {
      rejection: { code: 'overage-resolver-failed', message: 'the overage resolver failed' },
    }
  }
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
    const message = 'the overage resolver returned something other than a list of strings'
    return { rejection: { code: 'overage-resolver-failed', message } }
  }
  return { values: [...values] as string[] }
}
