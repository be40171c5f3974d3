/**
 * The `breakout` entry filter (strategy-semantics.md §11): a symbol is up when
 * `close(D−1) > max(high of the candles dated in [D−1−N, D−2])`, `N = entry_breakout_days`; the current
 * segment (§2) must hold at least `N` candles before `D − 1`, else not up. Exact decimal comparison.
 */
import type { Decimal } from '../decimal.ts';

/**
 * The §11 entry `breakout` test.
 * @param closeDm1 `close(D − 1)` (quote per base).
 * @param windowHighs the highs of the candles dated in `[D−1−N, D−2]` (the days present; gaps leave
 *   fewer than `N`).
 * @param segmentCandlesBefore how many candles of the current segment lie before `D − 1`.
 * @param days `N` (integer ≥ 1; throws otherwise).
 * @returns true when up; false when the segment holds fewer than `N` candles before `D − 1`, when the
 *   window holds no candle at all (no channel to break), or when `close(D−1)` does not exceed the max
 *   (a tie is not up).
 */
export function breakoutEntryUp(
  closeDm1: Decimal,
  windowHighs: readonly Decimal[],
  segmentCandlesBefore: number,
  days: number,
): boolean {
  if (!Number.isInteger(days) || days < 1)
    throw new Error(`breakout days must be an integer >= 1, got ${days}`);
  if (segmentCandlesBefore < days || windowHighs.length === 0) return false;
  let max = windowHighs[0] as Decimal;
  for (const h of windowHighs) if (h.gt(max)) max = h;
  return closeDm1.gt(max);
}
