import type { MarketCapObservation } from '../domain/types.ts';

export type { MarketCapObservation } from '../domain/types.ts';

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
