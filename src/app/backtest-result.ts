/**
 * The results JSON of `npm run backtest -- --out FILE.json` (a contract: issue "Backtests over real
 * history", strategy-semantics.md §9). Equity and metrics are numbers (floats); quantities, prices and
 * commissions are exact decimal strings. Keys are snake_case as written to the file.
 */

import type { DatedEquity, PerformanceMetrics } from '../domain/metrics/performance.ts';
import type { FillFigures } from './fill-figures.ts';

/**
 * Performance metrics of one equity series (strategy-semantics.md §9): the domain's
 * {@link PerformanceMetrics}, field by field as written to the results file.
 */
export type BacktestMetrics = PerformanceMetrics;

/** One point of the daily equity curve: close-of-day equity in the quote asset (UTC day `YYYY-MM-DD`). */
export type EquityPoint = DatedEquity;

/** One fill of the backtest, on the UTC day `date` (YYYY-MM-DD). */
export interface BacktestTrade extends FillFigures {
  readonly date: string;
}

/** An order the simulated exchange refused (§7). */
export interface BacktestRejection {
  readonly date: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  /** `zero_quantity`, `min_qty`, `min_notional`, `no_price`, `insufficient_balance`. */
  readonly reason: string;
}

/** One intraday exit (strategy-semantics.md §10): a SELL of a whole position between rebalances. */
export interface BacktestExit {
  /** Open time of the hourly bar it filled in, ISO 8601 UTC (e.g. `2021-05-19T13:00:00.000Z`). */
  readonly time: string;
  readonly symbol: string;
  /** `stop_loss`, `trailing_stop`, `take_profit`, `signal`, `daily_loss` or `max_drawdown`. */
  readonly reason: string;
  /** The level that fired (S or T), quote per base, decimal string; null for an exit at a bar's open (pending exits). */
  readonly level: string | null;
  /** Base quantity sold, decimal string. */
  readonly quantity: string;
  /** Fill price (slippage included), quote per base, decimal string. */
  readonly price: string;
}

/** Close-of-day holdings (for the report's "holdings over time"). */
export interface HoldingsPoint {
  readonly date: string;
  /**
   * Market value in quote asset by base asset, at the close of `date`; cash under the quote asset. Holdings
   * worth less than 0.1 % of the day's equity (the dust a full SELL leaves, `h − floor_step(h)`) are left
   * out; they are in the equity.
   */
  readonly values: Readonly<Record<string, number>>;
}

/** The results file. `benchmark_equity` and `holdings` are additions to the contract (for the report). */
export interface BacktestResult {
  /** The effective config (no secrets). */
  readonly config: Readonly<Record<string, unknown>>;
  /** One point per day from the day before `--from` (= initial_quote) to `--to`. */
  readonly equity: readonly EquityPoint[];
  readonly trades: readonly BacktestTrade[];
  readonly rejected: readonly BacktestRejection[];
  readonly metrics: BacktestMetrics;
  readonly benchmarks: {
    readonly btc_hold: BacktestMetrics;
    readonly equal_weight: BacktestMetrics;
  };
  /** Additions to the contract, used by the HTML report: the benchmarks' equity curves (same days). */
  readonly benchmark_equity: {
    readonly btc_hold: readonly EquityPoint[];
    readonly equal_weight: readonly EquityPoint[];
  };
  readonly holdings: readonly HoldingsPoint[];
  /** Intraday exits (§10), in time order; empty when no intraday rule is on. */
  readonly exits: readonly BacktestExit[];
  /** ISO 8601 UTC time (close of the hour) the drawdown halt was set (§10), or null. */
  readonly halted_at: string | null;
}
