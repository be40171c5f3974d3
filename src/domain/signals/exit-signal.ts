/**
 * The `[signals] exit_signal` of strategy-semantics.md §10 as one switch: `none`, `sma_cross` or
 * `breakout`, on the closes (and lows) of the interval's candles, oldest first, gaps ignored.
 */
import type { Decimal } from '../decimal.ts';
import { breakoutExitAt, breakoutExitSeries } from './breakout-exit.ts';
import { smaCrossDownAt, smaCrossDownSeries } from './sma-cross.ts';

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
