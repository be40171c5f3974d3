/**
 * The values shared by the universe filter chain (§4, src/domain/universe/eligibility.ts) and the ranking
 * (§5, src/domain/ranking/rank.ts): one place, so neither imports the other.
 */

/** Exclusion reasons, in filter order (§4). */
export const EXCLUSION_REASONS = [
  'quote',
  'excluded',
  'not_trading',
  'too_young',
  'no_history',
  'illiquid',
  'no_market_cap',
  'small_cap',
  'no_trend',
  'no_intraday_data',
] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

/** The two closes behind a trailing return `r = prev / back − 1` (§3), decimal strings (> 0). */
export interface ScoreCloses {
  /** close(s, D − 1). */
  readonly prev: string;
  /** close(s, D − 1 − L). */
  readonly back: string;
}

/** The decision for one symbol at decision day D. */
export interface UniverseDecision {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly eligible: boolean;
  /** First failed filter, or null when eligible. */
  readonly reason: ExclusionReason | null;
  /** r(s, D) = close(D-1)/close(D-1-L) − 1 as a float; null when either close is missing or in another segment. */
  readonly score: number | null;
  /** The closes `score` is computed from, for exact tie-breaking in the ranking; null with `score`. */
  readonly closes: ScoreCloses | null;
  /** (D − first_open_time of the current segment) / 1 day; null without a candle at or before D-1. */
  readonly ageDays: number | null;
  /** Market cap (USD) in force at D (filter 7 reads it only when `minMarketCap > 0`), null when unknown. */
  readonly marketCapUsd: number | null;
  /** Mean daily quote volume over the candles present in [D-L, D-1] (quote asset), null without candles. */
  readonly meanQuoteVolume: number | null;
}
