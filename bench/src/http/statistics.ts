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
