import type { Candle, SymbolInfo, SymbolRules } from '../domain/types.ts';
import type { SegmentSplit } from '../domain/universe/segments.ts';

/**
 * Daily market data for the universe (replayed history, or Binance through an adapter).
 * Implementations: `adapters/data` (bundled dataset), later `adapters/binance`.
 */
export interface MarketData {
  /** Every symbol the source has daily history for (delisted ones included), sorted by symbol. */
  symbols(): Promise<readonly SymbolInfo[]>;
  /**
   * Daily candles of `symbol` whose open time lies in `[fromMs, toMs]` (UTC ms, inclusive), ascending.
   * An unknown symbol yields `[]`.
   */
  dailyCandles(symbol: string, fromMs: number, toMs: number): Promise<readonly Candle[]>;
  /**
   * The open time of the symbol's first daily candle (UTC ms; null when it has none) and the §2 segment
   * splits of its whole daily series, oldest first (strategy-semantics.md §2).
   */
  segmentInfo(symbol: string): Promise<SegmentInfo>;
  /** Order-sizing rules of `symbol` (strategy-semantics.md §6); never throws for an unknown symbol. */
  symbolRules(symbol: string): Promise<SymbolRules>;
  /** The first and last day (00:00 UTC ms) on which any daily candle exists. */
  coverage(): Promise<{ readonly firstDayMs: number; readonly lastDayMs: number }>;
  /**
   * Live sources only: the last price of every symbol now (decimal strings by symbol), used as the
   * decision price instead of the open of D. Absent for replayed history.
   * @param required symbols that must have a positive price (those the run trades or values): a missing
   *   one or a price ≤ 0 throws an error naming the endpoint, the symbol and the field.
   */
  currentPrices?(required?: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /**
   * Live sources only: the exchange clock the current day was taken from, and its measured offset from
   * the local clock, to refuse a run whose clock disagrees with the exchange near a period boundary.
   */
  exchangeClock?(): Promise<ExchangeClock>;
}

/** The exchange's clock as a live source measured it (see `MarketData.exchangeClock`). */
export interface ExchangeClock {
  /** The exchange's server time when the source took its day, UTC ms. */
  readonly serverTimeMs: number;
  /** The UTC day (00:00 ms) of `serverTimeMs`: the source's current day (`coverage().lastDayMs`). */
  readonly dayMs: number;
  /** Exchange server time − local clock, ms (positive: the local clock is behind). */
  readonly offsetMs: number;
}

/** Listing time and token-swap splits of one symbol's daily series. */
export interface SegmentInfo {
  readonly firstOpenTime: number | null;
  readonly splits: readonly SegmentSplit[];
}
