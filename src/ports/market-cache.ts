import type { Candle } from '../domain/types.ts';

/** What is known of a symbol's listing time. */
export interface ListingInfo {
  /** Open time of the first daily candle (UTC ms), when a request reached it. */
  readonly firstOpenTime: number | null;
  /** The symbol had a daily candle at this time (UTC ms): listed at least this long ago. */
  readonly listedBefore: number | null;
}

/**
 * A persistent cache of closed klines and listing times fetched from an exchange, so that later runs
 * fetch only what is new. Implementation: `adapters/postgres/market-cache.ts` (same database as the ledger).
 * `source` separates exchanges (e.g. `testnet.binance.vision`, `127.0.0.1:43121`).
 */
export interface MarketCache {
  /** Cached daily candles of `symbols` with open time in `[fromMs, toMs]`, ascending, by symbol. */
  dailyCandles(
    source: string,
    symbols: readonly string[],
    fromMs: number,
    toMs: number,
  ): Promise<Map<string, Candle[]>>;
  /** Stores closed daily candles (existing ones are replaced). */
  saveDailyCandles(
    source: string,
    rows: readonly { symbol: string; candles: readonly Candle[] }[],
  ): Promise<void>;
  /** Every cached listing of `source`, by symbol. */
  listings(source: string): Promise<Map<string, ListingInfo>>;
  /** Stores listing knowledge (an exact first open time wins over a bound). */
  saveListings(source: string, rows: readonly ({ symbol: string } & ListingInfo)[]): Promise<void>;
}
