/**
 * The `[signals] exit_signal` of strategy-semantics.md §10 as one switch: `none`, `sma_cross` or
 * `breakout`, on the closes (and lows) of the interval's candles, oldest first, gaps ignored.
 */
import { FastPathUnsupported, parseScaled } from '../backtest/exact.ts';
import { type Decimal, dec } from '../decimal.ts';
import { breakoutExitAt, breakoutExitSeries } from './breakout-exit.ts';
import { smaCrossDownAt, smaCrossDownSeries, smaCrossDownSeriesUnits } from './sma-cross.ts';

/** `[signals] exit_signal` and its lengths (bars of the interval). */
export interface ExitSignalSettings {
  readonly exitSignal: 'none' | 'sma_cross' | 'breakout';
  /** `exit_sma_fast`, default 12. */
  readonly exitSmaFast: number;
  /** `exit_sma_slow`, default 48. */
  readonly exitSmaSlow: number;
  /** `exit_breakout_bars`, default 24. */
  readonly exitBreakoutBars: number;
}

/**
 * Whether the exit signal fires at the close of bar `t` (§10). Undefined signals (too few bars) and
 * `none` answer false.
 * @param closes closes, oldest first (quote per base); @param lows lows of the same candles.
 */
export function exitSignalAt(
  closes: readonly Decimal[],
  lows: readonly Decimal[],
  t: number,
  s: ExitSignalSettings,
): boolean {
  if (s.exitSignal === 'sma_cross') return smaCrossDownAt(closes, t, s.exitSmaFast, s.exitSmaSlow) === true;
  if (s.exitSignal === 'breakout') return breakoutExitAt(closes, lows, t, s.exitBreakoutBars) === true;
  return false;
}

/**
 * `exitSignalAt` for every bar in one pass (for backtests).
 * @returns an array as long as `closes`; `out[t]` equals `exitSignalAt(closes, lows, t, s)`.
 */
export function exitSignalSeries(
  closes: readonly Decimal[],
  lows: readonly Decimal[],
  s: ExitSignalSettings,
): boolean[] {
  if (s.exitSignal === 'sma_cross') {
    return smaCrossDownSeries(closes, s.exitSmaFast, s.exitSmaSlow).map((x) => x === true);
  }
  if (s.exitSignal === 'breakout') {
    return breakoutExitSeries(closes, lows, s.exitBreakoutBars).map((x) => x === true);
  }
  return closes.map(() => false);
}

/** Decimals of the scaled integers of {@link exitSignalSeriesOfText} (Binance prices have at most 8). */
const UNITS_SCALE = 8;

/**
 * {@link exitSignalSeries} on the candles' decimal TEXT (closes and lows as the data files write them),
 * computed on exact scaled integers (BigInt sums and comparisons) instead of decimal.js objects: the same
 * answers (an exact comparison either way, §10), without a Decimal per candle — the hourly backtest's
 * signal series over a year of 39 symbols. Falls back to {@link exitSignalSeries} when a value has more
 * than 8 decimals.
 * @returns an array as long as `closes`; `out[t]` equals `exitSignalAt(closes, lows, t, s)` on the parsed values.
 * @throws RangeError when a value is not a plain decimal.
 */
export function exitSignalSeriesOfText(
  closes: readonly string[],
  lows: readonly string[],
  s: ExitSignalSettings,
): boolean[] {
  if (s.exitSignal === 'none') return closes.map(() => false);
  try {
    const c = closes.map((x) => parseScaled(x, UNITS_SCALE));
    if (s.exitSignal === 'sma_cross') {
      return smaCrossDownSeriesUnits(c, s.exitSmaFast, s.exitSmaSlow).map((x) => x === true);
    }
    const l = lows.map((x) => parseScaled(x, UNITS_SCALE));
    return breakoutSeriesUnits(c, l, s.exitBreakoutBars);
  } catch (err) {
    if (!(err instanceof FastPathUnsupported)) throw err;
    return exitSignalSeries(closes.map(dec), lows.map(dec), s);
  }
}

/** `breakoutExitSeries` on scaled integers: `close(t) < min(low(t−N) … low(t−1))`, false while `t < N`. */
function breakoutSeriesUnits(closes: readonly bigint[], lows: readonly bigint[], bars: number): boolean[] {
  if (!Number.isInteger(bars) || bars < 1)
    throw new Error(`breakout bars must be an integer >= 1, got ${bars}`);
  if (lows.length !== closes.length) throw new Error('breakoutExitSeries: closes and lows differ in length');
  const out: boolean[] = new Array(closes.length).fill(false);
  // Monotonic deque of indices with increasing lows: the window's minimum at its front.
  const q: number[] = [];
  let head = 0;
  for (let t = 0; t < closes.length; t++) {
    if (t >= bars) {
      while (head < q.length && (q[head] as number) < t - bars) head++;
      out[t] = (closes[t] as bigint) < (lows[q[head] as number] as bigint);
    }
    const low = lows[t] as bigint;
    while (q.length > head && (lows[q[q.length - 1] as number] as bigint) >= low) q.pop();
    q.push(t);
  }
  return out;
}
