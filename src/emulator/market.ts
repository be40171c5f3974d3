/**
 * The emulator's market: which symbols exist at a time `t`, their filters, their price at `t`, and the
 * klines / rolling statistics / synthetic order book the market-data endpoints serve — all derived from
 * the project's dataset (`adapters/data/bundled-dataset.ts`: daily klines and exchangeInfo snapshots)
 * plus hourly klines where the data directory has them (`hourly-klines.ts`). Nothing after `t` is ever
 * served. Prices are in the quote asset (USDT) per base unit; times are UTC ms. See docs/emulator.md.
 */
import type { Dataset } from '../adapters/data/bundled-dataset.ts';
import type { ExchangeFilter } from '../adapters/data/exchange-info.ts';
import { type Decimal, dec, floorStep, ZERO } from '../domain/decimal.ts';
import { lowerBound } from '../domain/series.ts';
import { DAY_MS, startOfDayMs } from '../domain/time.ts';
import type { Candle, SymbolRules } from '../domain/types.ts';
import { fmt8, fmtDown8 } from './format.ts';
import { HOUR_MS, type HourlyKlines } from './hourly-klines.ts';
import type { PathBar } from './stop-trigger.ts';

/** The only quote asset the emulator serves (strategy-semantics.md §4 filter 1; the bundled data is USDT-only). */
export const QUOTE_ASSET = 'USDT';

/** A symbol the emulator serves: a real dataset symbol or a synthetic replica of one. */
export interface MarketSymbol {
  /** Served name, e.g. `BTCUSDT` or the replica `BTCR1USDT`. */
  readonly symbol: string;
  /** The dataset symbol whose candles and filters it uses (itself for a real symbol). */
  readonly source: string;
  /** 0 for a real symbol, k ≥ 1 for replica k (synthetic, for load tests only). */
  readonly replica: number;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /**
   * The exchangeInfo filters served, unchanged from the newest bundled snapshot listing the source
   * symbol, else {@link defaultFilters}.
   */
  readonly filters: readonly ExchangeFilter[];
  /** The §6 order-sizing rules (`Dataset.rulesOf` of the source, renamed) the fill model uses. */
  readonly rules: SymbolRules;
  /** Open time of the first daily candle (UTC ms); the symbol is listed from that day on. */
  readonly firstOpenTime: number;
}

/** `TRADING` (a daily candle exists on day(t)) or `BREAK` (listed but no candle on day(t)). */
export type SymbolStatus = 'TRADING' | 'BREAK';

/**
 * Filters of a symbol no bundled snapshot lists (docs/emulator.md; consistent with strategy-semantics.md
 * §6: a step of 1e-8 equals "round down to 8 decimals", minNotional 10).
 */
export function defaultFilters(): ExchangeFilter[] {
  const step = '0.00000001';
  /** The largest quantity and notional Binance's filters list: no practical bound. */
  const unbounded = '9000000000.00000000';
  const lot = { minQty: step, maxQty: unbounded, stepSize: step };
  return [
    { filterType: 'PRICE_FILTER', minPrice: step, maxPrice: '1000000.00000000', tickSize: step },
    { filterType: 'LOT_SIZE', ...lot },
    { filterType: 'MARKET_LOT_SIZE', ...lot },
    {
      filterType: 'NOTIONAL',
      minNotional: '10.00000000',
      applyMinToMarket: true,
      maxNotional: unbounded,
      applyMaxToMarket: false,
      avgPriceMins: 5,
    },
  ];
}

/** The 12-element kline row of rest-api.md "Kline/Candlestick data". */
export type KlineRow = [
  number,
  string,
  string,
  string,
  string,
  string,
  number,
  string,
  number,
  string,
  string,
  string,
];

/** How an interval is served: not at all (no data that fine), from hourly or from daily candles. */
interface IntervalSpec {
  readonly base: 'none' | 'hour' | 'day';
  /** Bucket of the interval containing `t`: [start, end). */
  bucket(t: number): { start: number; end: number };
  /** Upper bound of one bucket's length (for range estimates). */
  readonly maxLen: number;
}

const fixed =
  (len: number, offset = 0) =>
  (t: number) => {
    const start = Math.floor((t - offset) / len) * len + offset;
    return { start, end: start + len };
  };
const month = (t: number) => {
  const d = new Date(t);
  return {
    start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
    end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  };
};
const none = (len: number): IntervalSpec => ({ base: 'none', bucket: fixed(len), maxLen: len });

/**
 * Kline intervals (rest-api.md "Kline/Candlestick data", case-sensitive). 3d buckets are aligned to the
 * Unix epoch, 1w to Monday 00:00 UTC, 1M to the calendar month (UTC).
 */
export const INTERVALS: ReadonlyMap<string, IntervalSpec> = new Map<string, IntervalSpec>([
  ['1s', none(1000)],
  ['1m', none(60_000)],
  ['3m', none(180_000)],
  ['5m', none(300_000)],
  ['15m', none(900_000)],
  ['30m', none(1_800_000)],
  ...[1, 2, 4, 6, 8, 12].map((h): [string, IntervalSpec] => [
    `${h}h`,
    { base: 'hour', bucket: fixed(h * HOUR_MS), maxLen: h * HOUR_MS },
  ]),
  ['1d', { base: 'day', bucket: fixed(DAY_MS), maxLen: DAY_MS }],
  ['3d', { base: 'day', bucket: fixed(3 * DAY_MS), maxLen: 3 * DAY_MS }],
  // 1970-01-05 (4 days after the epoch, a Thursday) is the first Monday.
  ['1w', { base: 'day', bucket: fixed(7 * DAY_MS, 4 * DAY_MS), maxLen: 7 * DAY_MS }],
  ['1M', { base: 'day', bucket: month, maxLen: 31 * DAY_MS }],
]);

/** Rolling statistics over a window (rest-api.md "24hr ticker" / "Rolling window price change statistics"). */
export interface WindowStats {
  readonly openPrice: Decimal;
  readonly highPrice: Decimal;
  readonly lowPrice: Decimal;
  readonly lastPrice: Decimal;
  /** Close of the last candle that ended at or before the window start (zero when none). */
  readonly prevClosePrice: Decimal;
  /** Base volume, quote volume (volume × close where the data has none, §4 rule 6) and trade count. */
  readonly volume: Decimal;
  readonly quoteVolume: Decimal;
  readonly count: number;
}

/** One synthetic order book (rest-api.md "Order book"). */
export interface Depth {
  readonly lastUpdateId: number;
  readonly bids: [string, string][];
  readonly asks: [string, string][];
}

/** Quote volume of a candle: its `quoteVolume`, or `volume × close` where the data has none (§4 rule 6). */
function quoteVolumeOf(c: Candle): Decimal {
  return c.quoteVolume !== null ? dec(c.quoteVolume) : dec(c.volume).times(dec(c.close));
}

const maxD = (a: Decimal, b: Decimal) => (a.gt(b) ? a : b);
const minD = (a: Decimal, b: Decimal) => (a.lt(b) ? a : b);

/** A candle with decimal fields (after partial scaling). */
interface Bar {
  readonly openTime: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  readonly quoteVolume: Decimal;
  readonly trades: number;
}

/** Options of {@link EmulatorMarket}. */
export interface EmulatorMarketOptions {
  /** Pad the TRADING universe at `startMs` to at least this many symbols with replicas. */
  readonly symbols?: number;
  /** The emulator clock at start (UTC ms): replicas are chosen from the symbols TRADING then. */
  readonly startMs: number;
}

/** The market the emulator serves (see the module comment). */
export class EmulatorMarket {
  private readonly bySymbol = new Map<string, MarketSymbol>();
  private readonly sorted: readonly MarketSymbol[];
  /** Daily candle (or null) by `source|day`: the lookups behind every price and status. */
  private readonly dailyCache = new Map<string, Candle | null>();
  /** Number of replica symbols added by `symbols` padding. */
  readonly replicaCount: number;

  /**
   * @param dataset the loaded dataset (daily klines, exchangeInfo snapshots).
   * @param hourly hourly klines of the same data directory (may be empty).
   */
  constructor(
    private readonly dataset: Dataset,
    private readonly hourly: HourlyKlines,
    opts: EmulatorMarketOptions,
  ) {
    const real: MarketSymbol[] = [];
    for (const info of dataset.symbolList()) {
      if (info.quoteAsset !== QUOTE_ASSET) continue;
      // segmentInfoOf reads open times only (no candle is built): cheap for every symbol at start.
      const first = dataset.segmentInfoOf(info.symbol).firstOpenTime;
      if (first === null) continue;
      real.push({
        symbol: info.symbol,
        source: info.symbol,
        replica: 0,
        baseAsset: info.baseAsset,
        quoteAsset: info.quoteAsset,
        filters: this.snapshotFilters(info.symbol) ?? defaultFilters(),
        rules: dataset.rulesOf(info.symbol),
        firstOpenTime: first,
      });
    }
    for (const s of real) this.bySymbol.set(s.symbol, s);
    // Replicas (docs/emulator.md "Replica symbols"): replica k of <BASE>USDT is <BASE>R<k>USDT.
    const want = opts.symbols ?? 0;
    const trading = real.filter((s) => this.status(s, opts.startMs) === 'TRADING');
    let count = trading.length;
    let replicas = 0;
    for (let k = 1; count < want && trading.length > 0; k++) {
      for (const s of trading) {
        if (count >= want) break;
        const base = `${s.baseAsset}R${k}`;
        const name = `${base}${s.quoteAsset}`;
        if (this.bySymbol.has(name)) continue;
        this.bySymbol.set(name, {
          ...s,
          symbol: name,
          replica: k,
          baseAsset: base,
          rules: { ...s.rules, symbol: name },
        });
        count++;
        replicas++;
      }
    }
    this.replicaCount = replicas;
    this.sorted = [...this.bySymbol.values()].sort((a, b) =>
      a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0,
    );
  }

  private snapshotFilters(symbol: string): ExchangeFilter[] | null {
    for (const snap of this.dataset.snapshots) {
      const s = snap.symbols.get(symbol);
      if (s) return [...s.filters];
    }
    return null;
  }

  /** The symbol named `name` (listed or not at any time), or undefined. */
  symbol(name: string): MarketSymbol | undefined {
    return this.bySymbol.get(name);
  }

  /** True when `s` is listed at `t`: its first daily candle opened on or before day(t). */
  isListed(s: MarketSymbol, t: number): boolean {
    return s.firstOpenTime <= startOfDayMs(t);
  }

  /** Every symbol listed at `t` (TRADING and BREAK), sorted by name. */
  listed(t: number): MarketSymbol[] {
    const day = startOfDayMs(t);
    return this.sorted.filter((s) => s.firstOpenTime <= day);
  }

  /** The daily candle of `s` on day(t), if any. */
  private dailyAt(s: MarketSymbol, t: number): Candle | undefined {
    const day = startOfDayMs(t);
    const key = `${s.source}|${day}`;
    let hit = this.dailyCache.get(key);
    if (hit === undefined) {
      if (this.dailyCache.size > 100_000) this.dailyCache.clear();
      hit = this.dataset.candlesBetween(s.source, day, day)[0] ?? null;
      this.dailyCache.set(key, hit);
    }
    return hit ?? undefined;
  }

  /** `TRADING` when `s` has a daily candle on day(t), else `BREAK`. */
  status(s: MarketSymbol, t: number): SymbolStatus {
    return this.dailyAt(s, t) ? 'TRADING' : 'BREAK';
  }

  /**
   * The price of a TRADING symbol at `t`: the open of the hourly candle containing `t` where the data has
   * it, else the open of the daily candle of day(t) (docs/emulator.md "Clock and prices"); null when
   * `s` is not TRADING at `t`. This is the fill model's reference price (strategy-semantics.md §7).
   */
  tradingPrice(s: MarketSymbol, t: number): Decimal | null {
    const day = this.dailyAt(s, t);
    if (!day) return null;
    const h = this.hourAt(s, t);
    return dec(h ? h.open : day.open);
  }

  /**
   * The latest known price at `t`: {@link tradingPrice} when TRADING, else the close of the last daily
   * candle before day(t); null when there is none (not listed yet).
   */
  price(s: MarketSymbol, t: number): Decimal | null {
    const p = this.tradingPrice(s, t);
    if (p) return p;
    const c = this.dataset.candlesOf(s.source);
    const prev = c[lowerBound(c, startOfDayMs(t)) - 1];
    return prev ? dec(prev.close) : null;
  }

  /**
   * The candles behind the price of `s` that end after `from` and open at or before `to` (UTC ms), oldest
   * first: the hourly candles of each day that has some in the data directory, else the day's daily
   * candle; days without a daily candle (BREAK) have none. This is the price path resting stop orders
   * are checked against (docs/emulator.md "Stop orders").
   */
  pathBars(s: MarketSymbol, from: number, to: number): PathBar[] {
    const out: PathBar[] = [];
    if (to < from) return out;
    const days = this.dataset.candlesBetween(s.source, startOfDayMs(from), startOfDayMs(to));
    const hours = this.hourly.has(s.source) ? this.hourly.series(s.source) : [];
    const push = (c: Candle, len: number) => {
      if (c.openTime + len <= from || c.openTime > to) return;
      out.push({
        openTime: c.openTime,
        len,
        open: dec(c.open),
        high: dec(c.high),
        low: dec(c.low),
        close: dec(c.close),
      });
    };
    for (const d of days) {
      let i = lowerBound(hours, d.openTime);
      const n = out.length;
      for (; i < hours.length && (hours[i] as Candle).openTime < d.openTime + DAY_MS; i++) {
        push(hours[i] as Candle, HOUR_MS);
      }
      const hadHours = i > lowerBound(hours, d.openTime);
      if (!hadHours && out.length === n) push(d, DAY_MS);
    }
    return out;
  }

  private hourAt(s: MarketSymbol, t: number): Candle | undefined {
    if (!this.hourly.has(s.source)) return undefined;
    const c = this.hourly.series(s.source);
    const hour = Math.floor(t / HOUR_MS) * HOUR_MS;
    const hit = c[lowerBound(c, hour)];
    return hit && hit.openTime === hour ? hit : undefined;
  }

  /**
   * A candle as known at `t`: complete when it ended at or before `t`; else (the current candle) partial:
   * open = its open, close = the current price, high/low = max/min(open, current price), volume, quote
   * volume and trades scaled by the elapsed fraction `(t − openTime) / len` (docs/emulator.md).
   */
  private bar(s: MarketSymbol, c: Candle, len: number, t: number): Bar {
    const qv = quoteVolumeOf(c);
    if (c.openTime + len <= t) {
      return {
        openTime: c.openTime,
        open: dec(c.open),
        high: dec(c.high),
        low: dec(c.low),
        close: dec(c.close),
        volume: dec(c.volume),
        quoteVolume: qv,
        trades: c.trades ?? 0,
      };
    }
    const frac = dec(t - c.openTime).div(len);
    const open = dec(c.open);
    const p = this.tradingPrice(s, t) ?? open;
    return {
      openTime: c.openTime,
      open,
      high: maxD(open, p),
      low: minD(open, p),
      close: p,
      volume: dec(c.volume).times(frac),
      quoteVolume: qv.times(frac),
      trades: Math.floor((c.trades ?? 0) * frac.toNumber()),
    };
  }

  /**
   * Klines of `s` for `interval` as known at `t` (rest-api.md "Kline/Candlestick data"): candles with
   * openTime ≤ t; with `startTime` the oldest from it (openTime ≥ startTime), else the most recent;
   * openTime ≤ `endTime`; at most `limit`. 1h..12h come from hourly data (`[]` where there is none), 1d
   * from daily, 3d/1w/1M aggregated from daily, second/minute intervals are always `[]`.
   * @throws Error for an interval not in {@link INTERVALS} (the caller validates it first).
   */
  klines(
    s: MarketSymbol,
    interval: string,
    t: number,
    q: { startTime?: number; endTime?: number; limit: number },
  ): KlineRow[] {
    const spec = INTERVALS.get(interval);
    if (!spec) throw new Error(`unknown interval ${interval}`);
    if (spec.base === 'none') return [];
    const base = spec.base === 'hour' ? this.hourly.series(s.source) : this.dataset.candlesOf(s.source);
    const baseLen = spec.base === 'hour' ? HOUR_MS : DAY_MS;
    const hiTime = Math.min(t, q.endTime ?? t);
    if (q.startTime !== undefined && q.startTime > hiTime) return [];
    const lastBucket = spec.bucket(hiTime);
    const upper = Math.min(t, lastBucket.end - 1);
    const from = q.startTime !== undefined ? q.startTime : lastBucket.start - (q.limit + 1) * spec.maxLen;
    const lo = lowerBound(base, spec.bucket(from).start);
    const hi = lowerBound(base, upper + 1);
    const rows: KlineRow[] = [];
    let cur: { start: number; end: number; bars: Bar[] } | null = null;
    const flush = () => {
      if (!cur || cur.bars.length === 0) return;
      if (cur.start > hiTime || (q.startTime !== undefined && cur.start < q.startTime)) return;
      rows.push(aggregate(cur.start, cur.end, cur.bars));
    };
    for (let i = lo; i < hi; i++) {
      const c = base[i] as Candle;
      const b = spec.bucket(c.openTime);
      if (!cur || cur.start !== b.start) {
        flush();
        if (q.startTime !== undefined && rows.length >= q.limit) break;
        cur = { ...b, bars: [] };
      }
      cur.bars.push(this.bar(s, c, baseLen, t));
    }
    if (q.startTime === undefined || rows.length < q.limit) flush();
    return q.startTime !== undefined ? rows.slice(0, q.limit) : rows.slice(-q.limit);
  }

  /**
   * Statistics of `s` over the window `[from, to]` (UTC ms; `to` is the clock): base candles are hourly
   * where the data has them around `to`, else daily. Volume, quote volume and trades count each candle
   * by the fraction of it inside the window; high/low are over the candles wholly inside the window plus
   * the open and last prices; openPrice = price at `from`, lastPrice = price at `to` (docs/emulator.md).
   */
  windowStats(s: MarketSymbol, from: number, to: number): WindowStats {
    const useHourly = this.hourAt(s, to) !== undefined;
    // Daily: only the candles around the window are built (the day before `from` gives prevClosePrice).
    const base = useHourly
      ? this.hourly.series(s.source)
      : this.dataset.candlesBetween(s.source, from - 2 * DAY_MS, to);
    const len = useHourly ? HOUR_MS : DAY_MS;
    const last = this.price(s, to) ?? ZERO;
    const lo = lowerBound(base, from - len + 1);
    const hi = lowerBound(base, to + 1);
    // Price at `from` when TRADING then; else the open of the first candle in the window; else the last price.
    let open: Decimal | null = this.tradingPrice(s, from);
    let high = last;
    let low = last;
    let volume = ZERO;
    let quoteVolume = ZERO;
    let trades = 0;
    for (let i = lo; i < hi; i++) {
      const c = base[i] as Candle;
      const end = c.openTime + len;
      const overlap = Math.min(to, end) - Math.max(from, c.openTime);
      if (overlap <= 0) continue;
      if (open === null) open = dec(c.open);
      const b = this.bar(s, c, len, to);
      const inside = c.openTime >= from && end <= to;
      if (inside) {
        high = maxD(high, b.high);
        low = minD(low, b.low);
      }
      // A bar is already scaled to its elapsed part when it is the current one: its elapsed length is
      // min(len, to − openTime); the window keeps `overlap` of it.
      const elapsed = Math.min(len, to - c.openTime);
      const f = dec(overlap).div(elapsed);
      volume = volume.plus(b.volume.times(f));
      quoteVolume = quoteVolume.plus(b.quoteVolume.times(f));
      trades += b.trades * (overlap / elapsed);
    }
    const o = open ?? last;
    high = maxD(high, o);
    low = minD(low, o);
    let prev = base[lo - 1];
    if (!prev && !useHourly) {
      const all = this.dataset.candlesOf(s.source); // a gap of days before the window: search the series
      prev = all[lowerBound(all, from - len + 1) - 1];
    }
    return {
      openPrice: o,
      highPrice: high,
      lowPrice: low,
      lastPrice: last,
      prevClosePrice: prev && prev.openTime + len <= from ? dec(prev.close) : ZERO,
      volume,
      quoteVolume,
      count: Math.floor(trades),
    };
  }

  /**
   * A synthetic order book of `s` at `t` (docs/emulator.md "Order book"): with p the current price and
   * `tick` = PRICE_FILTER.tickSize (1e-8 when 0), the best bid is the largest multiple of tick below p and
   * the best ask the smallest above it (so bid < p < ask, each within one tick); further levels step by
   * one tick. Every level holds `floor_step(10000 / p)` base units (at least one step and minQty). Empty
   * for a symbol that is not TRADING. `lastUpdateId` = seconds of `t`. MARKET orders do not walk this
   * book: they fill at p (strategy-semantics.md §7).
   */
  depth(s: MarketSymbol, t: number, limit: number): Depth {
    const lastUpdateId = Math.floor(t / 1000);
    const p = this.tradingPrice(s, t);
    if (!p) return { lastUpdateId, bids: [], asks: [] };
    const { bid, ask, tick } = this.touch(s, p);
    const qty = fmt8(this.levelQty(s, p));
    const bids: [string, string][] = [];
    const asks: [string, string][] = [];
    for (let k = 0; k < limit; k++) {
      const b = bid.minus(tick.times(k));
      if (b.gt(0)) bids.push([fmt8(b), qty]);
      asks.push([fmt8(ask.plus(tick.times(k))), qty]);
    }
    return { lastUpdateId, bids, asks };
  }

  /** Best bid and ask around price p (see {@link depth}). */
  touch(s: MarketSymbol, p: Decimal): { bid: Decimal; ask: Decimal; tick: Decimal } {
    const tickStr = s.filters.find((f) => f.filterType === 'PRICE_FILTER')?.tickSize;
    const tick0 = typeof tickStr === 'string' ? dec(tickStr) : ZERO;
    const tick = tick0.gt(0) ? tick0 : dec('0.00000001');
    let bid = p.dividedToIntegerBy(tick).times(tick);
    if (bid.eq(p)) bid = bid.minus(tick);
    const ask = p.dividedToIntegerBy(tick).times(tick).plus(tick);
    return { bid, ask, tick };
  }

  /** Quantity of one synthetic book level at price p (see {@link depth}). */
  levelQty(s: MarketSymbol, p: Decimal): Decimal {
    const step = dec(s.rules.stepSize).gt(0) ? dec(s.rules.stepSize) : dec('0.00000001');
    const q = floorStep(dec(10_000).div(p), step);
    const min = maxD(step, dec(s.rules.minQty));
    return maxD(q, min);
  }
}

/** Aggregates the bars of one interval bucket into a rest-api.md kline row. */
function aggregate(start: number, end: number, bars: Bar[]): KlineRow {
  const first = bars[0] as Bar;
  const lastBar = bars[bars.length - 1] as Bar;
  let high = first.high;
  let low = first.low;
  let volume = ZERO;
  let quoteVolume = ZERO;
  let trades = 0;
  for (const b of bars) {
    high = maxD(high, b.high);
    low = minD(low, b.low);
    volume = volume.plus(b.volume);
    quoteVolume = quoteVolume.plus(b.quoteVolume);
    trades += b.trades;
  }
  return [
    start,
    fmt8(first.open),
    fmt8(high),
    fmt8(low),
    fmt8(lastBar.close),
    fmtDown8(volume),
    end - 1,
    fmtDown8(quoteVolume),
    trades,
    '0.00000000',
    '0.00000000',
    '0',
  ];
}
