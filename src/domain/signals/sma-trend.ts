/**
 * The `sma_trend` entry filter (strategy-semantics.md §11): a symbol is up at `D − 1` when
 * `SMA_f(D−1) > SMA_s(D−1)` over the last `f = entry_sma_fast` and `s = entry_sma_slow` daily closes of
 * its current segment (§2) ending at `D − 1`, compared exactly as in §10; fewer than `s` closes → not up.
 */
import type { Decimal } from '../decimal.ts';
import { compareSma, type SmaSum, smaAt } from '../indicators/sma.ts';

/**
 * The §11 `sma_trend` test on the closes of the current segment.
 * @param segmentCloses the daily closes of the symbol's current segment (§2), oldest first, the last
 *   one being `close(D − 1)` (quote per base). The caller cuts the segment (see `entry-filter.ts`).
 * @param fast `entry_sma_fast` (days); @param slow `entry_sma_slow` (days); `1 <= fast < slow` (throws
 *   otherwise).
 * @returns true when `SMA_fast > SMA_slow` exactly (a tie is not up); false with fewer than `slow`
 *   closes.
 */
export function smaTrendUp(segmentCloses: readonly Decimal[], fast: number, slow: number): boolean {
  if (!Number.isInteger(fast) || !Number.isInteger(slow) || fast < 1 || fast >= slow) {
    throw new Error(`sma_trend needs integers 1 <= fast < slow, got fast=${fast} slow=${slow}`);
  }
  const t = segmentCloses.length - 1;
  if (segmentCloses.length < slow) return false;
  return compareSma(smaAt(segmentCloses, t, fast) as SmaSum, smaAt(segmentCloses, t, slow) as SmaSum) > 0;
}
