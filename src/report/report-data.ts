/**
 * Pure data preparation for the HTML backtest report (src/report/html-report.ts): the series the
 * browser plots (compact JSON: epoch days instead of date strings, rounded numbers, trades aggregated per
 * month, holdings as weights), and the monthly-returns table. No I/O, no DOM.
 */
import type { BacktestResult, BacktestTrade, EquityPoint, HoldingsPoint } from '../app/backtest-result.ts';

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Most ranks drawn in the holdings chart (#1 = each day's largest holding); further holdings are summed into "other". */
export const HOLDINGS_TOP_ASSETS = 12;
/** Holdings points sent to the page at most; longer series are thinned to every k-th day (plus the last). */
export const HOLDINGS_MAX_POINTS = 1500;
/** Quote asset assumed when `config.universe.quote_asset` is absent. */
export const DEFAULT_QUOTE_ASSET = 'USDT';

/**
 * Days since 1970-01-01 (UTC) of a `YYYY-MM-DD` date.
 * @throws Error when `date` is not a valid `YYYY-MM-DD` calendar date.
 */
export function epochDay(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new Error(`report: bad date ${JSON.stringify(date)} (expected YYYY-MM-DD)`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new Error(`report: bad date ${JSON.stringify(date)} (not a calendar day)`);
  }
  return Math.round(ms / DAY_MS);
}

/** `x` rounded to `digits` significant digits; null for null / NaN / ±Infinity. */
export function roundSig(x: number | null | undefined, digits: number): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  if (x === 0) return 0;
  return Number(x.toPrecision(digits));
}

/** `x` rounded to `decimals` decimal places; null for null / NaN / ±Infinity. */
function roundDec(x: number, decimals: number): number | null {
  if (!Number.isFinite(x)) return null;
  const f = 10 ** decimals;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r; // no -0 in the JSON
}

/**
 * The quote asset of the backtest: `config.universe.quote_asset` when it is a non-empty string, else
 * {@link DEFAULT_QUOTE_ASSET}.
 */
export function quoteAssetOf(result: Pick<BacktestResult, 'config'>): string {
  const universe = result.config.universe;
  if (universe && typeof universe === 'object') {
    const q = (universe as Record<string, unknown>).quote_asset;
    if (typeof q === 'string' && q.trim() !== '') return q.trim().toUpperCase();
  }
  return DEFAULT_QUOTE_ASSET;
}

/** One row of the monthly-returns table. Returns are fractions (0.05 = +5 %), null where not defined. */
export interface MonthlyReturnsRow {
  readonly year: number;
  /** Index 0 = January … 11 = December. */
  readonly months: readonly (number | null)[];
  /** `last equity of the year / last equity of the previous year (or the first point) − 1`. */
  readonly year_return: number | null;
}

function sortedByDate<T extends { readonly date: string }>(xs: readonly T[]): readonly T[] {
  for (let i = 1; i < xs.length; i++) {
    if ((xs[i] as T).date < (xs[i - 1] as T).date) return [...xs].sort((a, b) => (a.date < b.date ? -1 : 1));
  }
  return xs;
}

function ratio(end: number, start: number): number | null {
  if (!(start > 0) || !Number.isFinite(end) || !Number.isFinite(start)) return null;
  return end / start - 1;
}

/**
 * Monthly (and yearly) returns of an equity curve: the return of month M is
 * `last equity of M / last equity of the month before (or the curve's first point) − 1`; the year
 * column likewise with the last equity of the previous year. The first point is the base (it is the
 * day before `--from`, = initial_quote), so a month holding only the first point gets no value, and a
 * year without any month value gets no row. Rows in ascending year order.
 *
 * @param equity daily points, `YYYY-MM-DD` dates (sorted here when not in order).
 * @throws Error on a malformed date.
 */
export function monthlyReturns(equity: readonly EquityPoint[]): MonthlyReturnsRow[] {
  const pts = sortedByDate(equity);
  const first = pts[0];
  if (first === undefined) return [];
  epochDay(first.date);
  // Last equity of each month, in month order, and whether the month holds more than the first point.
  const monthLast = new Map<string, number>();
  for (const p of pts) {
    epochDay(p.date);
    monthLast.set(p.date.slice(0, 7), p.equity);
  }
  const firstMonth = first.date.slice(0, 7);
  const firstMonthHasMore = pts.length > 1 && (pts[1] as EquityPoint).date.slice(0, 7) === firstMonth;

  const rows = new Map<number, { months: (number | null)[]; yearEnd: number; yearBase: number }>();
  let base = first.equity;
  let yearBase = first.equity;
  let curYear = Number(first.date.slice(0, 4));
  for (const [ym, last] of monthLast) {
    const year = Number(ym.slice(0, 4));
    const month = Number(ym.slice(5, 7)) - 1;
    if (year !== curYear) {
      yearBase = base; // last equity of the previous year
      curYear = year;
    }
    if (ym === firstMonth && !firstMonthHasMore) continue; // only the base point
    let row = rows.get(year);
    if (!row) {
      row = { months: Array<number | null>(12).fill(null), yearEnd: last, yearBase };
      rows.set(year, row);
    }
    row.months[month] = ratio(last, base);
    row.yearEnd = last;
    base = last;
  }
  return [...rows.entries()].map(([year, r]) => ({
    year,
    months: r.months,
    year_return: ratio(r.yearEnd, r.yearBase),
  }));
}

/** Fees and traded notional per calendar month (both in the quote asset). */
export interface MonthlyTradeTotals {
  /** Epoch day of the first day of each month, ascending, every month from the first to the last. */
  readonly months: number[];
  /** Commissions valued in quote: quote commissions as is, base-asset commissions × fill price. */
  readonly fees: number[];
  /** Σ `quote_quantity` of the fills of the month. */
  readonly notional: number[];
  readonly trades: number[];
  /**
   * Turnover of the month: Σ fill notional / mean equity of the month's equity points (a multiple of the
   * portfolio, e.g. 2 = the portfolio traded twice over); null for a month without equity points.
   */
  readonly turnover: (number | null)[];
  /** Fees paid from the first month to the end of each month (quote), i.e. the running sum of `fees`. */
  readonly cum_fees: number[];
  /** Fills whose commission asset is neither the quote nor the symbol's base asset (left out of `fees`). */
  readonly unvalued_fee_fills: number;
}

/**
 * Commission of a fill valued in the quote asset: as is when charged in `quote`; × fill price when
 * charged in the base asset (`symbol = base + quote`); null when charged in a third asset (e.g. BNB),
 * which the report cannot price.
 */
export function commissionInQuote(trade: BacktestTrade, quote: string): number | null {
  const c = Number(trade.commission);
  if (!Number.isFinite(c)) return null;
  if (c === 0) return 0;
  const asset = trade.commission_asset;
  if (asset === quote) return c;
  const base = trade.symbol.endsWith(quote) ? trade.symbol.slice(0, -quote.length) : null;
  if (asset === base) {
    const p = Number(trade.price);
    return Number.isFinite(p) ? c * p : null;
  }
  return null;
}

function monthIndex(date: string): number {
  return Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
}

/**
 * Aggregates fills per calendar month (fees, notional, turnover = notional / the month's mean equity,
 * running fees). The months span the equity curve's first to last month (and
 * any month with a fill outside it), so months without fills show as 0.
 * @throws Error on a malformed date.
 */
export function monthlyTradeTotals(
  trades: readonly BacktestTrade[],
  equity: readonly EquityPoint[],
  quote: string,
): MonthlyTradeTotals {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of [...equity, ...trades]) {
    epochDay(p.date);
    const m = monthIndex(p.date);
    if (m < lo) lo = m;
    if (m > hi) hi = m;
  }
  if (!Number.isFinite(lo))
    return {
      months: [],
      fees: [],
      notional: [],
      trades: [],
      turnover: [],
      cum_fees: [],
      unvalued_fee_fills: 0,
    };
  const n = hi - lo + 1;
  const fees = Array<number>(n).fill(0);
  const notional = Array<number>(n).fill(0);
  const counts = Array<number>(n).fill(0);
  let unvalued = 0;
  for (const t of trades) {
    const k = monthIndex(t.date) - lo;
    const fee = commissionInQuote(t, quote);
    if (fee === null) unvalued += 1;
    else fees[k] = (fees[k] as number) + fee;
    const q = Number(t.quote_quantity);
    if (Number.isFinite(q)) notional[k] = (notional[k] as number) + q;
    counts[k] = (counts[k] as number) + 1;
  }
  const eqSum = Array<number>(n).fill(0);
  const eqCount = Array<number>(n).fill(0);
  for (const p of equity) {
    if (!Number.isFinite(p.equity)) continue;
    const k = monthIndex(p.date) - lo;
    eqSum[k] = (eqSum[k] as number) + p.equity;
    eqCount[k] = (eqCount[k] as number) + 1;
  }
  const months: number[] = [];
  for (let m = lo; m <= hi; m++) months.push(Math.round(Date.UTC(Math.floor(m / 12), m % 12, 1) / DAY_MS));
  let running = 0;
  return {
    months,
    fees: fees.map((x) => roundSig(x, 8) ?? 0),
    notional: notional.map((x) => roundSig(x, 8) ?? 0),
    trades: counts,
    turnover: notional.map((x, k) => {
      const c = eqCount[k] as number;
      const mean = c > 0 ? (eqSum[k] as number) / c : 0;
      return mean > 0 ? roundSig(x / mean, 6) : null;
    }),
    cum_fees: fees.map((x) => {
      running += x;
      return roundSig(running, 8) ?? 0;
    }),
    unvalued_fee_fills: unvalued,
  };
}

/**
 * Holdings as a stacked area of RANKS, not of fixed assets: series `#1` is each day's largest holding,
 * `#2` the second largest, … up to {@link HOLDINGS_TOP_ASSETS} ranks, then `other` (the holdings beyond
 * them on days that hold more), then cash. A momentum basket changes its members often, so a chart of
 * fixed assets left most of the area in one "other" band (issue 12 item 5); ranks keep every held asset
 * visible, and the tooltip names the asset of each rank on that day (`assets[asset_of[k][i]]`).
 */
export interface HoldingsWeights {
  /** Epoch days (possibly thinned, see {@link HOLDINGS_MAX_POINTS}). */
  readonly days: number[];
  /** Series names: `#1` … `#K` (K = most non-cash assets held on one day, capped), `other` (if any), cash. */
  readonly names: string[];
  /** `weights[k][i]`: % (0–100, 2 decimals) of series `k` on `days[i]`. */
  readonly weights: number[][];
  /** Asset names referenced by {@link asset_of}, in order of first appearance. */
  readonly assets: string[];
  /** `asset_of[k][i]`: index into `assets` of the rank-`k` holding on day `i`, -1 when none (rank series only). */
  readonly asset_of: number[][];
  /** Whether the last name is the quote (cash) series. */
  readonly has_cash: boolean;
  /** Most holdings on one day summed into `other` (0: every holding has its own rank). */
  readonly other_assets: number;
}

/**
 * Holdings over time as rank weights in % (see {@link HoldingsWeights}): a holding's weight is
 * `value / Σ values of the day × 100` (negative values count as 0; a day with total 0 is all zeros).
 * Each day's non-cash holdings with a positive value are sorted by weight (descending, ties by asset
 * name) and put on ranks `#1…`; at most {@link HOLDINGS_TOP_ASSETS} ranks, the rest summed into `other`;
 * the quote asset last (as cash).
 * @throws Error on a malformed date.
 */
export function holdingsWeights(holdings: readonly HoldingsPoint[], quote: string): HoldingsWeights {
  let pts = sortedByDate(holdings);
  if (pts.length > HOLDINGS_MAX_POINTS) {
    const step = Math.ceil(pts.length / HOLDINGS_MAX_POINTS);
    pts = pts.filter((_, i) => i % step === 0 || i === pts.length - 1);
  }
  const days = pts.map((p) => epochDay(p.date));
  const positive = (v: number | undefined): number =>
    v !== undefined && Number.isFinite(v) && v > 0 ? v : 0;
  let hasCash = false;
  let ranks = 0;
  let otherMax = 0;
  const perDay = pts.map((p) => {
    let total = 0;
    for (const v of Object.values(p.values)) total += positive(v);
    const held: [string, number][] = [];
    for (const [asset, v] of Object.entries(p.values)) {
      if (asset === quote) {
        hasCash = true;
        continue;
      }
      const x = positive(v);
      if (x > 0 && total > 0) held.push([asset, (x / total) * 100]);
    }
    held.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    ranks = Math.max(ranks, Math.min(held.length, HOLDINGS_TOP_ASSETS));
    otherMax = Math.max(otherMax, held.length - HOLDINGS_TOP_ASSETS);
    const cash = total > 0 ? (positive(p.values[quote]) / total) * 100 : 0;
    return { held, cash };
  });
  const assets: string[] = [];
  const index = new Map<string, number>();
  const names: string[] = [];
  const weights: number[][] = [];
  const assetOf: number[][] = [];
  for (let k = 0; k < ranks; k++) {
    names.push(`#${k + 1}`);
    weights.push(perDay.map((d) => roundDec(d.held[k]?.[1] ?? 0, 2) ?? 0));
    assetOf.push(
      perDay.map((d) => {
        const h = d.held[k];
        if (h === undefined) return -1;
        let j = index.get(h[0]);
        if (j === undefined) {
          j = assets.length;
          assets.push(h[0]);
          index.set(h[0], j);
        }
        return j;
      }),
    );
  }
  if (otherMax > 0) {
    names.push('other');
    weights.push(
      perDay.map((d) => {
        let s = 0;
        for (const h of d.held.slice(HOLDINGS_TOP_ASSETS)) s += h[1];
        return roundDec(s, 2) ?? 0;
      }),
    );
  }
  if (hasCash) {
    names.push(quote);
    weights.push(perDay.map((d) => roundDec(d.cash, 2) ?? 0));
  }
  return {
    days,
    names,
    weights,
    assets,
    asset_of: assetOf,
    has_cash: hasCash,
    other_assets: Math.max(0, otherMax),
  };
}

/** Everything the page's script plots (serialised as JSON into the page). */
export interface ReportChartData {
  readonly quote: string;
  /** Epoch days of the equity points (x of the equity and drawdown charts). */
  readonly days: number[];
  /** Strategy equity in quote (8 significant digits). */
  readonly equity: (number | null)[];
  /** Benchmark equity on the same days; null where the benchmark has no point for that day. */
  readonly btc_hold: (number | null)[];
  readonly equal_weight: (number | null)[];
  /**
   * Intraday exits (§10) marked on the equity chart: the strategy's close-of-day equity on each day with at
   * least one exit, null on the other days.
   */
  readonly exits: (number | null)[];
  /** Number of intraday exits per day (same days; 0 without). */
  readonly exit_counts: number[];
  readonly monthly: MonthlyTradeTotals;
  readonly holdings: HoldingsWeights;
}

function aligned(days: readonly string[], series: readonly EquityPoint[]): (number | null)[] {
  const byDate = new Map<string, number>();
  for (const p of series) byDate.set(p.date, p.equity);
  return days.map((d) => roundSig(byDate.get(d), 8));
}

/**
 * Builds the chart data of a backtest result (see {@link ReportChartData}).
 * @throws Error on a malformed date anywhere in the result.
 */
export function buildChartData(result: BacktestResult): ReportChartData {
  const quote = quoteAssetOf(result);
  const pts = sortedByDate(result.equity);
  const dates = pts.map((p) => p.date);
  const exitDays = new Map<string, number>();
  for (const e of result.exits ?? []) {
    const day = e.time.slice(0, 10);
    exitDays.set(day, (exitDays.get(day) ?? 0) + 1);
  }
  return {
    quote,
    days: dates.map(epochDay),
    equity: pts.map((p) => roundSig(p.equity, 8)),
    btc_hold: aligned(dates, result.benchmark_equity?.btc_hold ?? []),
    equal_weight: aligned(dates, result.benchmark_equity?.equal_weight ?? []),
    exits: pts.map((p) => ((exitDays.get(p.date) ?? 0) > 0 ? roundSig(p.equity, 8) : null)),
    exit_counts: dates.map((d) => exitDays.get(d) ?? 0),
    monthly: monthlyTradeTotals(result.trades, pts, quote),
    holdings: holdingsWeights(result.holdings ?? [], quote),
  };
}

/** Range (max / min of the positive values) above which the equity chart opens on a log scale. */
export const LOG_SCALE_ABOVE = 10;

/**
 * Whether the equity chart should open on a log scale: when the strategy's and the benchmarks' positive
 * equity values span more than {@link LOG_SCALE_ABOVE}× (max / min), a linear axis flattens everything
 * before the rise (issue 12 item 5). The reader can still switch with the toggle.
 */
export function logScaleByDefault(
  data: Pick<ReportChartData, 'equity' | 'btc_hold' | 'equal_weight'>,
): boolean {
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const series of [data.equity, data.btc_hold, data.equal_weight]) {
    for (const v of series) {
      if (v !== null && Number.isFinite(v) && v > 0) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  return hi > 0 && hi / lo > LOG_SCALE_ABOVE;
}
