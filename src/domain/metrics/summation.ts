/**
 * Compensated floating-point summation for the performance metrics (strategy-semantics.md §9).
 * Metrics are floats by the project's rules; compensated sums keep them reproducible to well within the
 * 1e-9 relative tolerance whatever the length of the series or the order of its values.
 */

/**
 * Sum of `values` by Kahan–Babuška–Neumaier compensated summation: the error bound is about one unit in
 * the last place of the result, independent of `values.length` (a naive left-to-right sum grows with n).
 * @param values finite floats (any unit; the result is in the same unit). Empty → 0.
 * @returns the compensated sum; not finite only when the inputs are not finite or the sum overflows.
 */
export function compensatedSum(values: Iterable<number>): number {
  let sum = 0;
  let compensation = 0;
  for (const v of values) {
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) compensation += sum - t + v;
    else compensation += v - t + sum;
    sum = t;
  }
  return sum + compensation;
}

/**
 * Arithmetic mean by {@link compensatedSum}.
 * @param values at least one finite float.
 * @throws RangeError when `values` is empty.
 */
export function compensatedMean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of an empty series');
  return compensatedSum(values) / values.length;
}
