/**
 * Domain value types shared by every layer. Prices are in quote asset per base unit, quantities in
 * base units, money in the quote asset; all times are UTC Unix milliseconds (strategy-semantics.md).
 * Ledger values (prices, quantities, cash, fees) are exact decimal strings; floats appear only in
 * scores and metrics.
 */

/** One day (or hour) of OHLCV as served by Binance `/api/v3/klines`, values as the source strings. */
export interface Candle {
  /** Candle open time, UTC ms (a daily candle for day D covers [D 00:00, D+1 00:00)). */
  readonly openTime: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  /** Base-asset volume. */
  readonly volume: string;
  /** Quote-asset volume; null where the source had none. */
  readonly quoteVolume: string | null;
  /** Number of trades; null where the source had none. */
  readonly trades: number | null;
}

/** A spot symbol as the exchange lists it. */
export interface SymbolInfo {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** Exchange status (`TRADING`, `BREAK`, …) where known (live); undefined for replayed history. */
  readonly status?: string;
}

/** The order-sizing rules of one symbol (strategy-semantics.md §6), decimals as strings. */
export interface SymbolRules {
  readonly symbol: string;
  /** MARKET_LOT_SIZE.stepSize if > 0, else LOT_SIZE.stepSize; "0" = round down to 8 decimals. */
  readonly stepSize: string;
  /** MARKET_LOT_SIZE.minQty if stepSize came from it, else LOT_SIZE.minQty. */
  readonly minQty: string;
  /** NOTIONAL.minNotional if applyMinToMarket, else MIN_NOTIONAL.minNotional if applyToMarket, else "0". */
  readonly minNotional: string;
  /** PRICE_FILTER.tickSize where known ("0" = none). */
  readonly tickSize: string;
  /** Where the rules came from, e.g. "exchangeInfo 2023-09-08" or "default (no snapshot lists it)". */
  readonly source: string;
}

/** BUY or SELL, as Binance spells it. */
export type Side = 'BUY' | 'SELL';

/** UTC calendar day as `YYYY-MM-DD`. */
export type IsoDay = string;

/** One asset balance, exact decimal strings. */
export interface Balance {
  readonly asset: string;
  readonly free: string;
  readonly locked: string;
}

/** One market-cap observation of an asset (USD, float: it is a filter input, not a ledger value). */
export interface MarketCapObservation {
  /** Ticker as the source spells it (CoinMarketCap symbol = Binance base asset for our purposes). */
  readonly ticker: string;
  /** Market capitalisation in USD. */
  readonly capUsd: number;
  /** The snapshot's day, 00:00 UTC ms. */
  readonly snapshotMs: number;
}
