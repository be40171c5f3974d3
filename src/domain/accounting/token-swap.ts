/**
 * Token swaps / redenominations (pure): a holding carried across a segment split keeps its value,
 * strategy-semantics.md §2: `h := round_down_8(h × close_before / open_after)`.
 */
import { type Decimal, dec, decStr, roundDown8 } from '../decimal.ts';
import type { SegmentSplit } from '../universe/segments.ts';

/** §2: `h := round_down_8(h × close_before / open_after)` (asset units). */
export function convertAcrossSplit(h: Decimal, sp: SegmentSplit): Decimal {
  return roundDown8(h.times(dec(sp.closeBefore)).div(dec(sp.openAfter)));
}

/** One conversion of a holding across one split (decimal strings). */
export interface SplitAdjustment {
  readonly asset: string;
  readonly kind: 'segment_split';
  /** UTC ms of the first day of the new segment. */
  readonly dayMs: number;
  readonly quantity_before: string;
  readonly quantity_after: string;
  /** close_before / open_after. */
  readonly ratio: string;
}

/**
 * Converts every non-quote holding across the splits of its symbol in `(sinceMs, dayMs]` (§2), in asset
 * order, each split in turn.
 * @param holdings asset → quantity (asset units); the quote asset and zero holdings are left as they are.
 * @param splitsOf the splits of an asset's symbol (empty when none).
 * @returns the converted holdings (only those that changed) and one adjustment per split applied.
 */
export function convertHoldings(
  holdings: ReadonlyMap<string, Decimal>,
  quoteAsset: string,
  splitsOf: (asset: string) => readonly SegmentSplit[],
  sinceMs: number,
  dayMs: number,
): { changed: Map<string, Decimal>; adjustments: SplitAdjustment[] } {
  const changed = new Map<string, Decimal>();
  const adjustments: SplitAdjustment[] = [];
  for (const [asset, qty] of [...holdings.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (asset === quoteAsset || qty.isZero()) continue;
    let h = qty;
    for (const sp of splitsOf(asset).filter((x) => x.dayMs > sinceMs && x.dayMs <= dayMs)) {
      const after = convertAcrossSplit(h, sp);
      adjustments.push({
        asset,
        kind: 'segment_split',
        dayMs: sp.dayMs,
        quantity_before: decStr(h),
        quantity_after: decStr(after),
        ratio: decStr(dec(sp.closeBefore).div(dec(sp.openAfter))),
      });
      h = after;
    }
    if (!h.eq(qty)) changed.set(asset, h);
  }
  return { changed, adjustments };
}
