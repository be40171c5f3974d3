/**
 * Ranking and selection (strategy-semantics.md §5).
 */
import type { UniverseDecision } from '../universe/eligibility.ts';

/** `momentum`: highest trailing return first; `reversal`: lowest first. */
export type StrategyMode = 'momentum' | 'reversal';

/** An eligible symbol with its rank (1 = first). */
export interface RankedSymbol {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly score: number;
  readonly rank: number;
  /** True for the first `topN`. */
  readonly selected: boolean;
}

/**
 * Sorts the eligible symbols by score (descending for momentum, ascending for reversal), ties by symbol
 * name ascending, and marks the first `topN` as selected (§5). K = the number selected, may be < topN.
 * @throws Error when an eligible decision has no score (the chain guarantees one).
 */
export function rankUniverse(
  decisions: readonly UniverseDecision[],
  mode: StrategyMode,
  topN: number,
): RankedSymbol[] {
  const eligible = decisions.filter((d) => d.eligible);
  for (const d of eligible) {
    if (d.score === null || Number.isNaN(d.score))
      throw new Error(`eligible symbol ${d.symbol} has no score`);
  }
  const sign = mode === 'momentum' ? -1 : 1;
  const sorted = [...eligible].sort((a, b) => {
    const diff = sign * ((a.score as number) - (b.score as number));
    if (diff !== 0) return diff;
    return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
  });
  return sorted.map((d, i) => ({
    symbol: d.symbol,
    baseAsset: d.baseAsset,
    score: d.score as number,
    rank: i + 1,
    selected: i < topN,
  }));
}
