/**
 * The §11 entry filter on a symbol's daily candles (strategy-semantics.md §11, §2, §4 row 8): cuts the
 * current segment ending at `D − 1` and applies `sma_trend` or `breakout`. A symbol that is not up is
 * dropped with reason `no_trend`.
 */
import { dec } from '../decimal.ts';
import { indexAt, indexAtOrBefore } from '../series.ts';
import { DAY_MS } from '../time.ts';
import type { Candle } from '../types.ts';
import type { SegmentSplit } from '../universe/segments.ts';
import { segmentStartMs } from '../universe/segments.ts';
import { breakoutEntryUp } from './breakout-entry.ts';
import { smaTrendUp } from './sma-trend.ts';

/** `[signals] entry_filter` (§11). */
export type EntryFilterKind = 'none' | 'sma_trend' | 'breakout';

/** The §11 settings (`[signals]`), lengths in days. */
export interface EntryFilterSettings {
  readonly entryFilter: EntryFilterKind;
  /** `entry_sma_fast`, default 10. */
  readonly entrySmaFast: number;
  /** `entry_sma_slow`, default 30. */
  readonly entrySmaSlow: number;
  /** `entry_breakout_days`, default 20. */
  readonly entryBreakoutDays: number;
}

/**
 * Whether a symbol's daily trend at `D − 1` is up (§11).
 * @param candles the symbol's ascending daily candles (only those dated `<= D − 1` are read).
 * @param splits its §2 segment splits, oldest first (`findSegmentSplits(candles)`).
 * @param decisionDayMs `D` 00:00 UTC, ms.
 * @returns true for `entry_filter = none`; otherwise the §11 rule. No candle at `D − 1` → not up (there
 *   is no `close(D − 1)`; the backtest drops such a symbol earlier as `not_trading`).
 */
export function isTrendUp(
  candles: readonly Candle[],
  splits: readonly SegmentSplit[],
  decisionDayMs: number,
  settings: EntryFilterSettings,
): boolean {
  if (settings.entryFilter === 'none') return true;
  const dm1 = decisionDayMs - DAY_MS;
  const last = indexAt(candles, dm1);
  if (last < 0) return false;
  const segStartMs = segmentStartMs(splits, (candles[0] as Candle).openTime, dm1);
  // first index of the segment: the first candle dated >= its start (binary search)
  const first = indexAtOrBefore(candles, segStartMs - 1) + 1;
  if (settings.entryFilter === 'sma_trend') {
    const from = Math.max(first, last - settings.entrySmaSlow + 1);
    const closes = candles.slice(from, last + 1).map((c) => dec(c.close));
    // Fewer closes than `slow` in the segment → smaTrendUp answers "not up".
    return smaTrendUp(closes, settings.entrySmaFast, settings.entrySmaSlow);
  }
  const n = settings.entryBreakoutDays;
  const windowFrom = dm1 - n * DAY_MS;
  const highs = [];
  for (let i = last - 1; i >= first && (candles[i] as Candle).openTime >= windowFrom; i--) {
    highs.push(dec((candles[i] as Candle).high));
  }
  return breakoutEntryUp(dec((candles[last] as Candle).close), highs, last - first, n);
}
