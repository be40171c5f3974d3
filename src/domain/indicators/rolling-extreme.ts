/**
 * Rolling minimum and maximum of a decimal series — the low and high channel of the breakout rules
 * (strategy-semantics.md §10 exit `breakout`: min of the previous N lows; §11 entry `breakout`: max of
 * the previous N highs). Exact decimal comparisons; a monotonic deque makes a whole series O(length).
 */
import type { Decimal } from '../decimal.ts';

function checkLength(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`window length must be an integer >= 1, got ${n}`);
}

/**
 * Minimum of `values[from .. to]` (both inclusive).
 * @returns the minimum, or null for an empty or out-of-range window (`from > to`, `from < 0`,
 *   `to >= length`).
 */
export function minOver(values: readonly Decimal[], from: number, to: number): Decimal | null {
  return extremeOver(values, from, to, -1);
}

/**
 * Maximum of `values[from .. to]` (both inclusive).
 * @returns the maximum, or null for an empty or out-of-range window.
 */
export function maxOver(values: readonly Decimal[], from: number, to: number): Decimal | null {
  return extremeOver(values, from, to, 1);
}

function extremeOver(values: readonly Decimal[], from: number, to: number, sign: 1 | -1): Decimal | null {
  if (from < 0 || to >= values.length || from > to) return null;
  let best = values[from] as Decimal;
  for (let i = from + 1; i <= to; i++) {
    const v = values[i] as Decimal;
    if (v.cmp(best) * sign > 0) best = v;
  }
  return best;
}

/**
 * Rolling minimum (low channel): `out[t]` = min of the `n` values ending at `t` (inclusive), null while
 * `t < n − 1`.
 * @param n window length (integer ≥ 1; throws otherwise).
 */
export function rollingMin(values: readonly Decimal[], n: number): (Decimal | null)[] {
  return rollingExtreme(values, n, -1);
}

/**
 * Rolling maximum (high channel): `out[t]` = max of the `n` values ending at `t` (inclusive), null
 * while `t < n − 1`.
 * @param n window length (integer ≥ 1; throws otherwise).
 */
export function rollingMax(values: readonly Decimal[], n: number): (Decimal | null)[] {
  return rollingExtreme(values, n, 1);
}

function rollingExtreme(values: readonly Decimal[], n: number, sign: 1 | -1): (Decimal | null)[] {
  checkLength(n);
  const out: (Decimal | null)[] = new Array(values.length).fill(null);
  // Indices whose values are strictly monotonic (increasing for min, decreasing for max) from the front.
  const deque: number[] = [];
  let head = 0;
  for (let t = 0; t < values.length; t++) {
    const v = values[t] as Decimal;
    while (deque.length > head && (values[deque[deque.length - 1] as number] as Decimal).cmp(v) * sign <= 0) {
      deque.pop();
    }
    deque.push(t);
    if ((deque[head] as number) <= t - n) head++;
    if (t >= n - 1) out[t] = values[deque[head] as number] as Decimal;
  }
  return out;
}
