/**
 * Segments of a daily series (strategy-semantics.md §2): token swaps and redenominations are not
 * returns. A series is split at every gap of at least one missing day where
 * `open(first candle after) / close(last candle before)` is above 5 or below 0.2.
 */

import { DAY_MS } from '../time.ts';
import type { Candle } from '../types.ts';

/** Ratio bounds of §2: a gap with open/close outside [0.2, 5] starts a new segment. */
export const SPLIT_RATIO_HIGH = 5;
export const SPLIT_RATIO_LOW = 0.2;

/** One split point: the candle at `index` starts a new segment. */
export interface SegmentSplit {
  /** Index (into the series) of the first candle of the new segment. */
  readonly index: number;
  /** Open time of that candle (the first day of the new segment), UTC ms. */
  readonly dayMs: number;
  /** Close of the last candle before the gap (decimal string). */
  readonly closeBefore: string;
  /** Open of the first candle after the gap (decimal string). */
  readonly openAfter: string;
}

/**
 * Finds every segment split of a daily series, oldest first.
 * @param candles ascending daily candles of one symbol (gaps = missing days).
 * @returns the splits; an empty array for a series in one segment. The ratio test uses floats (it is a
 *   threshold on a ratio of prices, not a ledger value); a zero close never splits (ratio undefined).
 */
export function findSegmentSplits(candles: readonly Candle[]): SegmentSplit[] {
  const splits: SegmentSplit[] = [];
  for (let i = 1; i < candles.length; i++) {
    const split = splitBetween(candles[i - 1] as Candle, candles[i] as Candle, i);
    if (split) splits.push(split);
  }
  return splits;
}

/**
 * The split between two consecutive candles of a series, or null: a gap of at least one missing day
 * and `open(cur) / close(prev)` above 5 or below 0.2 (§2). A zero close never splits.
 * @param index index of `cur` in its series (recorded in the split).
 */
export function splitBetween(prev: Candle, cur: Candle, index: number): SegmentSplit | null {
  if (cur.openTime - prev.openTime < 2 * DAY_MS) return null; // no missing day
  const before = Number(prev.close);
  if (!(before > 0)) return null;
  const ratio = Number(cur.open) / before;
  if (ratio > SPLIT_RATIO_HIGH || ratio < SPLIT_RATIO_LOW) {
    return { index, dayMs: cur.openTime, closeBefore: prev.close, openAfter: cur.open };
  }
  return null;
}

/**
 * Open time (UTC ms) of the first candle of the segment containing time `t` (§2): the latest split
 * day `<= t`, else the series' first open time.
 * @param splits the series' splits, oldest first.
 * @param firstOpenTime open time of the series' first candle.
 */
export function segmentStartMs(splits: readonly SegmentSplit[], firstOpenTime: number, t: number): number {
  let start = firstOpenTime;
  for (const s of splits) {
    if (s.dayMs <= t) start = s.dayMs;
    else break;
  }
  return start;
}
