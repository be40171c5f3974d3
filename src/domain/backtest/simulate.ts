/**
 * The backtest's day loop (strategy-semantics.md §1, §2, §9), driving one or more books in lockstep over
 * the same days: the strategy, the equal-weight universe (the same ranking with every eligible symbol
 * selected) and BTC hold. Pure; the books and the universe are handed in.
 *
 * Every day `t` of `[from, to]`, for every book, in this order:
 * 1. §2 token swaps: holdings whose symbol starts a new segment on `t` are converted (before anything else);
 * 2. on a decision day (`from + k × rebalance_every_days`, §1) a rebalance at the open of `t` towards the
 *    first `topN` of the day's ranking (§3–§8) — or, for a hold track, its one BUY on `from`;
 * 3. a book with intraday rules then runs the hours of `t` (§10 timeline step 3, `Book.intraday`);
 * 4. equity at the close of `t` (§9): cash + Σ holding × close, an asset without a candle on `t` at its last
 *    known close.
 * The ranking of a decision day is computed once and shared by every book that rebalances.
 */
import type { Book } from './book.ts';
import type { EligibleSet } from './eligible-set.ts';
import type { RankedTarget } from './fast-universe.ts';

/** Something that ranks the universe of a decision day (the fast universe or the domain functions). */
export interface Ranker {
  /** The first `topN` eligible symbols of decision day index `d`, in rank order (`Infinity`: all). */
  select(d: number, topN: number): readonly RankedTarget[];
  /**
   * Optional: every eligible symbol of the day of the last {@link select} and the rank order, without
   * ordering them (valid until the next `select`).
   */
  eligible?(): EligibleSet;
}

/** One book and how it trades. */
export interface Track {
  readonly book: Book;
  /**
   * `rebalance`: the first `topN` of every decision day's ranking (`Infinity`: all eligible);
   * `hold`: one BUY of `symbolIndex` with `quoteOrderQty` on the first day, then nothing (null symbol: no
   * such symbol, all cash).
   */
  readonly trade:
    | { readonly kind: 'rebalance'; readonly topN: number }
    | { readonly kind: 'hold'; readonly symbolIndex: number | null; readonly quoteOrderQty: string };
  /** Collect each day's holdings values (the report's "holdings over time"). */
  readonly values: boolean;
  /** With `values`: leave out holdings worth less than this share of the day's equity (default 0). */
  readonly minShare?: number;
}

/** Close-of-day values of one day of a track (when `values` was asked for). */
export interface DayValues {
  /** Market value by symbol index, float (quote). */
  readonly values: readonly (readonly [number, number])[];
  /** Cash, float (quote). */
  readonly cash: number;
}

/** The equity curve of one track. */
export interface TrackCurve {
  /** Exact close-of-day equity (decimal strings), one per day of `[from, to]`. */
  readonly exact: string[];
  /** The same as floats (`Number` of the exact value, correctly rounded). */
  readonly equity: number[];
  /** Per day, when asked for. */
  readonly values: DayValues[];
}

/** Days of a simulation (day indices of the market's grid). */
export interface SimulationDays {
  readonly from: number;
  readonly to: number;
  /** `rebalance_every_days` (≥ 1). */
  readonly everyDays: number;
}

/**
 * Runs the day loop (see the module docstring).
 * @param ranker the universe (needed when a track rebalances).
 * @param onProgress called with the fraction of days done, about every 1 % of the days.
 * @returns one curve per track, in order.
 * @throws RangeError when `to < from` or `everyDays < 1`; whatever a book or the ranker throws.
 */
export function simulate(
  days: SimulationDays,
  ranker: Ranker | null,
  tracks: readonly Track[],
  onProgress?: (fraction: number) => void,
): TrackCurve[] {
  const { from, to, everyDays } = days;
  if (!(to >= from)) throw new RangeError(`simulate: to (${to}) < from (${from})`);
  if (!(everyDays >= 1)) throw new RangeError(`simulate: everyDays must be >= 1, got ${everyDays}`);
  const curves: TrackCurve[] = tracks.map(() => ({ exact: [], equity: [], values: [] }));
  const rebalancing = tracks.filter((t) => t.trade.kind === 'rebalance');
  if (rebalancing.length > 0 && !ranker) throw new Error('simulate: a rebalancing track needs a ranker');
  // A track that buys every eligible symbol, with a book and a ranker that can do it from the unordered
  // set (Book.rebalanceAll): the ranking is then laid out only as far as the other tracks need it.
  const setwise = tracks.map(
    (t) =>
      t.trade.kind === 'rebalance' &&
      t.trade.topN === Number.POSITIVE_INFINITY &&
      t.book.rebalanceAll !== undefined &&
      ranker?.eligible !== undefined,
  );
  const maxTopN = Math.max(
    0,
    ...tracks.map((t, k) => (t.trade.kind === 'rebalance' && !setwise[k] ? t.trade.topN : 0)),
  );
  const total = to - from + 1;
  const every = Math.max(1, Math.floor(total / 100));
  for (let d = from; d <= to; d++) {
    for (const t of tracks) t.book.convertSplits(d);
    const decision = (d - from) % everyDays === 0;
    const ranked = decision && ranker && rebalancing.length > 0 ? ranker.select(d, maxTopN) : null;
    tracks.forEach((t, k) => {
      const trade = t.trade;
      if (trade.kind === 'rebalance') {
        if (ranked && setwise[k]) t.book.rebalanceAll?.(d, (ranker as Ranker).eligible?.() as EligibleSet);
        else if (ranked)
          t.book.rebalance(d, trade.topN >= ranked.length ? ranked : ranked.slice(0, trade.topN));
      } else if (d === from && trade.symbolIndex !== null) {
        t.book.buy(d, trade.symbolIndex, trade.quoteOrderQty);
      }
      t.book.intraday?.(d);
      const mark = t.book.mark(d, t.values, t.minShare ?? 0);
      const curve = curves[k] as TrackCurve;
      curve.exact.push(mark.equity);
      curve.equity.push(Number(mark.equity));
      if (t.values) curve.values.push({ values: mark.values ?? [], cash: mark.cash ?? 0 });
    });
    if (onProgress && ((d - from + 1) % every === 0 || d === to)) onProgress((d - from + 1) / total);
  }
  return curves;
}
