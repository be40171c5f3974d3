/**
 * Segments of a daily series (strategy-semantics.md §2): token swaps and redenominations are not
 * returns. A series is split at every gap of at least one missing day where
 * `open(first candle after) / close(last candle before)` is above 5 or below 0.2.
 */
import type { Candle } from '../types.ts';
import { DAY_MS } from '../time.ts';

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
    const prev = candles[i - 1] as Candle;
    const cur = candles[i] as Candle;
    if (cur.openTime - prev.openTime < 2 * DAY_MS) continue; // no missing day
    const before = Number(prev.close);
    if (!(before > 0)) continue;
    const ratio = Number(cur.open) / before;
    if (ratio > SPLIT_RATIO_HIGH || ratio < SPLIT_RATIO_LOW) {
      splits.push({ index: i, dayMs: cur.openTime, closeBefore: prev.close, openAfter: cur.open });
    }
  }
  return splits;
}

/**
 * Index of the first candle of the segment that contains candle `index`.
 * @param splits the series' splits from {@link findSegmentSplits}.
 */
export function segmentStartIndex(splits: readonly SegmentSplit[], index: number): number {
  let start = 0;
  for (const s of splits) {
    if (s.index <= index) start = s.index;
    else break;
  }
  return start;
}
