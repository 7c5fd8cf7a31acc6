import type { ContextResolver, Subject } from '@rolegate/core'
import type { BillingRun, BillRunData } from './data.js'
import type { BillRunPolicy } from './policy.js'

/** What a billing job needs: the same resolver the HTTP guards use, the data, and a clock. */
export interface BillingJobOptions {
  /** The app's context resolver: the same store, so the same roles, as the API. */
  readonly resolve: ContextResolver<BillRunPolicy>
  readonly data: BillRunData
  readonly now: () => Date
}

/** Runs one billing cycle as `subject`; rejects with a `ForbiddenError` (403) when it may not. */
export type RunBillingJob = (subject: Subject, cycle: string) => Promise<BillingRun>

/**
 * Makes the billing job: the code a scheduler, a queue worker or the API calls to bill a cycle.
 *
 * BillRun enforces roles the same way in the UI, the API and background operations. The job does
 * not trust whoever scheduled it: it resolves the subject's role context through the same resolver
 * as the HTTP guards, at the moment it runs, and asserts `billing.runs:execute`, so a role revoked
 * between scheduling and running stops it, and `POST /billing/runs` and a job run for the same
 * subject always decide alike.
 *
 * @example
 * ```ts
 * const { runBillingJob } = createApp()
 * await runBillingJob({ id: 'billing-bot' }, '2025-06') // or ForbiddenError, status 403
 * ```
 */
export function billingJob({ resolve, data, now }: BillingJobOptions): RunBillingJob {
  return async function runBillingJob(subject, cycle) {
    const ctx = await resolve(subject)
    ctx.assert('billing.runs:execute')
    return data.runBilling({ cycle, startedBy: ctx.actor.id, startedAt: now() })
  }
}
