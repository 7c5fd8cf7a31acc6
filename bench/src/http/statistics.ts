/**
 * The statistics of the HTTP rounds: medians, and how far the median of so few rounds can be
 * trusted. Distribution-free, since a round's ratio is not normally distributed: a noisy
 * neighbour on the host makes the occasional round far off, in either direction.
 */

/** The median of `values`; NaN when there are none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomialHalfCdf(n: number, k: number): number {
  let term = 0.5 ** n // P(X = 0)
  let sum = term
  for (let i = 1; i <= k; i++) {
    term = (term * (n - i + 1)) / i
    sum += term
  }
  return sum
}

/**
 * A confidence interval for the median of what `values` sample, from order statistics (the sign
 * test): the k-th smallest and k-th largest values, with k the largest rank whose tails hold at
 * most (1 - confidence) / 2 each. It assumes only that the values are independent draws of one
 * distribution. `undefined` when there are too few values for that confidence (fewer than 6 at
 * 95%).
 */
export function medianInterval(
  values: readonly number[],
  confidence = 0.95,
): readonly [low: number, high: number] | undefined {
  const n = values.length
  const tail = (1 - confidence) / 2
  let k = 0 // the number of values left out on each side
  while (k + 1 < n / 2 && binomialHalfCdf(n, k) <= tail) k++
  if (k === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  return [sorted[k - 1] as number, sorted[n - k] as number]
}

/** What an interval says of a target: met, missed, or no telling. */
export type Verdict = 'pass' | 'fail' | 'open'

/**
 * Judges "the median of `values` is at least `floor`" (above it, when `strict`) on its 95%
 * interval rather than on the median itself: pass when all of the interval clears the floor, fail
 * when none of it does, open when it straddles the floor or there are too few values for one.
 */
export function judgeMedian(values: readonly number[], floor: number, strict = false): Verdict {
  const interval = medianInterval(values)
  if (interval === undefined) return 'open'
  const clears = (x: number): boolean => (strict ? x > floor : x >= floor)
  if (clears(interval[0])) return 'pass'
  return clears(interval[1]) ? 'open' : 'fail'
}

/**
 * Whether an A/A comparison (the same thing measured against itself, each value a ratio) resolves
 * differences of `tolerance`: its 95% interval must lie within 1 ± `tolerance`. A run whose A/A
 * control moves by more than that cannot judge a target that close to 1, in either direction.
 */
export function resolves(sameAgainstSame: readonly number[], tolerance: number): boolean {
  const interval = medianInterval(sameAgainstSame)
  return interval !== undefined && interval[0] >= 1 - tolerance && interval[1] <= 1 + tolerance
}
