/** One market-cap observation of an asset (USD, float: it is a filter input, not a ledger value). */
export interface MarketCapObservation {
  /** Ticker as the source spells it (CoinMarketCap symbol = Binance base asset for our purposes). */
  readonly ticker: string;
  /** Market capitalisation in USD. */
  readonly capUsd: number;
  /** The snapshot's day, 00:00 UTC ms. */
  readonly snapshotMs: number;
}

/**
 * Market capitalisations (strategy-semantics.md §4 filter 7).
 * Implementations: `adapters/marketcap/bundled-snapshots` (CoinMarketCap monthly top-200), later CoinGecko.
 */
export interface MarketCaps {
  /**
   * The caps in force on day `dayMs` (00:00 UTC ms): for every ticker, the value in the latest snapshot
   * dated `<= dayMs` and at most `maxAgeDays` old (45 in §4); where one snapshot lists a ticker twice,
   * the larger cap. Tickers with no such snapshot are absent from the map.
   */
  capsAt(dayMs: number, maxAgeDays: number): Promise<ReadonlyMap<string, MarketCapObservation>>;
}
