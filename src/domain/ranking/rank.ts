/**
 * Ranking and selection (strategy-semantics.md §5).
 */
import { dec } from '../decimal.ts';
import type { ScoreCloses, UniverseDecision } from '../universe/decision.ts';

export type { ScoreCloses } from '../universe/decision.ts';

/**
 * Two float scores closer than `NEAR_TIE × (1 + |r_a| + |r_b|)` may be equal returns in exact arithmetic:
 * `Number(prev) / Number(back) − 1` is within a few units of 2^-53 × (1 + |r|) of the exact value, so any
 * pair further apart is ordered correctly by its floats.
 */
const NEAR_TIE = 1e-12;

/**
 * True when two float scores are too close for their order to be trusted, so that the exact returns
 * decide ({@link compareExactReturns}), as §3 defines them and §5's "ties by symbol" needs. (In the bundled
 * data ZILUSDT and ANKRUSDT on 2019-11-21 both have r = 72/73 − 1, which the two float divisions miss by a
 * few ulps in opposite directions.)
 */
export function nearTie(ra: number, rb: number): boolean {
  return Math.abs(ra - rb) <= NEAR_TIE * (1 + Math.abs(ra) + Math.abs(rb));
}

/**
 * The sign of `r_a − r_b` in exact decimal arithmetic: `prev_a / back_a` vs `prev_b / back_b`, compared as
 * `prev_a × back_b` vs `prev_b × back_a` (closes are positive).
 */
export function compareExactReturns(a: ScoreCloses, b: ScoreCloses): number {
  return dec(a.prev).times(b.back).cmp(dec(b.prev).times(a.back));
}

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
 * Scores that are equal or nearly equal as floats are compared exactly from their `closes`
 * ({@link nearTie}), so an exact tie is a tie and goes by symbol.
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
    const sa = a.score as number;
    const sb = b.score as number;
    const diff =
      sign * (nearTie(sa, sb) && a.closes && b.closes ? compareExactReturns(a.closes, b.closes) : sa - sb);
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
