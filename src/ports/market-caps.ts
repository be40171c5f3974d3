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
  /** Where the caps come from, for messages (e.g. `bundled CoinMarketCap monthly top-200 (data/marketcap/…)`). */
  readonly source?: string;
  /**
   * The caps in force on day `dayMs` (00:00 UTC ms): the tickers of the latest snapshot dated `<= dayMs`
   * when it is at most `maxAgeDays` old (45 in §4), else an empty map; where one snapshot lists a ticker
   * twice, the larger cap. A ticker absent from that snapshot is absent from the map.
   */
  capsAt(dayMs: number, maxAgeDays: number): Promise<ReadonlyMap<string, MarketCapObservation>>;
}
