/**
 * Port: the candles and last prices an intraday pass reads (strategy-semantics.md §12). Implementations:
 * `adapters/binance/intraday-klines.ts` (GET /api/v3/klines per symbol with new candles, GET
 * /api/v3/ticker/price once for all symbols) and `adapters/data/replay-intraday.ts` (the bundled hourly
 * klines at a replayed time).
 */
import type { Candle } from '../domain/types.ts';

/** Candles and prices of `[intraday] interval` at the pass time. */
export interface IntradayCandles {
  /** The pass time τ, UTC ms: the exchange's clock (live) or the replayed `--at` time. */
  now(): number;
  /**
   * Closed candles of `symbol` (open time + interval ≤ τ) with open time in `[fromMs, τ)`, ascending
   * (UTC ms, on the interval's grid). An unknown symbol yields `[]`.
   */
  closedCandles(symbol: string, fromMs: number): Promise<readonly Candle[]>;
  /**
   * The last price of each of `symbols` now, in ONE request (quote per base, decimal strings). A symbol
   * without a positive price is missing from the map.
   */
  lastPrices(symbols: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** Requests made so far (0 for replay). */
  requests(): number;
}
