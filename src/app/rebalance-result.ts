/**
 * The result of one rebalance, as `--json` prints it (snake_case keys, money as exact decimal strings,
 * scores and metrics as numbers). A contract for users' scripts and dashboards.
 */
import type { Balance } from '../domain/types.ts';
import type { ReconciliationRow } from '../ports/ledger-rows.ts';
import type { FillFigures } from './fill-figures.ts';

/** The kill switch around a rebalance's `rebalance` event (src/app/rebalance/halt-gate.ts). */
export interface HaltReport {
  /** The state before the event: `running`, `daily_loss_stop` or `halted`. */
  readonly before: 'running' | 'daily_loss_stop' | 'halted';
  /** The state after it, which the run traded under. */
  readonly state: 'running' | 'daily_loss_stop' | 'halted';
  /** ISO 8601 UTC time the stop / halt was set (the one in force, else the one lifted), or null. */
  readonly since: string | null;
  /** `daily_loss` or `max_drawdown` (of that stop / halt), or null. */
  readonly reason: 'daily_loss' | 'max_drawdown' | null;
  /** False: the run bought nothing (K = 0). */
  readonly buys_allowed: boolean;
  /** True when this run's event lifted a daily-loss stop (the next decision day's rebalance, §10). */
  readonly lifted: boolean;
  /** True when the event was written to the ledger; false for a dry run. */
  readonly recorded: boolean;
  /** Since when, why and how to clear it, when the run bought nothing; null otherwise. */
  readonly message: string | null;
}

export interface RankingRow {
  readonly rank: number;
  readonly symbol: string;
  /** Trailing return r(s, D) (§3), fraction. */
  readonly trailing_return: number;
  readonly market_cap_usd: number | null;
  readonly age_days: number | null;
  readonly selected: boolean;
}

export interface OrderReport {
  readonly client_order_id: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly leg: string;
  readonly why: string;
  readonly quantity: string | null;
  readonly quote_order_qty: string | null;
  readonly decision_price: string | null;
  readonly status: string;
  readonly executed_qty: string;
  readonly cummulative_quote_qty: string;
  readonly avg_price: string | null;
  readonly slippage_bps: number | null;
  /** Decision-to-answer latency on a real exchange, ms (local clock); null for simulated fills. */
  readonly latency_ms: number | null;
  readonly reject_code: number | null;
  readonly reject_reason: string | null;
  readonly reject_message: string | null;
}

/** One fill of the order `client_order_id`. */
export interface FillReport extends FillFigures {
  readonly client_order_id: string;
  /** Commission valued in the quote asset at the fill price. */
  readonly commission_quote: string;
}

export interface PnlRow {
  readonly asset: string;
  readonly symbol: string;
  readonly quantity: string;
  readonly cost_basis: string;
  readonly mark_price: string;
  readonly market_value: string;
  readonly realized: string;
  readonly unrealized: string;
  readonly fees: string;
}

/** An order the exchange filled only in part (EXPIRED / PARTIALLY_FILLED with some executed, 14.2). */
export interface PartialFillReport {
  readonly client_order_id: string;
  readonly symbol: string;
  readonly side: string;
  readonly status: string;
  readonly executed_qty: string;
  readonly cummulative_quote_qty: string;
}

/** The result of one rebalance, as printed by `--json`. Money values are decimal strings. */
export interface RebalanceResult {
  readonly run: {
    readonly id: string | null;
    readonly account: string;
    readonly period: string;
    /**
     * `completed` (no order rejected), `completed_with_rejections`, `skipped` (already rebalanced / not
     * due), `refused` (a guard stopped the run before any order: see `guard`), `halted` (the kill switch
     * was on: it bought nothing and sold what was left, K = 0, §10; see `halt`), or `dry_run`. A run that
     * failed throws (recorded as `failed`). Exit codes: src/cli/exit-codes.ts.
     */
    readonly status: 'completed' | 'completed_with_rejections' | 'skipped' | 'refused' | 'halted' | 'dry_run';
    readonly exit_reason: string;
    /** The guard that refused the run (`reconciliation`, `empty_universe`, …), null otherwise. */
    readonly guard: string | null;
    /** Phases (`sell`, `buy`) that had orders and every one of them was rejected. */
    readonly rejected_phases: readonly ('sell' | 'buy')[];
    /** The failed or abandoned run of the same period this run continues (14.1), or null. */
    readonly continues_run_id?: string | null;
    /**
     * True when this run resumed that run: the fills it left were booked first and only what was still
     * missing against the target was planned (delta), whatever the rebalance mode.
     */
    readonly resumed?: boolean;
    readonly exchange: string;
    readonly strategy_mode: string;
    readonly rebalance_mode: string;
    readonly forced: boolean;
    readonly decision_time: string;
    readonly duration_ms: number;
    readonly timings_ms: Record<string, number>;
  };
  readonly ranking: RankingRow[];
  readonly excluded: {
    readonly by_reason: Record<string, number>;
    readonly symbols: { symbol: string; reason: string }[];
    /**
     * Replay (9.3): symbols `not_trading` only because the data ends before D (reason `data_ends`,
     * counted apart from halted/delisted), and the last days of their series.
     */
    readonly data_ends?: { readonly symbols: number; readonly last_days: readonly string[] };
  };
  readonly adjustments: {
    asset: string;
    kind: string;
    quantity_before: string;
    quantity_after: string;
    ratio: string;
  }[];
  /**
   * Real exchanges (issue 9.4): planned orders not sent because §7's filters would reject them at the
   * decision price (they are in `orders` with status `SKIPPED`, reject_reason `dust`), and their
   * notional at the decision price summed (quote asset, decimal string).
   */
  readonly dust: { readonly orders: number; readonly notional: string };
  /** Orders filled only in part (EXPIRED / PARTIALLY_FILLED with some executed): booked as filled (14.2). */
  readonly partial_fills: PartialFillReport[];
  readonly orders: OrderReport[];
  readonly fills: FillReport[];
  /** What the strategy manages after the run (the ledger's balances). */
  readonly balances: Balance[];
  /**
   * Real exchanges only (null in replay): the exchange account's own balances after the run, the
   * reconciliation differences (none = reconciled exactly), orders of an earlier unfinished run that
   * were resolved by clientOrderId first, and the requests the run sent.
   */
  readonly exchange: {
    readonly balances_after: Balance[];
    readonly reconciliation: ReconciliationRow[];
    readonly recovered_orders: { client_order_id: string; status: string }[];
    /** Requests sent to the exchange by this process and their total documented request weight. */
    readonly requests: number | null;
    readonly weight: number | null;
  } | null;
  readonly equity: {
    readonly day: string;
    /**
     * `open`: marked at the open of D after the fills (last close for assets without a candle at D);
     * `last`: a real exchange's last prices (GET /api/v3/ticker/price) at the decision.
     */
    readonly price_basis: string;
    readonly cash: string;
    readonly positions_value: string;
    readonly equity: string;
    readonly initial_quote: string;
  } | null;
  /**
   * The account's kill switch at this run (strategy-semantics.md §10 "Portfolio risk"; issue 10 item 5);
   * absent when the run stopped before reading it (skipped, refused by the clock).
   */
  readonly halt?: HaltReport;
  readonly pnl: {
    readonly realized: string;
    readonly unrealized: string;
    /** realized + unrealized = equity − initial_quote (checked on every run). */
    readonly total: string;
    readonly fees: string;
    readonly by_asset: PnlRow[];
  } | null;
}
