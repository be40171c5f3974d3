/**
 * The universe filter chain (strategy-semantics.md §4) and the trailing-return signal (§3).
 * Pure: no I/O, no clock. Every symbol gets a decision; a dropped symbol records the FIRST filter it
 * failed, in the order of §4: quote, excluded, not_trading, too_young, no_history, illiquid,
 * no_market_cap / small_cap, no_trend (§11 entry filter, only when it is on), no_intraday_data (§10).
 */
import { indexAt } from '../series.ts';
import { type EntryFilterSettings, isTrendUp } from '../signals/entry-filter.ts';
import { DAY_MS } from '../time.ts';
import type { Candle, MarketCapObservation, SymbolInfo } from '../types.ts';
import type { ExclusionReason, UniverseDecision } from './decision.ts';
import { isLeveragedToken, isStableOrFiat } from './excluded-assets.ts';
import { findSegmentSplits, type SegmentSplit, segmentStartMs } from './segments.ts';

export {
  EXCLUSION_REASONS,
  type ExclusionReason,
  type ScoreCloses,
  type UniverseDecision,
} from './decision.ts';

/** Parameters of the filter chain (from the `[strategy]` and `[universe]` config sections). */
export interface UniverseParams {
  /** e.g. `USDT`. */
  readonly quoteAsset: string;
  /** L, days (§3). */
  readonly lookbackDays: number;
  /** Minimum listing age of the current segment, days. */
  readonly minAgeDays: number;
  /** Minimum market cap, USD; 0 = off. */
  readonly minMarketCap: number;
  /** Minimum mean daily quote volume over `[D-L, D-1]`, quote asset; 0 = off. */
  readonly minQuoteVolume: number;
  /** Symbols always dropped (reason `excluded`). */
  readonly exclude: readonly string[];
  /** When non-empty, only these symbols may pass (others: `excluded`). */
  readonly include: readonly string[];
  /**
   * `history`: `not_trading` means no candle at D-1 or at D (backtest/replay);
   * `live`: it means an exchange status other than `TRADING`.
   */
  readonly tradingRule: 'history' | 'live';
  /**
   * The §11 entry filter (`[signals] entry_filter`, `entry_sma_fast`, `entry_sma_slow`,
   * `entry_breakout_days`; §4 row 8): a symbol whose daily trend at D-1 is not up is dropped as `no_trend`
   * after the market-cap filter. Absent or `entryFilter: 'none'` = off. The candles must then reach back
   * {@link entryFilterHistoryDays} days before D.
   */
  readonly entryFilter?: EntryFilterSettings;
  /**
   * §4 row 9 (backtest/replay with an intraday rule on, §10): true when `symbol` has an hourly candle on the
   * UTC day starting at `dayMs`; a symbol without one on D-1 is dropped as `no_intraday_data`. Absent = off.
   */
  readonly intradayDataOn?: (symbol: string, dayMs: number) => boolean;
}

/**
 * How many days before D the daily candles must reach for the §3 signal and the §11 entry filter:
 * `L + 1` (the close of D-1-L), `entry_sma_slow` (the slow SMA's closes D-slow … D-1) and
 * `entry_breakout_days + 1` (the channel D-1-N … D-2 and close(D-1)).
 * @param lookbackDays L (days). @param entry the §11 settings, or undefined (off).
 */
export function entryFilterHistoryDays(lookbackDays: number, entry?: EntryFilterSettings): number {
  if (entry === undefined || entry.entryFilter === 'none') return lookbackDays + 1;
  if (entry.entryFilter === 'sma_trend') return Math.max(lookbackDays + 1, entry.entrySmaSlow);
  return Math.max(lookbackDays + 1, entry.entryBreakoutDays + 1);
}

/** The daily history of one symbol, as needed by the chain. */
export interface SymbolHistory {
  readonly info: SymbolInfo;
  /**
   * Ascending daily candles: the whole series, or any part of it that contains `[D-1-L, D]` when
   * `splits` and `firstOpenTime` are given. Candles after D are ignored (no look-ahead).
   */
  readonly candles: readonly Candle[];
  /**
   * The §2 splits of the whole series (optional; computed from `candles` when absent). Only splits dated
   * `<= D` are used, and both sides of such a split are at or before D: no look-ahead.
   */
  readonly splits?: readonly SegmentSplit[];
  /** Open time of the series' first candle, UTC ms (optional; `candles[0]` when absent). */
  readonly firstOpenTime?: number | null;
}

/**
 * Applies the §4 filter chain to every symbol for decision day `dayMs`.
 * @param dayMs decision day D, 00:00 UTC ms.
 * @param symbols every candidate with its daily history.
 * @param caps market caps in force at D (§4 filter 7); reported always, filtered on only when `minMarketCap > 0`.
 * @returns one decision per symbol, in the input order.
 */
export function evaluateUniverse(
  dayMs: number,
  symbols: readonly SymbolHistory[],
  caps: ReadonlyMap<string, MarketCapObservation>,
  params: UniverseParams,
): UniverseDecision[] {
  const exclude = new Set(params.exclude);
  const include = new Set(params.include);
  return symbols.map((s) => evaluateSymbol(dayMs, s, caps, params, exclude, include));
}

function evaluateSymbol(
  dayMs: number,
  s: SymbolHistory,
  caps: ReadonlyMap<string, MarketCapObservation>,
  params: UniverseParams,
  exclude: ReadonlySet<string>,
  include: ReadonlySet<string>,
): UniverseDecision {
  const { symbol, baseAsset, quoteAsset } = s.info;
  const L = params.lookbackDays;
  const candles = s.candles;
  const splits = s.splits ?? findSegmentSplits(candles);
  const first = s.firstOpenTime ?? candles[0]?.openTime ?? null;
  const prevMs = dayMs - DAY_MS;
  const backMs = dayMs - (1 + L) * DAY_MS;
  const iPrev = indexAt(candles, prevMs);
  const iToday = indexAt(candles, dayMs);
  const iBack = indexAt(candles, backMs);
  const segStart = iPrev >= 0 && first !== null ? segmentStartMs(splits, first, prevMs) : null;
  const sameSegment =
    iBack >= 0 && segStart !== null && segmentStartMs(splits, first as number, backMs) === segStart;

  const closes = sameSegment
    ? { prev: (candles[iPrev] as Candle).close, back: (candles[iBack] as Candle).close }
    : null;
  const score = closes ? Number(closes.prev) / Number(closes.back) - 1 : null;
  const ageDays = segStart !== null ? (dayMs - segStart) / DAY_MS : null;
  const meanQuoteVolume = meanQuoteVolumeOf(candles, dayMs - L * DAY_MS, dayMs - DAY_MS);
  const cap = caps.get(baseAsset)?.capUsd ?? null;

  const decide = (reason: ExclusionReason | null): UniverseDecision => ({
    symbol,
    baseAsset,
    eligible: reason === null,
    reason,
    score,
    closes,
    ageDays,
    marketCapUsd: cap,
    meanQuoteVolume,
  });

  if (quoteAsset !== params.quoteAsset) return decide('quote');
  if (
    isStableOrFiat(baseAsset) ||
    isLeveragedToken(symbol) ||
    exclude.has(symbol) ||
    (include.size > 0 && !include.has(symbol))
  ) {
    return decide('excluded');
  }
  if (params.tradingRule === 'history' ? iPrev < 0 || iToday < 0 : s.info.status !== 'TRADING') {
    return decide('not_trading');
  }
  if (ageDays === null || ageDays < params.minAgeDays) return decide('too_young');
  if (!sameSegment) return decide('no_history');
  if (params.minQuoteVolume > 0 && (meanQuoteVolume ?? 0) < params.minQuoteVolume) return decide('illiquid');
  if (params.minMarketCap > 0) {
    if (cap === null) return decide('no_market_cap');
    if (cap < params.minMarketCap) return decide('small_cap');
  }
  const entry = params.entryFilter;
  if (entry !== undefined && entry.entryFilter !== 'none' && !isTrendUp(candles, splits, dayMs, entry)) {
    return decide('no_trend');
  }
  if (params.intradayDataOn !== undefined && !params.intradayDataOn(symbol, prevMs)) {
    return decide('no_intraday_data');
  }
  return decide(null);
}

/**
 * Mean daily quote volume over the candles present in `[fromMs, toMs]` (§4 filter 6): a candle's
 * `quote_volume`, or `volume * close` where that is empty. Float (a filter input, not money).
 * @returns null when no candle lies in the window.
 */
export function meanQuoteVolumeOf(candles: readonly Candle[], fromMs: number, toMs: number): number | null {
  let sum = 0;
  let n = 0;
  for (let t = fromMs; t <= toMs; t += DAY_MS) {
    const i = indexAt(candles, t);
    if (i < 0) continue;
    const c = candles[i] as Candle;
    sum +=
      c.quoteVolume !== null && c.quoteVolume !== ''
        ? Number(c.quoteVolume)
        : Number(c.volume) * Number(c.close);
    n += 1;
  }
  return n === 0 ? null : sum / n;
}
