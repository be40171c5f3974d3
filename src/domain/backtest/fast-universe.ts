/**
 * The §4 filter chain and §5 ranking on the backtest's day grid — the same decisions as
 * `evaluateUniverse` + `rankUniverse` (src/domain/universe/eligibility.ts, src/domain/ranking/rank.ts)
 * with array lookups instead of per-symbol binary searches and candle objects: a decision day costs a
 * few array reads per symbol. Floats are computed from the same strings with the same expressions, so
 * scores, volumes and therefore every decision are bit-identical (tested on the real data against the
 * domain functions: test/unit/backtest/fast-universe.test.ts).
 */
import { compareExactReturns, nearTie, type ScoreCloses, type StrategyMode } from '../ranking/rank.ts';
import { isTrendUp } from '../signals/entry-filter.ts';
import { EXCLUSION_REASONS, type ExclusionReason, type UniverseParams } from '../universe/eligibility.ts';
import { isLeveragedToken, isStableOrFiat } from '../universe/excluded-assets.ts';
import type { EligibleSet } from './eligible-set.ts';
import { type BacktestMarket, NO_CANDLE, type SymbolSeries } from './market.ts';

/**
 * Parameters of the filter chain and ranking (the `[strategy]` / `[universe]` settings): the reference
 * chain's {@link UniverseParams} (always the `history` trading rule here) and the ranking mode.
 */
export type FastUniverseParams = Omit<UniverseParams, 'tradingRule'> & { readonly mode: StrategyMode };

/** A selected symbol. */
export interface RankedTarget {
  readonly symbolIndex: number;
  /** 1 = first. */
  readonly rank: number;
}

/** Reason codes of {@link FastUniverse.reasons}: 0 = eligible, k = `EXCLUSION_REASONS[k − 1]`. */
export const ELIGIBLE = 0;
const R = (reason: ExclusionReason): number => EXCLUSION_REASONS.indexOf(reason) + 1;
const QUOTE = R('quote');
const EXCLUDED = R('excluded');
const NOT_TRADING = R('not_trading');
const TOO_YOUNG = R('too_young');
const NO_HISTORY = R('no_history');
const ILLIQUID = R('illiquid');
const NO_MARKET_CAP = R('no_market_cap');
const SMALL_CAP = R('small_cap');
const NO_TREND = R('no_trend');
const NO_INTRADAY_DATA = R('no_intraday_data');

/** The reason of a code of {@link FastUniverse.reasons}; null for eligible. */
export function reasonOf(code: number): ExclusionReason | null {
  return code === ELIGIBLE ? null : (EXCLUSION_REASONS[code - 1] as ExclusionReason);
}

/**
 * Universe and ranking for one parameter set over a {@link BacktestMarket}. After {@link select}, the
 * per-symbol outcome of that day is in {@link reasons} and {@link scores} (reused buffers).
 */
export class FastUniverse {
  /** Reason code per symbol index for the last selected day (see {@link reasonOf}). */
  readonly reasons: Int8Array;
  /** r(s, D) per symbol index for the last selected day (NaN where it was not computed). */
  readonly scores: Float64Array;
  private readonly staticReason: Int8Array;
  private readonly candidates: Int32Array;
  private readonly eligibleList: number[] = [];
  /** The rank order of the last selected day (see {@link eligible}). */
  private order: (a: number, b: number) => number = (a, b) => a - b;

  /**
   * @param market the day grid.
   * @param params filter and ranking parameters.
   */
  constructor(
    private readonly market: BacktestMarket,
    private readonly params: FastUniverseParams,
  ) {
    const n = market.series.length;
    this.reasons = new Int8Array(n);
    this.scores = new Float64Array(n);
    this.staticReason = new Int8Array(n);
    const exclude = new Set(params.exclude);
    const include = new Set(params.include);
    const candidates: number[] = [];
    market.series.forEach((s, i) => {
      const { symbol, baseAsset, quoteAsset } = s.info;
      let r = ELIGIBLE;
      if (quoteAsset !== params.quoteAsset) r = QUOTE;
      else if (
        isStableOrFiat(baseAsset) ||
        isLeveragedToken(symbol) ||
        exclude.has(symbol) ||
        (include.size > 0 && !include.has(symbol))
      )
        r = EXCLUDED;
      this.staticReason[i] = r;
      if (r === ELIGIBLE) candidates.push(i);
    });
    this.candidates = Int32Array.from(candidates);
  }

  /**
   * Decides every symbol for decision day index `d` (§4, filters in order, first failure recorded) and
   * ranks the eligible ones (§5: by r descending for momentum, ascending for reversal, ties by symbol).
   * @param topN how many to select (`Infinity`: all eligible).
   * @returns the first `topN` in rank order.
   * @throws Error when an eligible symbol's score is NaN (as `rankUniverse`).
   */
  select(d: number, topN: number): RankedTarget[] {
    const { market, params, reasons, scores } = this;
    reasons.set(this.staticReason);
    scores.fill(Number.NaN);
    const L = params.lookbackDays;
    const n = market.series.length;
    const prevRow = (d - 1) * n;
    const todayRow = d * n;
    const backRow = (d - 1 - L) * n;
    const hasBack = d - 1 - L >= 0;
    const hasPrev = d - 1 >= 0;
    const { closeByDay, segmentByDay } = market;
    const quoteVolumeByDay = params.minQuoteVolume > 0 ? market.quoteVolumeByDay() : closeByDay;
    const series = market.series;
    const caps = params.minMarketCap > 0 ? market.capsAt(d) : null;
    const entry =
      params.entryFilter !== undefined && params.entryFilter.entryFilter !== 'none'
        ? params.entryFilter
        : null;
    const dayMs = market.dayMs(d);
    const eligible = this.eligibleList;
    eligible.length = 0;
    for (let c = 0; c < this.candidates.length; c++) {
      const i = this.candidates[c] as number;
      const segStart = hasPrev ? (segmentByDay[prevRow + i] as number) : NO_CANDLE;
      if (segStart === NO_CANDLE || (segmentByDay[todayRow + i] as number) === NO_CANDLE) {
        reasons[i] = NOT_TRADING;
        continue;
      }
      if (d - segStart < params.minAgeDays) {
        reasons[i] = TOO_YOUNG;
        continue;
      }
      if (!hasBack || (segmentByDay[backRow + i] as number) !== segStart) {
        // no candle at D-1-L (NO_CANDLE), or one in an earlier segment
        reasons[i] = NO_HISTORY;
        continue;
      }
      if (params.minQuoteVolume > 0) {
        // Same sum, same order as meanQuoteVolumeOf: candles present in [D-L, D-1], ascending.
        let sum = 0;
        let count = 0;
        for (let t = Math.max(0, d - L); t <= d - 1; t++) {
          const v = quoteVolumeByDay[t * n + i] as number;
          if ((segmentByDay[t * n + i] as number) === NO_CANDLE) continue;
          sum += v;
          count += 1;
        }
        const mean = count === 0 ? 0 : sum / count;
        if (mean < params.minQuoteVolume) {
          reasons[i] = ILLIQUID;
          continue;
        }
      }
      if (caps) {
        const cap = caps.get((series[i] as SymbolSeries).info.baseAsset)?.capUsd ?? null;
        if (cap === null) {
          reasons[i] = NO_MARKET_CAP;
          continue;
        }
        if (cap < params.minMarketCap) {
          reasons[i] = SMALL_CAP;
          continue;
        }
      }
      // §11 with the domain's own function on the same candles and splits: identical by construction.
      if (
        entry !== null &&
        !isTrendUp(series[i]?.candles ?? [], (series[i] as SymbolSeries).splits, dayMs, entry)
      ) {
        reasons[i] = NO_TREND;
        continue;
      }
      if (
        params.intradayDataOn !== undefined &&
        !params.intradayDataOn((series[i] as SymbolSeries).info.symbol, dayMs - 86_400_000)
      ) {
        reasons[i] = NO_INTRADAY_DATA;
        continue;
      }
      const score = (closeByDay[prevRow + i] as number) / (closeByDay[backRow + i] as number) - 1;
      if (Number.isNaN(score))
        throw new Error(`eligible symbol ${(series[i] as SymbolSeries).info.symbol} has no score`);
      scores[i] = score;
      reasons[i] = ELIGIBLE;
      eligible.push(i);
    }
    const sign = params.mode === 'momentum' ? -1 : 1;
    // The closes of r (§3) for the exact comparison of near-equal float scores, as rankUniverse does.
    const closesOf = (i: number): ScoreCloses => {
      const s = series[i] as SymbolSeries;
      const close = (day: number) => s.closeText(s.at[day] as number);
      return { prev: close(d - 1), back: close(d - 1 - L) };
    };
    // Candidates are in symbol order, so an index comparison is the symbol tie-break of rankUniverse.
    const rankOrder = (a: number, b: number): number => {
      const sa = scores[a] as number;
      const sb = scores[b] as number;
      const diff = sign * (nearTie(sa, sb) ? compareExactReturns(closesOf(a), closesOf(b)) : sa - sb);
      if (diff !== 0) return diff;
      return a - b;
    };
    this.order = rankOrder;
    const k = Math.min(eligible.length, topN);
    const ranked =
      k * 8 < eligible.length
        ? firstInOrder(eligible, k, rankOrder)
        : sortByScore(eligible, scores, sign, rankOrder);
    const out: RankedTarget[] = new Array(k);
    for (let j = 0; j < k; j++) out[j] = { symbolIndex: ranked[j] as number, rank: j + 1 };
    return out;
  }

  /**
   * Every eligible symbol of the last {@link select}ed day, in no particular order, with that day's rank
   * order (the comparator {@link select} sorts by: score, exact near ties, symbol). Valid until the next
   * `select`.
   */
  eligible(): EligibleSet {
    return { symbols: this.eligibleList, order: this.order };
  }
}

/**
 * The first `k` of `items` in the order `cmp` (a strict total order: never 0 for distinct items), ascending:
 * the same as `items.sort(cmp).slice(0, k)` with about one comparison per item when `k` is small (a top-10
 * among ~400 eligible symbols a day, instead of sorting them all).
 */
function firstInOrder(items: readonly number[], k: number, cmp: (a: number, b: number) => number): number[] {
  const best: number[] = [];
  if (k <= 0) return best;
  for (const x of items) {
    if (best.length === k && cmp(x, best[k - 1] as number) >= 0) continue;
    let j = best.length === k ? k - 1 : best.length;
    while (j > 0 && cmp(x, best[j - 1] as number) < 0) {
      best[j] = best[j - 1] as number;
      j--;
    }
    best[j] = x;
  }
  return best;
}

/**
 * `items.sort(rankOrder)`, cheaper: sorted by the float score (`sign` × score, then index) first, then each
 * run of neighbours that are near ties (`nearTie`, src/domain/ranking/rank.ts) re-sorted by `rankOrder`.
 * The same order: `rankOrder` compares by float outside near ties, and two items of different runs are
 * never near ties (the distance between them grows faster than the tolerance, `NEAR_TIE` < 1).
 */
function sortByScore(
  items: number[],
  scores: Float64Array,
  sign: number,
  rankOrder: (a: number, b: number) => number,
): number[] {
  orderByKey(items, scores, sign);
  for (let i = 0; i < items.length; ) {
    let j = i + 1;
    while (
      j < items.length &&
      nearTie(scores[items[j - 1] as number] as number, scores[items[j] as number] as number)
    )
      j++;
    if (j - i > 1) {
      const run = items.slice(i, j).sort(rankOrder);
      for (let t = 0; t < run.length; t++) items[i + t] = run[t] as number;
    }
    i = j;
  }
  return items;
}

/** Reused buffers of {@link orderByKey} (grown on demand; the domain stays free of I/O, not of scratch space). */
let keyBuf = new Float64Array(0);
let usedBuf = new Int32Array(0);
const outBuf: number[] = [];

/**
 * Puts `items` (symbol indices, ascending) in place in the order of the comparator
 * `sign × (score_a − score_b) || a − b`, with a native numeric sort of the keys `sign × score` instead of a
 * comparator sort: `x − y < 0` exactly when `x < y` for the finite or infinite scores of eligible symbols
 * (an infinite score compares equal to itself, as `∞ − ∞ = NaN` does in the comparator), `−0` is folded into
 * `+0` (the comparator sees them equal) and equal keys keep the ascending index order, because items are
 * placed in their order at the first free slot of their key in the sorted keys (found by binary search).
 */
function orderByKey(items: number[], scores: Float64Array, sign: number): void {
  const m = items.length;
  if (keyBuf.length < m) {
    keyBuf = new Float64Array(m * 2);
    usedBuf = new Int32Array(m * 2);
  }
  const keys = keyBuf.subarray(0, m);
  for (let j = 0; j < m; j++) keys[j] = sign * (scores[items[j] as number] as number) + 0;
  const pos = new Float64Array(keys);
  pos.sort();
  const used = usedBuf;
  used.fill(0, 0, m);
  const out = outBuf;
  out.length = m;
  for (let j = 0; j < m; j++) {
    const x = keys[j] as number;
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((pos[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    out[lo + (used[lo] as number)] = items[j] as number;
    used[lo] = (used[lo] as number) + 1;
  }
  for (let j = 0; j < m; j++) items[j] = out[j] as number;
}
