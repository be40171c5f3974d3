/**
 * The market a backtest runs on: every symbol's whole daily history laid out on one day grid, with
 * dense per-day lookups and float columns precomputed once (per dataset, shared by every configuration
 * of a sweep). Pure: built from plain candles, segment splits (§2), exchange rules (§6) and market caps
 * (§4 filter 7) handed in by the caller.
 *
 * Day grid: day index `d` is the UTC day `firstDayMs + d × 1 day`, over the window the source serves (the
 * whole data, or the days a backtest reads: `[from − lookback_days − 1, to]`). Listing times and §2 splits
 * are those of the whole series, so eligibility is the same whatever the window. Floats (`close`, `quoteVolume`) are for ranking and filters only (strategy-semantics.md:
 * scores are floats); money uses the candle strings.
 */
import { DAY_MS, msToDay } from '../time.ts';
import type { Candle, MarketCapObservation, SymbolInfo, SymbolRules } from '../types.ts';
import type { SegmentSplit } from '../universe/segments.ts';
import { priceMantissa8 } from './exact.ts';

/** One symbol on the day grid. */
export interface SymbolSeries {
  readonly info: SymbolInfo;
  /** The daily candles within the grid's window, ascending (the source strings). */
  readonly candles: readonly Candle[];
  /** §2 splits of the whole series, oldest first. */
  readonly splits: readonly SegmentSplit[];
  /** Open time of the first candle (UTC ms), null for an empty series. */
  readonly firstOpenTime: number | null;
  /** `at[d]`: index into `candles` of the candle of day `d`, or -1 (no candle that day). */
  readonly at: Int32Array;
  /** `atOrBefore[d]`: index of the last candle at or before day `d`, or -1. */
  readonly atOrBefore: Int32Array;
  /**
   * `closeText(k)` = `candles[k].close` (the source string), read without building the candles (the fast
   * universe's exact near-tie comparison reads it for many symbols).
   */
  closeText(k: number): string;
  /** `close[k]` = `Number(candles[k].close)`. */
  readonly close: Float64Array;
  /**
   * Exact prices for the fast book: `openMantissa[k]` / `closeMantissa[k]` = the candle's open / close × 10^8
   * as an exact integer double ({@link PRICE_MANTISSA_DECIMALS}); NaN where the string has more decimals or
   * is too large (the fast book then falls back to decimal.js).
   */
  readonly openMantissa: Float64Array;
  readonly closeMantissa: Float64Array;
  /** `segmentStart[k]`: day index of the first candle of the §2 segment candle `k` belongs to. */
  readonly segmentStart: Int32Array;
  /** `splitOn.get(d)`: the split whose new segment starts on day `d`. */
  readonly splitOn: ReadonlyMap<number, SegmentSplit>;
}

/**
 * The rows of a symbol's daily series that {@link buildBacktestMarket} lays out, read one field at a time
 * (row `k` = the `k`-th candle `candlesOf` would give): lets an adapter serve them straight from its file
 * text, so the grid is built without one `Candle` object per row.
 */
export interface PriceRows {
  /** Number of rows (= `candlesOf(symbol).length`). */
  readonly length: number;
  /** Open time of row `k` (UTC ms). */
  openTimeAt(k: number): number;
  /** Open price of row `k` (quote asset per base unit), the source string. */
  openAt(k: number): string;
  /** Close price of row `k`, the source string. */
  closeAt(k: number): string;
  /**
   * Optional: the numbers {@link buildBacktestMarket} derives from `openAt`/`closeAt`, precomputed by the
   * source (e.g. read from a cache) — row `k` of each column is row `k` here. When present, the grid is
   * laid out without reading a string.
   */
  readonly columns?: PriceColumns;
}

/**
 * Per-row numbers of a daily series: `close[k]` = `Number(close)`; `openMantissa[k]` / `closeMantissa[k]` =
 * `priceMantissa8(open|close, Number(open|close))` (src/domain/backtest/exact.ts: the price × 10^8 as an
 * exact integer double, NaN where not exact).
 */
export interface PriceColumns {
  readonly close: Float64Array;
  readonly openMantissa: Float64Array;
  readonly closeMantissa: Float64Array;
}

/** Everything {@link buildBacktestMarket} needs, from a data adapter. */
export interface MarketSource {
  /** Every symbol, sorted by symbol (delisted ones included). */
  readonly symbols: readonly SymbolInfo[];
  /** First and last day (00:00 UTC ms) of the window laid out. */
  readonly firstDayMs: number;
  readonly lastDayMs: number;
  /** The ascending daily candles of a symbol within the window. */
  candlesOf(symbol: string): readonly Candle[];
  /**
   * Optional: the same rows as {@link candlesOf}, read from the source without building candles. When
   * given (and not undefined for the symbol), the grid is built from it and `SymbolSeries.candles` is only
   * built on first access (the fast engine seldom reads it): the load-time saving of issue 9 step 0.
   */
  priceRowsOf?(symbol: string): PriceRows | undefined;
  /** First open time and §2 splits of a symbol's whole series. */
  segmentInfoOf(symbol: string): {
    readonly firstOpenTime: number | null;
    readonly splits: readonly SegmentSplit[];
  };
  /** §6 order-sizing rules (never throws). */
  rulesOf(symbol: string): SymbolRules;
  /** Market caps in force on a day (§4 filter 7: latest snapshot ≤ day, at most `maxAgeDays` old). */
  capsAt(dayMs: number, maxAgeDays: number): ReadonlyMap<string, MarketCapObservation>;
}

/** A dataset on the day grid (see the module docstring). Immutable once built; safe to share. */
export interface BacktestMarket {
  /** First day of the grid (00:00 UTC ms). */
  readonly firstDayMs: number;
  /** Number of days in the grid. */
  readonly nDays: number;
  /** Symbols in symbol order (index = symbol index everywhere in the backtest). */
  readonly series: readonly SymbolSeries[];
  /** Symbol index by symbol. */
  readonly indexOf: ReadonlyMap<string, number>;
  /**
   * Day-major float columns for the ranking (one row of `series.length` entries per day, so a decision day
   * reads a few contiguous rows): `closeByDay[d × n + i]` = close of symbol `i` on day `d` (NaN: no candle).
   */
  readonly closeByDay: Float64Array;
  /**
   * `segmentByDay[d × n + i]`: day index of the start of the §2 segment of that candle (negative when it
   * starts before the grid); {@link NO_CANDLE} when symbol `i` has no candle on day `d`.
   */
  readonly segmentByDay: Int32Array;
  /**
   * `quoteVolumeByDay()[d × n + i]`: the candle's quote volume (§4 filter 6): `Number(quoteVolume)`, or
   * `Number(volume) × Number(close)` where the source has none; NaN: no candle. Built on first call (only
   * the `min_quote_volume` filter reads it), then cached.
   */
  quoteVolumeByDay(): Float64Array;
  /** The symbol indices (ascending) whose §2 split starts a new segment on day index `d` (`SymbolSeries.splitOn`). */
  splitsOn(d: number): readonly number[];
  /** §6 rules of a symbol index (cached). */
  rules(symbolIndex: number): SymbolRules;
  /** Market caps in force at day index `d` (§4 filter 7), cached per day. */
  capsAt(d: number): ReadonlyMap<string, MarketCapObservation>;
  /** Day index of a UTC day start (may be outside [0, nDays)). */
  dayIndex(dayMs: number): number;
  /** 00:00 UTC ms of a day index. */
  dayMs(d: number): number;
  /** `YYYY-MM-DD` of a day index (cached). */
  date(d: number): string;
}

/** The `segmentByDay` entry of a day without a candle (no real day index is this small). */
export const NO_CANDLE = -0x80000000;

/** Decimals of the exact price mantissas (Binance prices have at most 8). */
export const PRICE_MANTISSA_DECIMALS = 8;

/** Market-cap snapshots older than this are ignored (§4 filter 7). */
export const MAX_CAP_AGE_DAYS = 45;

/**
 * Lays the whole dataset out on the day grid (see {@link BacktestMarket}). Cost: one pass over every
 * candle (tens of ms for the 581,720 bundled candles, on top of building the candles — or, with
 * `source.priceRowsOf`, reading open/close from the source text, candles then built per symbol on first use).
 * @throws RangeError when the source has no candles.
 */
export function buildBacktestMarket(source: MarketSource): BacktestMarket {
  const { firstDayMs, lastDayMs } = source;
  if (!Number.isFinite(firstDayMs) || !Number.isFinite(lastDayMs) || lastDayMs < firstDayMs) {
    throw new RangeError('the market data has no daily candles');
  }
  const nDays = Math.round((lastDayMs - firstDayMs) / DAY_MS) + 1;
  const n = source.symbols.length;
  const closeByDay = new Float64Array(nDays * n).fill(Number.NaN);
  const segmentByDay = new Int32Array(nDays * n).fill(NO_CANDLE);
  const series: SymbolSeries[] = source.symbols.map((info, i) => {
    const rows = source.priceRowsOf?.(info.symbol);
    const candles = rows ? () => source.candlesOf(info.symbol) : source.candlesOf(info.symbol);
    return layOut(info, candles, rows, source.segmentInfoOf(info.symbol), firstDayMs, nDays, {
      column: i,
      width: n,
      closeByDay,
      segmentByDay,
    });
  });
  const indexOf = new Map(series.map((s, i) => [s.info.symbol, i]));
  let quoteVolumes: Float64Array | undefined;
  const quoteVolumeByDay = (): Float64Array => {
    if (!quoteVolumes) {
      const qvs = new Float64Array(nDays * n).fill(Number.NaN);
      series.forEach((s, i) => {
        for (let k = 0; k < s.candles.length; k++) {
          const c = s.candles[k] as Candle;
          const d = Math.round((c.openTime - firstDayMs) / DAY_MS);
          const qv = c.quoteVolume;
          qvs[d * n + i] = qv !== null && qv !== '' ? Number(qv) : Number(c.volume) * (s.close[k] as number);
        }
      });
      quoteVolumes = qvs;
    }
    return quoteVolumes;
  };
  const splitDays = new Map<number, number[]>();
  series.forEach((s, i) => {
    for (const d of s.splitOn.keys()) {
      const list = splitDays.get(d);
      if (list) list.push(i);
      else splitDays.set(d, [i]);
    }
  });
  const noSplits: readonly number[] = [];
  const rulesCache: (SymbolRules | undefined)[] = new Array(series.length);
  const capsCache = new Map<number, ReadonlyMap<string, MarketCapObservation>>();
  const dates: (string | undefined)[] = new Array(nDays + 2);
  return {
    firstDayMs,
    nDays,
    series,
    indexOf,
    closeByDay,
    segmentByDay,
    quoteVolumeByDay,
    splitsOn: (d) => splitDays.get(d) ?? noSplits,
    rules(i) {
      let r = rulesCache[i];
      if (!r) {
        r = source.rulesOf((series[i] as SymbolSeries).info.symbol);
        rulesCache[i] = r;
      }
      return r;
    },
    capsAt(d) {
      let caps = capsCache.get(d);
      if (!caps) {
        caps = source.capsAt(firstDayMs + d * DAY_MS, MAX_CAP_AGE_DAYS);
        capsCache.set(d, caps);
      }
      return caps;
    },
    dayIndex: (ms) => Math.round((ms - firstDayMs) / DAY_MS),
    dayMs: (d) => firstDayMs + d * DAY_MS,
    date(d) {
      const k = d + 1;
      let s = k >= 0 && k < dates.length ? dates[k] : undefined;
      if (s === undefined) {
        s = msToDay(firstDayMs + d * DAY_MS);
        if (k >= 0 && k < dates.length) dates[k] = s;
      }
      return s;
    },
  };
}

/** Where {@link layOut} writes a symbol's day-major columns. */
interface DayMajor {
  /** The symbol's index (column). */
  readonly column: number;
  /** Number of symbols (row width). */
  readonly width: number;
  readonly closeByDay: Float64Array;
  readonly segmentByDay: Int32Array;
}

/** {@link PriceRows} over an array of candles. */
function rowsOfCandles(candles: readonly Candle[]): PriceRows {
  return {
    length: candles.length,
    openTimeAt: (k) => (candles[k] as Candle).openTime,
    openAt: (k) => (candles[k] as Candle).open,
    closeAt: (k) => (candles[k] as Candle).close,
  };
}

/**
 * One symbol on the grid. `candles`: the candles, or a function building them on first access of
 * `SymbolSeries.candles` (then `priceRows` gives the rows the grid is built from).
 */
function layOut(
  info: SymbolInfo,
  candles: readonly Candle[] | (() => readonly Candle[]),
  priceRows: PriceRows | undefined,
  seg: { readonly firstOpenTime: number | null; readonly splits: readonly SegmentSplit[] },
  firstDayMs: number,
  nDays: number,
  out: DayMajor,
): SymbolSeries {
  const rows = priceRows ?? rowsOfCandles(candles as readonly Candle[]);
  const n = rows.length;
  const at = new Int32Array(nDays).fill(-1);
  const atOrBefore = new Int32Array(nDays).fill(-1);
  const given = rows.columns;
  const close = given ? given.close : new Float64Array(n);
  const openMantissa = given ? given.openMantissa : new Float64Array(n);
  const closeMantissa = given ? given.closeMantissa : new Float64Array(n);
  const segmentStart = new Int32Array(n);
  const splitOn = new Map<number, SegmentSplit>();
  const splitDays = seg.splits.map((s) => Math.round((s.dayMs - firstDayMs) / DAY_MS));
  seg.splits.forEach((s, j) => {
    splitOn.set(splitDays[j] as number, s);
  });
  const first = seg.firstOpenTime ?? (n > 0 ? rows.openTimeAt(0) : firstDayMs);
  // §2 segment start of each candle: the latest split day <= its day (splits before the grid included),
  // else the series' first open time (possibly before the grid: a negative day index).
  let start = Math.round((first - firstDayMs) / DAY_MS);
  let nextSplit = 0;
  let prevDay = -1;
  const { column, width, closeByDay, segmentByDay } = out;
  for (let k = 0; k < n; k++) {
    const openTime = rows.openTimeAt(k);
    const d = Math.round((openTime - firstDayMs) / DAY_MS);
    if (d < 0 || d >= nDays) throw new RangeError(`${info.symbol}: candle ${openTime} outside the day grid`);
    at[d] = k;
    for (let j = prevDay + 1; j < d; j++) atOrBefore[j] = k - 1;
    atOrBefore[d] = k;
    prevDay = d;
    while (nextSplit < splitDays.length && (splitDays[nextSplit] as number) <= d)
      start = splitDays[nextSplit++] as number;
    segmentStart[k] = start;
    if (!given) {
      const closeText = rows.closeAt(k);
      const openText = rows.openAt(k);
      const cl = Number(closeText);
      close[k] = cl;
      closeMantissa[k] = priceMantissa8(closeText, cl);
      openMantissa[k] = priceMantissa8(openText, Number(openText));
    }
    closeByDay[d * width + column] = close[k] as number;
    segmentByDay[d * width + column] = start;
  }
  for (let j = prevDay + 1; j < nDays; j++) atOrBefore[j] = n - 1;
  const common = {
    info,
    closeText: (k: number): string => rows.closeAt(k),
    splits: seg.splits,
    firstOpenTime: seg.firstOpenTime,
    at,
    atOrBefore,
    close,
    openMantissa,
    closeMantissa,
    segmentStart,
    splitOn,
  };
  if (typeof candles !== 'function') return { ...common, candles };
  let built: readonly Candle[] | undefined;
  return {
    ...common,
    get candles(): readonly Candle[] {
      built ??= candles();
      return built;
    },
  };
}
