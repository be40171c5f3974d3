/**
 * The market-data port over Binance spot REST ({@link BinanceRest}) with a persistent kline cache
 * ({@link MarketCache}, Postgres): exchangeInfo (status, filters), closed daily klines fetched
 * incrementally, listing age from the first daily candle, current prices and 24h statistics.
 *
 * Request plan for a rebalance at day D (D = the exchange's UTC day; the candle of D is unfinished and
 * never cached), per symbol asked for: nothing when the cache already holds every closed candle of the
 * window; else ONE `GET /api/v3/klines` (weight 2) ending at D−1 with
 * `limit = max(days asked, minHistoryDays)` — or starting after the last cached candle. A response
 * shorter than its limit reached the symbol's first candle: its listing time is then known exactly and
 * cached; a full one proves the symbol was listed at least `limit` days ago, which is all the
 * `too_young` filter needs (strategy-semantics.md §4 rule 4) — so a cold run costs one request per symbol.
 * Requests for one window are batched (one cache query, then fetches `concurrency` at a time, then one
 * cache write).
 */
import type { Logger } from 'pino';
import { dec } from '../../domain/decimal.ts';
import { DAY_MS } from '../../domain/time.ts';
import type { Candle, SymbolInfo, SymbolRules } from '../../domain/types.ts';
import { findSegmentSplits } from '../../domain/universe/segments.ts';
import type { ListingInfo, MarketCache } from '../../ports/market-cache.ts';
import type { ExchangeClock, MarketData, SegmentInfo } from '../../ports/market-data.ts';
import { defaultRules, rulesFromSymbol } from '../data/exchange-info.ts';
import type { BinanceRest } from './binance-rest.ts';
import { checkPositivePrice, invalidResponse } from './response-checks.ts';
import { candleOfRow, type ExchangeInfoResponse } from './schemas.ts';

/** Options of {@link BinanceMarketData}. */
export interface BinanceMarketDataOptions {
  readonly rest: BinanceRest;
  readonly cache: MarketCache;
  /** Cache key of the exchange, e.g. `testnet.binance.vision` or `127.0.0.1:43121`. */
  readonly source: string;
  /** Only symbols of this quote asset are served (§4 rule 1 applied at the source). */
  readonly quoteAsset: string;
  /** Days of history a cold fetch asks for at least: `max(lookback_days + 2, min_age_days + 1)`. */
  readonly minHistoryDays: number;
  /** Kline requests in flight at once. */
  readonly concurrency: number;
  readonly logger: Logger;
}

interface Batch {
  readonly fromMs: number;
  readonly toMs: number;
  readonly symbols: Set<string>;
  readonly result: Promise<Map<string, Candle[]>>;
}

/** Binance market data with a kline cache; see the module comment. */
export class BinanceMarketData implements MarketData {
  private infoPromise: Promise<ExchangeInfoResponse> | null = null;
  private todayPromise: Promise<number> | null = null;
  private listingsPromise: Promise<Map<string, ListingInfo>> | null = null;
  /** Candles served so far, by symbol (whatever windows were asked for). */
  private readonly served = new Map<string, Candle[]>();
  private pending: Batch | null = null;
  /** The window each symbol's served candles are complete for. */
  private readonly loaded = new Map<string, { from: number; to: number }>();
  private fetched = 0;

  constructor(private readonly opts: BinanceMarketDataOptions) {}

  /** Kline requests sent by this instance. */
  klineRequests(): number {
    return this.fetched;
  }

  /** The exchange's current UTC day (00:00 ms), from exchangeInfo's `serverTime` (fetched once). */
  today(): Promise<number> {
    this.todayPromise ??= this.exchangeInfo().then((info) => info.serverTime - (info.serverTime % DAY_MS));
    return this.todayPromise;
  }

  /**
   * The exchange clock this instance trades by (issue 14 item 4): `serverTimeMs` of the exchangeInfo
   * answer that set {@link today} (UTC ms), `dayMs` = its UTC day, and `offsetMs` = exchange server time −
   * local clock as measured by the client (`GET /api/v3/time` or that answer's `serverTime`, at the
   * midpoint of the round trip; rest-api.md "Timing security"). A use case refuses when |offsetMs| is
   * more than its tolerance near a period boundary: the local clock then disagrees with the exchange
   * about which day it is.
   */
  async exchangeClock(): Promise<ExchangeClock> {
    const info = await this.exchangeInfo();
    return {
      serverTimeMs: info.serverTime,
      dayMs: await this.today(),
      offsetMs: this.opts.rest.clockOffset().offsetMs,
    };
  }

  /** `GET /api/v3/exchangeInfo`, once per instance. */
  exchangeInfo(): Promise<ExchangeInfoResponse> {
    this.infoPromise ??= this.opts.rest.exchangeInfo();
    return this.infoPromise;
  }

  /** Symbols of the quote asset with their status (`TRADING`, `BREAK`, …), sorted. */
  async symbols(): Promise<readonly SymbolInfo[]> {
    const info = await this.exchangeInfo();
    return info.symbols
      .filter((s) => s.quoteAsset === this.opts.quoteAsset)
      .map((s) => ({ symbol: s.symbol, baseAsset: s.baseAsset, quoteAsset: s.quoteAsset, status: s.status }))
      .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  /** Filters of `symbol` per strategy-semantics §6 (exchangeInfo of now); §6 defaults when unlisted. */
  async symbolRules(symbol: string): Promise<SymbolRules> {
    const info = await this.exchangeInfo();
    const s = info.symbols.find((x) => x.symbol === symbol);
    if (!s) return defaultRules(symbol);
    return rulesFromSymbol(
      {
        symbol: s.symbol,
        baseAsset: s.baseAsset,
        quoteAsset: s.quoteAsset,
        status: s.status,
        filters: s.filters,
      },
      `exchangeInfo ${new Date(info.serverTime).toISOString().slice(0, 10)} (live)`,
    );
  }

  /** First day: unknown (0); last day: the exchange's current UTC day. */
  async coverage(): Promise<{ readonly firstDayMs: number; readonly lastDayMs: number }> {
    return { firstDayMs: 0, lastDayMs: await this.today() };
  }

  /**
   * Closed daily candles of `symbol` in `[fromMs, toMs]` (the unfinished candle of today is never
   * returned). Calls made in the same tick for the same window are served by one batch.
   */
  async dailyCandles(symbol: string, fromMs: number, toMs: number): Promise<readonly Candle[]> {
    const today = await this.today();
    const lastClosed = Math.min(toMs - (toMs % DAY_MS), today - DAY_MS);
    if (lastClosed < fromMs) return [];
    const loaded = this.loaded.get(symbol);
    if (loaded && loaded.from <= fromMs && loaded.to >= lastClosed) {
      // Already served for a window that contains this one (e.g. a held symbol asked for again).
      return (this.served.get(symbol) ?? []).filter((c) => c.openTime >= fromMs && c.openTime <= toMs);
    }
    let batch = this.pending;
    if (!batch || batch.fromMs !== fromMs || batch.toMs !== lastClosed) {
      const symbols = new Set<string>();
      const b: Batch = {
        fromMs,
        toMs: lastClosed,
        symbols,
        // Runs after the current tick, once every caller of this tick has added its symbol.
        result: new Promise<void>((r) => setImmediate(r)).then(() => {
          if (this.pending === b) this.pending = null;
          return this.loadWindow([...symbols], fromMs, lastClosed);
        }),
      };
      this.pending = b;
      batch = b;
    }
    batch.symbols.add(symbol);
    const all = (await batch.result).get(symbol) ?? [];
    return all.filter((c) => c.openTime >= fromMs && c.openTime <= toMs);
  }

  /**
   * Listing time and §2 splits: the first candle's open time when known exactly, else the "listed on or
   * before" bound (the oldest candle seen): enough for `too_young`, see the module comment — the
   * reported `age_days` is then a lower bound. Splits of the candles served so far.
   */
  async segmentInfo(symbol: string): Promise<SegmentInfo> {
    const listings = await this.listings();
    const l = listings.get(symbol);
    const candles = this.served.get(symbol) ?? [];
    const bound = Math.min(l?.listedBefore ?? Infinity, candles[0]?.openTime ?? Infinity);
    return {
      firstOpenTime: l?.firstOpenTime ?? (bound === Infinity ? null : bound),
      splits: findSegmentSplits(candles),
    };
  }

  /**
   * Last prices of every symbol (`GET /api/v3/ticker/price`, weight 4), decimal strings by symbol.
   * Every symbol of `required` must be in the answer with a positive price. Any other symbol's price
   * ≤ 0 is not an error here: a TRADING symbol's is returned as it is (the caller validates the
   * symbols it will trade, inside its run, so the run is recorded failed with the value that was
   * wrong), a non-TRADING symbol's is left out of the map (it has no price).
   * @throws ExchangeError (`invalid_response`) naming `GET /api/v3/ticker/price`, the symbol and the
   *   field (`price`, or `symbol` for one missing from the list).
   */
  async currentPrices(required: readonly string[] = []): Promise<ReadonlyMap<string, string>> {
    const ep = 'GET /api/v3/ticker/price';
    const [rows, info] = await Promise.all([this.opts.rest.tickerPrices(), this.exchangeInfo()]);
    const trading = new Set(info.symbols.filter((s) => s.status === 'TRADING').map((s) => s.symbol));
    const out = new Map<string, string>();
    for (const r of rows) {
      if (trading.has(r.symbol) || dec(r.price).gt(0)) out.set(r.symbol, r.price);
    }
    const listed = new Map(rows.map((r) => [r.symbol, r.price]));
    for (const symbol of required) {
      const price = listed.get(symbol);
      if (price === undefined) {
        throw invalidResponse(ep, symbol, 'symbol', `no price for ${symbol} in a list of ${rows.length}`);
      }
      checkPositivePrice(price, ep, symbol, 'price');
    }
    return out;
  }

  /** 24h statistics of every symbol (`GET /api/v3/ticker/24hr`, weight 80): last price, volumes. */
  async ticker24h(): Promise<
    ReadonlyMap<string, { lastPrice: string; volume: string; quoteVolume: string }>
  > {
    const rows = await this.opts.rest.ticker24h();
    return new Map(
      rows.map((r) => [r.symbol, { lastPrice: r.lastPrice, volume: r.volume, quoteVolume: r.quoteVolume }]),
    );
  }

  // ---- internals ----------------------------------------------------------------------------------

  private listings(): Promise<Map<string, ListingInfo>> {
    this.listingsPromise ??= this.opts.cache.listings(this.opts.source);
    return this.listingsPromise;
  }

  private async loadWindow(symbols: string[], fromMs: number, toMs: number): Promise<Map<string, Candle[]>> {
    const { cache, source, rest, minHistoryDays } = this.opts;
    const [cached, listings] = await Promise.all([
      cache.dailyCandles(source, symbols, fromMs, toMs),
      this.listings(),
    ]);
    const todo: { symbol: string; startTime?: number; limit: number }[] = [];
    // A cold fetch covers [historyFrom, toMs]: enough to know that a symbol is at least min_age_days old.
    const historyFrom = toMs - (minHistoryDays - 1) * DAY_MS;
    for (const symbol of symbols) {
      const have = cached.get(symbol) ?? [];
      const last = have.at(-1);
      const listing = listings.get(symbol);
      const listedAt = listing?.firstOpenTime ?? null;
      if (listedAt !== null && listedAt > toMs) continue; // not listed yet
      // The listing is known well enough for D: exactly, or a bound (or a cached candle) old enough.
      const bound = Math.min(listing?.listedBefore ?? Infinity, have[0]?.openTime ?? Infinity);
      const listingKnown = listedAt !== null || bound <= historyFrom;
      if (last && last.openTime >= toMs && listingKnown) continue; // complete up to the last closed day
      if (last && last.openTime >= fromMs && listingKnown) {
        // Incremental: only the days after the last cached candle.
        todo.push({
          symbol,
          startTime: last.openTime + DAY_MS,
          limit: Math.min(1000, (toMs - last.openTime) / DAY_MS),
        });
      } else {
        const days = (toMs - fromMs) / DAY_MS + 1;
        todo.push({ symbol, limit: Math.min(1000, Math.max(days, minHistoryDays)) });
      }
    }
    const fresh: { symbol: string; candles: Candle[] }[] = [];
    const newListings: ({ symbol: string } & ListingInfo)[] = [];
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const job = todo[next++] as (typeof todo)[number];
        const rows = await rest.klines(job.symbol, '1d', {
          ...(job.startTime !== undefined ? { startTime: job.startTime } : {}),
          endTime: toMs + DAY_MS - 1,
          limit: job.limit,
        });
        this.fetched += 1;
        const candles: Candle[] = rows.filter((r) => r[0] <= toMs).map(candleOfRow);
        // Only the window asked for is cached (the older candles of a cold fetch only prove the age).
        fresh.push({ symbol: job.symbol, candles: candles.filter((c) => c.openTime >= fromMs) });
        if (job.startTime === undefined && candles.length > 0) {
          const first = (candles[0] as Candle).openTime;
          newListings.push(
            rows.length < job.limit
              ? { symbol: job.symbol, firstOpenTime: first, listedBefore: null }
              : { symbol: job.symbol, firstOpenTime: null, listedBefore: first },
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency, todo.length) }, worker));
    if (fresh.length > 0) {
      await cache.saveDailyCandles(source, fresh);
      await cache.saveListings(source, newListings);
      for (const l of newListings) {
        const old = listings.get(l.symbol);
        listings.set(l.symbol, {
          firstOpenTime: l.firstOpenTime ?? old?.firstOpenTime ?? null,
          listedBefore: l.listedBefore ?? old?.listedBefore ?? null,
        });
      }
      this.opts.logger.debug({ symbols: fresh.length, requests: todo.length }, 'klines fetched and cached');
    }
    const freshBySymbol = new Map(fresh.map((f) => [f.symbol, f.candles]));
    const out = new Map<string, Candle[]>();
    for (const symbol of symbols) {
      const byTime = new Map<number, Candle>();
      for (const c of cached.get(symbol) ?? []) byTime.set(c.openTime, c);
      for (const c of freshBySymbol.get(symbol) ?? []) byTime.set(c.openTime, c);
      const list = [...byTime.values()].sort((a, b) => a.openTime - b.openTime);
      out.set(symbol, list);
      const seen = this.served.get(symbol) ?? [];
      const merged = new Map<number, Candle>([...seen, ...list].map((c) => [c.openTime, c]));
      this.loaded.set(symbol, { from: fromMs, to: toMs });
      this.served.set(
        symbol,
        [...merged.values()].sort((a, b) => a.openTime - b.openTime),
      );
    }
    return out;
  }
}
