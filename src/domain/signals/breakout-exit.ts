/**
 * The `breakout` exit signal (strategy-semantics.md §10 "Exit signals"): the close of bar `t` breaks
 * below the low channel, `close(t) < min(low of the previous exit_breakout_bars candles)`, on the
 * interval's candles (gaps ignored). Exact decimal comparison.
 */
import type { Decimal } from '../decimal.ts';
import { minOver, rollingMin } from '../indicators/rolling-extreme.ts';

function checkBars(bars: number): void {
  if (!Number.isInteger(bars) || bars < 1)
    throw new Error(`breakout bars must be an integer >= 1, got ${bars}`);
}

/**
 * `close(t) < min(low(t−N) … low(t−1))`, `N = exit_breakout_bars` (§10).
 * @param closes closes, oldest first (quote per base); @param lows lows of the same candles.
 * @param t index of the bar just closed. @param bars `N` (integer ≥ 1; throws otherwise).
 * @returns true on a break below the channel, false otherwise, undefined (no signal) while fewer than
 *   `N` earlier candles exist (`t < N`).
 */
export function breakoutExitAt(
  closes: readonly Decimal[],
  lows: readonly Decimal[],
  t: number,
  bars: number,
): boolean | undefined {
  checkBars(bars);
  if (t < bars || t >= closes.length) return undefined;
  const channel = minOver(lows, t - bars, t - 1) as Decimal;
  return (closes[t] as Decimal).lt(channel);
}

/**
 * `breakoutExitAt` for every bar in one pass (rolling minimum of the lows).
 * @returns an array as long as `closes`; `out[t]` equals `breakoutExitAt(closes, lows, t, bars)`.
 */
export function breakoutExitSeries(
  closes: readonly Decimal[],
  lows: readonly Decimal[],
  bars: number,
): (boolean | undefined)[] {
  checkBars(bars);
  if (lows.length !== closes.length) throw new Error('breakoutExitSeries: closes and lows differ in length');
  const channel = rollingMin(lows, bars);
  const out: (boolean | undefined)[] = new Array(closes.length).fill(undefined);
  for (let t = bars; t < closes.length; t++) out[t] = (closes[t] as Decimal).lt(channel[t - 1] as Decimal);
  return out;
}
