/**
 * The results JSON of `npm run backtest -- --out FILE.json` (a contract: issue "Backtests over real
 * history", strategy-semantics.md §9). Equity and metrics are numbers (floats); quantities, prices and
 * commissions are exact decimal strings. Keys are snake_case as written to the file.
 */

/** Performance metrics of one equity series (strategy-semantics.md §9). */
export interface BacktestMetrics {
  /** `E(end) / initial_quote − 1`, fraction. */
  readonly total_return: number;
  /** `(E(end) / initial_quote)^(365/n) − 1`, fraction. */
  readonly cagr: number;
  /** `stdev(r, ddof=1) × sqrt(365)`; null when fewer than 2 daily returns. */
  readonly volatility: number | null;
  /** `mean(r) / stdev(r, ddof=1) × sqrt(365)`; null when undefined (stdev 0 or n < 2). */
  readonly sharpe: number | null;
  /** `mean(r) / sqrt(mean(min(r,0)^2)) × sqrt(365)`; null when no negative return. */
  readonly sortino: number | null;
  /** `max_t (1 − E(t) / max_{u≤t} E(u))`, positive fraction. */
  readonly max_drawdown: number;
  /** `cagr / max_drawdown`; null when max_drawdown is 0. */
  readonly calmar: number | null;
  /** Sum of commissions valued in quote at their fill price (quote asset). */
  readonly fees: number;
  /** `Σ fill notionals (q × p) / mean(E)`. */
  readonly turnover: number;
  /** Number of fills. */
  readonly n_trades: number;
}

/** One point of the daily equity curve: close-of-day equity in the quote asset. */
export interface EquityPoint {
  /** UTC day `YYYY-MM-DD`. */
  readonly date: string;
  readonly equity: number;
}

/** One fill of the backtest. */
export interface BacktestTrade {
  readonly date: string;
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

/** An order the simulated exchange refused (§7). */
export interface BacktestRejection {
  readonly date: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  /** `zero_quantity`, `min_qty`, `min_notional`, `no_price`, `insufficient_balance`. */
  readonly reason: string;
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
}
