/**
 * What issue 3's three measurements of the 97% target share, requests per second
 * (scenarios/http.ts), instructions (scenarios/http-instructions.ts) and CPU time on a shared core
 * (scenarios/http-cpu.ts): the frameworks, how intervals are printed, and the rule that judges the
 * target only when the run's A/A control resolves 3%.
 */
import { judgeMedian, median, medianInterval, resolves, type Verdict } from './statistics.js'
import type { Target } from '../targets.js'

export const FRAMEWORKS = ['express', 'koa'] as const
export type Framework = (typeof FRAMEWORKS)[number]
export const NAMES: Readonly<Record<Framework, string>> = { express: 'Express 5', koa: 'Koa 3' }

export const ISSUE = 'issue 3: HTTP'
/** rolegate's guarded route keeps at least this share of no guard's throughput. */
export const TARGET_RATIO = 0.97

export const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`

/** The 95% confidence interval of the median of `values`, or a dash when too few rounds ran. */
export function intervalText(
  values: readonly number[],
  format: (value: number) => string = percent,
): string {
  const interval = medianInterval(values)
  return interval === undefined ? '—' : `${format(interval[0])} to ${format(interval[1])}`
}

/** A target's outcome from a {@link Verdict}. */
export const outcome = (verdict: Verdict): Pick<Target, 'pass' | 'unresolved'> => ({
  pass: verdict === 'pass',
  unresolved: verdict === 'open',
})

/**
 * The 97% target on each round's ratio to no guard (`kept`). A 3% target can be judged only by a
 * run whose A/A control (`sameAgainstSame`, no guard against itself) moves by less than 3%:
 * otherwise the run's own error could make a PASS or a FAIL of it (seen: an A/A control at
 * 90.4%). Gives the outcome, and the control's cell for the `measured` text.
 */
export function judgeKept(
  kept: readonly number[],
  sameAgainstSame: readonly number[],
): { readonly outcome: Pick<Target, 'pass' | 'unresolved'>; readonly control: string } {
  const resolving = resolves(sameAgainstSame, 1 - TARGET_RATIO)
  const unresolved = resolving ? '' : `: the run does not resolve ${percent(1 - TARGET_RATIO)}`
  return {
    outcome: outcome(resolving ? judgeMedian(kept, TARGET_RATIO) : 'open'),
    control: `A/A control ${percent(median(sameAgainstSame))}, 95% CI ${intervalText(sameAgainstSame)}${unresolved}`,
  }
}
