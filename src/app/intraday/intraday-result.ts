/**
 * What one intraday pass returns (printed by the CLI, `--json` as is). Decimals are strings, times ISO
 * 8601 UTC.
 */
import type { ReconciliationRow } from '../../ports/ledger-rows.ts';
import type { FillReport, OrderReport } from '../rebalance-result.ts';

/** One exit of the pass (as the backtest's `exits`, plus the order). */
export interface IntradayExitReport {
  /** The bar that fired (its open; the pass time for the last price). */
  readonly time: string;
  readonly symbol: string;
  readonly reason: string;
  readonly level: string | null;
  readonly decision_price: string;
  /** Base units sold (0 when the SELL was rejected). */
  readonly quantity: string;
  /** Average fill price; null when nothing filled. */
  readonly price: string | null;
  /** Fill against the level (or the decision price), bps, positive = worse. */
  readonly slippage_bps: number | null;
  readonly client_order_id: string;
  readonly status: string;
}

/** The result of one pass. */
export interface IntradayResult {
  readonly run: {
    readonly account: string;
    readonly kind: 'intraday';
    readonly period: string;
    /** The pass time τ. */
    readonly at: string;
    readonly run_id: string | null;
    readonly dry_run: boolean;
    /**
     * `completed`, `completed_with_rejections`, `skipped` (nothing held), `dry_run`, `refused` (the
     * exchange holds less than the book before the SELLs: nothing sent, exit 3).
     */
    readonly status: string;
    readonly exit_reason: string;
    /** `['sell']` when every SELL sent was rejected (exit 4). */
    readonly rejected_phases: readonly string[];
    readonly duration_ms: number;
  };
  /** The kill switch before and after the pass (`running`, `daily_loss_stop`, `halted`). */
  readonly halt: { readonly before: string; readonly after: string };
  /** Per position: entry, peak, levels, last price, what fired or why not. */
  readonly decisions: readonly ({ readonly symbol: string } & Record<string, unknown>)[];
  readonly exits: readonly IntradayExitReport[];
  readonly orders: readonly OrderReport[];
  readonly fills: readonly FillReport[];
  /** Portfolio risk at the pass's marks (§10); null when max_daily_loss and max_drawdown are off or nothing is held. */
  readonly portfolio: {
    readonly equity: string;
    readonly previous_day_equity: string;
    readonly equity_peak: string;
    readonly daily_loss: boolean;
    readonly drawdown: boolean;
  } | null;
  /** The book after the pass. */
  readonly balances: readonly { readonly asset: string; readonly free: string; readonly locked: string }[];
  /**
   * Real exchanges, when the pass sent SELLs: the book against the exchange's balances before them and
   * the balances after against before + the fills (issue 14.3); empty when they agree.
   */
  readonly reconciliation: readonly ReconciliationRow[];
  /** Requests the pass made for candles and prices (real exchanges). */
  readonly candle_requests: number;
}
