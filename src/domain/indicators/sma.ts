/**
 * Simple moving averages as exact decimal sums (strategy-semantics.md §10 "Exit signals", §11).
 *
 * An SMA is kept as its window sum and length, never as a divided float: `SMA_a < SMA_b` ⇔
 * `sum_a · n_b < sum_b · n_a`, which is exact on decimal closes (the hourly data has real SMA ties
 * that floats get wrong). Sums of Binance values (≤ 8 decimals) are exact at 60 significant digits.
 */
import { type Decimal, ZERO } from '../decimal.ts';

/** One SMA value as an exact window sum: `SMA = sum / n`. */
export interface SmaSum {
  /** Sum of the `n` values of the window (same unit as the values, e.g. quote per base). */
  readonly sum: Decimal;
  /** Window length (≥ 1). */
  readonly n: number;
}

function checkLength(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`SMA length must be an integer >= 1, got ${n}`);
}

/**
 * The SMA of the `n` values ending at index `t` (inclusive), as an exact sum (§10: "`SMA_n(t)` = mean
 * of the `n` closes ending at `t`").
 * @param values ascending series (e.g. closes, quote per base).
 * @param t index of the last value of the window.
 * @param n window length (integer ≥ 1; throws otherwise).
 * @returns the sum and `n`, or null while fewer than `n` values end at `t` (`t < n − 1`) or `t` is
 *   outside the series.
 */
export function smaAt(values: readonly Decimal[], t: number, n: number): SmaSum | null {
  checkLength(n);
  if (t < n - 1 || t >= values.length) return null;
  let sum = ZERO;
  for (let i = t - n + 1; i <= t; i++) sum = sum.plus(values[i] as Decimal);
  return { sum, n };
}

/**
 * The SMA of every index in one pass (rolling exact sum: add the new value, subtract the one that
 * left — exact in decimals, so no drift).
 * @param values ascending series.
 * @param n window length (integer ≥ 1; throws otherwise).
 * @returns an array as long as `values`: `out[t]` = `smaAt(values, t, n)` (null for `t < n − 1`).
 */
export function smaSeries(values: readonly Decimal[], n: number): (SmaSum | null)[] {
  checkLength(n);
  const out: (SmaSum | null)[] = new Array(values.length).fill(null);
  let sum = ZERO;
  for (let t = 0; t < values.length; t++) {
    sum = sum.plus(values[t] as Decimal);
    if (t >= n) sum = sum.minus(values[t - n] as Decimal);
    if (t >= n - 1) out[t] = { sum, n };
  }
  return out;
}

/**
 * Exact comparison of two SMAs (§10): the sign of `sum_a · n_b − sum_b · n_a`.
 * @returns -1 when `SMA_a < SMA_b`, 0 on an exact tie, 1 when `SMA_a > SMA_b`.
 */
export function compareSma(a: SmaSum, b: SmaSum): -1 | 0 | 1 {
  const c = a.sum.times(b.n).cmp(b.sum.times(a.n));
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/** `SMA_a < SMA_b`, exactly (§10). An exact tie is not "<". */
export function smaLess(a: SmaSum, b: SmaSum): boolean {
  return compareSma(a, b) < 0;
}

/**
 * Rolling window sums over scaled integers (values `m × 10^-scale` at one common scale, e.g.
 * `parseScaled(close, 8)` of `backtest/exact.ts`): `out[t]` = sum of the `n` values ending at `t`, null
 * while `t < n − 1`. Exact; the same sums as `smaSeries` times `10^scale`, at a fraction of the cost.
 * @param n window length (integer ≥ 1; throws otherwise).
 */
export function smaSumSeriesUnits(values: readonly bigint[], n: number): (bigint | null)[] {
  checkLength(n);
  const out: (bigint | null)[] = new Array(values.length).fill(null);
  let sum = 0n;
  for (let t = 0; t < values.length; t++) {
    sum += values[t] as bigint;
    if (t >= n) sum -= values[t - n] as bigint;
    if (t >= n - 1) out[t] = sum;
  }
  return out;
}
