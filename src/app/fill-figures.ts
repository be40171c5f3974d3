/**
 * The figures of one fill as the results files write them (snake_case keys): the backtest's trades
 * (BacktestTrade) and a rebalance's fills (FillReport).
 */

/** One fill: decimal strings, quote asset per base for the price. */
export interface FillFigures {
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  /** Base quantity, decimal string. */
  readonly quantity: string;
  /** Fill price, quote per base, decimal string. */
  readonly price: string;
  /** `quantity × price`, decimal string. */
  readonly quote_quantity: string;
  readonly commission: string;
  readonly commission_asset: string;
}
