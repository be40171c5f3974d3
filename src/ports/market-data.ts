import type { Candle, SymbolInfo, SymbolRules } from '../domain/types.ts';

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
  /** Order-sizing rules of `symbol` (strategy-semantics.md §6); never throws for an unknown symbol. */
  symbolRules(symbol: string): Promise<SymbolRules>;
  /** The first and last day (00:00 UTC ms) on which any daily candle exists. */
  coverage(): Promise<{ readonly firstDayMs: number; readonly lastDayMs: number }>;
}
