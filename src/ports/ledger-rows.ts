import type { Balance, IsoDay, Side } from '../domain/types.ts';

/**
 * The rows the ledger ports read and write (accounts, runs, universe decisions, orders, fills, balances,
 * positions, equity). Money values are exact decimal strings (Postgres `numeric`); times UTC ms.
 */
/** `rebalance` for scheduled/manual runs; `backtest` for recorded backtests. */
export type RunKind = 'rebalance' | 'backtest' | 'intraday';
/**
 * `completed`: every order answered, none rejected; `completed_with_rejections`: some were rejected;
 * `failed`: an error stopped the run; `skipped`: already rebalanced / not due; `refused`: a guard stopped
 * it before any order; `abandoned`: its process died (marked by a later run); `halted`: a rebalance under
 * the kill switch (§10: it sold what was left and bought nothing; its state is saved like a completed one).
 */
export type RunStatus =
  | 'running'
  | 'completed'
  | 'completed_with_rejections'
  | 'failed'
  | 'skipped'
  | 'refused'
  | 'abandoned'
  | 'halted';

export interface NewAccount {
  readonly name: string;
  readonly exchangeKind: 'replay' | 'paper' | 'testnet' | 'live';
  readonly quoteAsset: string;
  /** Starting paper balance in the quote asset (decimal string). */
  readonly initialQuote: string;
  /**
   * The venue whose book this is: `replay`, or `<kind> <base URL>` (e.g. `testnet https://testnet.binance.vision`,
   * `paper https://api.binance.com` — paper: the market-data URL).
   * Default: `replay` for a replay account, none (adopted by the next run) otherwise.
   */
  readonly venue?: string;
}

export interface AccountRow extends Omit<NewAccount, 'venue'> {
  readonly id: string;
  readonly createdAt: number;
  /** Null only for a testnet/live account created before migration 004 and not adopted yet. */
  readonly venue: string | null;
}

export interface NewRun {
  readonly accountId: string;
  readonly kind: RunKind;
  /** The period key: the UTC decision day. */
  readonly period: IsoDay;
  /** `full` or `delta`. */
  readonly rebalanceMode: string;
  /** `momentum` or `reversal`. */
  readonly strategyMode: string;
  readonly dryRun: boolean;
  readonly forced: boolean;
  /** The effective, validated config (no secrets). */
  readonly config: unknown;
  /** Decision time, UTC ms (00:00 of the period day for replay). */
  readonly decisionTime: number;
  /** Run start, UTC ms. */
  readonly startedAt: number;
  /** The failed or abandoned run of the same period this run resumes (14.1), if any. */
  readonly continuesRunId?: string | null;
}

export interface RunRow extends NewRun {
  readonly id: string;
  readonly status: RunStatus;
  readonly finishedAt: number | null;
  readonly exitReason: string | null;
}

export interface RunEnd {
  readonly status: Exclude<RunStatus, 'running'>;
  /** Why the run ended as it did (e.g. `ok`, `already_rebalanced`, an error message). */
  readonly exitReason: string;
  readonly finishedAt: number;
  /** Phase timings in ms, e.g. `{ load: 120, plan: 3, execute: 40, record: 30, total: 200 }`. */
  readonly timings: Record<string, number>;
  /** Small JSON summary for dashboards (counts, equity, fees). */
  readonly summary?: unknown;
}

export interface UniverseDecisionRow {
  readonly symbol: string;
  readonly baseAsset: string;
  /** Trailing return r(s, D) as a float, null where not computable. */
  readonly score: number | null;
  /** Market cap in USD where known. */
  readonly marketCapUsd: number | null;
  /** Listing age in days of the current segment at D, null where unknown. */
  readonly ageDays: number | null;
  /** Mean daily quote volume over the lookback (quote asset), null where unknown. */
  readonly meanQuoteVolume: number | null;
  /** Rank among eligible symbols (1 = first), null when excluded. */
  readonly rank: number | null;
  /** True when in the top N. */
  readonly selected: boolean;
  /** Exclusion reason (§4: quote, excluded, not_trading, too_young, no_history, illiquid, no_market_cap, small_cap, no_trend), null when eligible. */
  readonly reason: string | null;
}

export interface NewOrder {
  readonly runId: string;
  readonly accountId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  /** Leg label within the rebalance (`sell`, `trim`, `buy`). */
  readonly leg: string;
  /** Requested base quantity (SELL), decimal string. */
  readonly quantity: string | null;
  /** Requested quote amount (BUY), decimal string. */
  readonly quoteOrderQty: string | null;
  /** Price the plan was sized at (open of D in replay; last price live), decimal string. */
  readonly decisionPrice: string;
  /** When the order was decided, UTC ms. */
  readonly decidedAt: number;
}

export interface OrderOutcomeRow {
  /** FILLED, PARTIALLY_FILLED, EXPIRED, NEW or REJECTED. */
  readonly status: string;
  readonly exchangeOrderId: string | null;
  readonly executedQty: string;
  readonly cummulativeQuoteQty: string;
  /** Average fill price (quote per base), null when nothing filled. */
  readonly avgPrice: string | null;
  /** (avg fill − decision) / decision × 1e4, signed so that positive = worse for us; null when not filled. */
  readonly slippageBps: number | null;
  readonly rejectCode: number | null;
  readonly rejectReason: string | null;
  readonly rejectMessage: string | null;
  /** Exchange transaction time, UTC ms, or null. */
  readonly transactTime: number | null;
  /** Decision-to-fill latency in ms, or null. */
  readonly latencyMs: number | null;
}

export interface FillRow {
  readonly tradeId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly price: string;
  readonly quantity: string;
  readonly quoteQuantity: string;
  readonly commission: string;
  readonly commissionAsset: string;
  /** Commission valued in the quote asset at the fill price. */
  readonly commissionQuote: string;
  /** UTC ms. */
  readonly filledAt: number;
}

export interface OrderRowOut extends NewOrder, OrderOutcomeRow {
  readonly id: string;
}

/** One asset whose exchange balance differs from what the ledger expected. */
export interface ReconciliationRow {
  readonly phase: 'before' | 'after';
  readonly asset: string;
  /** Decimal strings, asset units. */
  readonly expected: string;
  readonly actual: string;
  /** `actual − expected`. */
  readonly difference: string;
  readonly note: string;
}

export interface FillRowOut extends FillRow {
  readonly orderId: string;
  readonly clientOrderId: string;
}

/** A position (non-quote asset) with its average-cost accounting, decimal strings in the quote asset. */
export interface PositionRow {
  readonly asset: string;
  /** Symbol it trades under (e.g. `BTCUSDT`). */
  readonly symbol: string;
  readonly quantity: string;
  /** Quote spent on the units still held (average cost × quantity). */
  readonly costBasis: string;
  /** Cumulative realized P/L of this asset, net of sell commissions. */
  readonly realizedPnl: string;
  /** Cumulative commissions paid on this asset's trades, valued in quote. */
  readonly feesQuote: string;
}

export interface PositionSnapshot extends PositionRow {
  /** Price used to mark the position (decimal string). */
  readonly markPrice: string;
  /** quantity × markPrice. */
  readonly marketValue: string;
  /** marketValue − costBasis. */
  readonly unrealizedPnl: string;
}

export interface HoldingAdjustment {
  readonly asset: string;
  readonly symbol: string;
  /** e.g. `segment_split` (token swap / redenomination, strategy-semantics.md §2). */
  readonly kind: string;
  readonly quantityBefore: string;
  readonly quantityAfter: string;
  /** close_before / open_after as a decimal string. */
  readonly ratio: string;
  readonly note: string;
}

export interface EquityPoint {
  /** UTC day the equity is for. */
  readonly day: IsoDay;
  /** When the marks were taken, UTC ms. */
  readonly markedAt: number;
  /** `open` (replay rebalance: marked at the open of D after fills), `close`, or `last`. */
  readonly priceBasis: string;
  readonly cash: string;
  readonly positionsValue: string;
  /** cash + positionsValue. */
  readonly equity: string;
  /** Sum of realized P/L of every asset ever held (including closed positions). */
  readonly realizedPnl: string;
  /** Sum of unrealized P/L of open positions. */
  readonly unrealizedPnl: string;
  /** Cumulative commissions valued in quote. */
  readonly feesQuote: string;
}

export interface AccountState {
  readonly balances: readonly Balance[];
  /** Every asset ever held, including closed ones (quantity 0) so realized P/L is never lost. */
  readonly positions: readonly PositionSnapshot[];
  readonly adjustments: readonly HoldingAdjustment[];
  readonly equity: EquityPoint;
}

/** An order with its outcome and fills, for {@link Ledger.recordCompletedOrders}. */
export interface CompletedOrder {
  readonly order: NewOrder;
  readonly outcome: OrderOutcomeRow;
  readonly fills: readonly FillRow[];
}

// ---- backtests (issue #4: recorded backtests; sql/migrations/003_backtests.sql) ----------------------

/** One day of a recorded backtest: close-of-day equity of the strategy and its benchmarks (§9). */
export interface BacktestEquityRow {
  /** UTC day `YYYY-MM-DD`. */
  readonly day: IsoDay;
  /** Strategy equity, quote asset, decimal string (backtests pass the exact decimal they computed). */
  readonly equity: string;
  /** BTC-hold benchmark equity (decimal string), null when not computed. */
  readonly btc: string | null;
  /** Equal-weight-universe benchmark equity (decimal string), null when not computed. */
  readonly equalWeight: string | null;
}
