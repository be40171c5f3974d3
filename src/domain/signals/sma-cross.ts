/**
 * The `sma_cross` exit signal (strategy-semantics.md §10 "Exit signals"): a downward cross of the fast
 * SMA below the slow SMA at bar `t`, on the closes of the interval's candles (gaps ignored), compared
 * exactly (`SMA_a < SMA_b` ⇔ `sum_a · n_b < sum_b · n_a`).
 */
import type { Decimal } from '../decimal.ts';
import { type SmaSum, smaAt, smaLess, smaSeries, smaSumSeriesUnits } from '../indicators/sma.ts';

function checkLengths(fast: number, slow: number): void {
  if (!Number.isInteger(fast) || !Number.isInteger(slow) || fast < 1 || fast >= slow) {
    throw new Error(`sma_cross needs integers 1 <= fast < slow, got fast=${fast} slow=${slow}`);
  }
}

/**
 * `SMA_fast(t) < SMA_slow(t)` and `SMA_fast(t−1) >= SMA_slow(t−1)` (§10).
 * @param closes the symbol's closes, oldest first (quote per base); index `t` is the bar just closed.
 * @param t index of the bar.
 * @param fast `exit_sma_fast` (bars); @param slow `exit_sma_slow` (bars), `1 <= fast < slow` (throws
 *   otherwise).
 * @returns true on a downward cross at `t`, false otherwise, undefined (no signal) while fewer than
 *   `slow + 1` closes end at `t` (`t < slow`).
 */
export function smaCrossDownAt(
  closes: readonly Decimal[],
  t: number,
  fast: number,
  slow: number,
): boolean | undefined {
  checkLengths(fast, slow);
  if (t < slow || t >= closes.length) return undefined;
  return crossed(
    smaAt(closes, t, fast) as SmaSum,
    smaAt(closes, t, slow) as SmaSum,
    smaAt(closes, t - 1, fast) as SmaSum,
    smaAt(closes, t - 1, slow) as SmaSum,
  );
}

/**
 * `smaCrossDownAt` for every bar of a series in one pass (for backtests).
 * @returns an array as long as `closes`; `out[t]` equals `smaCrossDownAt(closes, t, fast, slow)`.
 */
export function smaCrossDownSeries(
  closes: readonly Decimal[],
  fast: number,
  slow: number,
): (boolean | undefined)[] {
  return crossDownSeries(closes, fast, slow, smaSeries, smaLess);
}

function crossed(fastNow: SmaSum, slowNow: SmaSum, fastPrev: SmaSum, slowPrev: SmaSum): boolean {
  return smaLess(fastNow, slowNow) && !smaLess(fastPrev, slowPrev);
}

/**
 * `smaCrossDownSeries` on closes as scaled integers at one common scale (`parseScaled(close, 8)` of
 * `backtest/exact.ts`; the comparison does not depend on the scale): the same answers, with BigInt sums
 * and the exact comparison `sum_f · slow < sum_s · fast` (§10) — for the fast backtest engine.
 * @returns an array as long as `closesUnits`; undefined while `t < slow`.
 */
export function smaCrossDownSeriesUnits(
  closesUnits: readonly bigint[],
  fast: number,
  slow: number,
): (boolean | undefined)[] {
  const bf = BigInt(fast);
  const bs = BigInt(slow);
  return crossDownSeries(closesUnits, fast, slow, smaSumSeriesUnits, (f, s) => f * bs < s * bf);
}

/**
 * The one pass of both series: `out[t] = less(f[t], s[t]) && !less(f[t−1], s[t−1])` for `t >= slow`
 * (undefined before), where `f` and `s` are the fast and slow window sums of `closes` (`sums`).
 * @throws Error unless `1 <= fast < slow` are integers.
 */
function crossDownSeries<C, S>(
  closes: readonly C[],
  fast: number,
  slow: number,
  sums: (values: readonly C[], n: number) => readonly (S | null)[],
  less: (fastSum: S, slowSum: S) => boolean,
): (boolean | undefined)[] {
  checkLengths(fast, slow);
  const f = sums(closes, fast);
  const s = sums(closes, slow);
  const out: (boolean | undefined)[] = new Array(closes.length).fill(undefined);
  for (let t = slow; t < closes.length; t++) {
    out[t] = less(f[t] as S, s[t] as S) && !less(f[t - 1] as S, s[t - 1] as S);
  }
  return out;
}
