import type { Timing } from '../measure.js'
import { duration } from '../report.js'
import { judge } from '../targets.js'
import type { Timings } from './compare.js'

/** How far apart allowed and denied checks may be and still "cost the same". */
const SAME_COST_TOLERANCE = 1.25

/** rolegate's timing for a case of a scenario. */
export function rolegateTiming(timings: Timings, label: string): Timing {
  const timing = timings.get(label)?.get('rolegate')
  if (timing === undefined) throw new Error(`no rolegate timing for "${label}"`)
  return timing
}

/** Records the "allowed and denied checks cost the same" target for one pair of cases. */
export function judgeSameCost(scenario: string, allowed: Timing, denied: Timing): void {
  const ratio = Math.max(allowed.ns, denied.ns) / Math.min(allowed.ns, denied.ns)
  judge({
    scenario,
    target: `allowed ≈ denied (within ${Math.round((SAME_COST_TOLERANCE - 1) * 100)}%)`,
    measured: `${duration(allowed.ns)} vs ${duration(denied.ns)}`,
    pass: ratio <= SAME_COST_TOLERANCE,
  })
}
