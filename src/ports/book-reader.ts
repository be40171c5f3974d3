/**
 * Port: read the book of an account as the ledger holds it — no exchange call, nothing written. Used by
 * the `status` and `history` commands (issue 9 item 6). Money values are exact decimal strings in the
 * account's quote asset; days are `YYYY-MM-DD` (UTC); instants are ISO 8601 UTC strings.
 */

/** One asset held now, marked at the prices of the last equity snapshot (null: no mark for it). */
export interface HoldingRow {
  readonly asset: string;
  readonly symbol: string | null;
  /** Units of the base asset. */
  readonly quantity: string;
  /** Average cost per unit (quote asset); null when nothing is held. */
  readonly avg_cost: string | null;
  /** The mark price of the snapshot (quote asset per unit). */
  readonly mark_price: string | null;
  readonly market_value: string | null;
  readonly unrealized_pnl: string | null;
  readonly realized_pnl: string;
  readonly fees: string;
  /** The period (decision day) of the run that last changed the position. */
  readonly period: string;
}

/** One run, newest first in lists. */
export interface RunRow {
  readonly id: string;
  readonly period: string;
  readonly status: string;
  readonly exit_reason: string | null;
  readonly dry_run: boolean;
  readonly forced: boolean;
  readonly strategy_mode: string;
  readonly rebalance_mode: string;
  readonly started_at: string;
  readonly duration_ms: number | null;
  readonly orders: number;
  readonly filled_orders: number;
  readonly rejected_orders: number;
  readonly fees: string;
  /** Equity the run ended with; null when it wrote no equity snapshot (skipped, failed). */
  readonly equity: string | null;
}

/** Inclusive UTC day bounds (`YYYY-MM-DD`) of `history --from/--to`; either may be absent. */
export interface DayRange {
  readonly from?: string;
  readonly to?: string;
}

/** The last equity snapshot of one UTC day. */
export interface EquityRow {
  readonly day: string;
  /** `open`, `close` or `last` (see equity_snapshots.price_basis). */
  readonly price_basis: string;
  readonly marked_at: string;
  readonly cash: string;
  readonly positions_value: string;
  readonly equity: string;
  /** equity − initial quote. */
  readonly total_pnl: string;
  readonly realized_pnl: string;
  readonly unrealized_pnl: string;
  /** Fees paid since the account started, in the quote asset. */
  readonly fees: string;
}

/** The account itself. */
export interface AccountRow {
  readonly name: string;
  readonly exchange_kind: string;
  readonly quote_asset: string;
  readonly initial_quote: string;
  readonly created_at: string;
}

/** The book now. */
export interface BookStatus {
  readonly account: AccountRow;
  /** The latest equity snapshot (the marks of the last run that wrote one), or null. */
  readonly equity: EquityRow | null;
  /** Assets held now (quantity > 0), largest market value first. */
  readonly holdings: readonly HoldingRow[];
  /** The latest rebalance runs, newest first. */
  readonly last_runs: readonly RunRow[];
}

/** Runs and daily equity. */
export interface BookHistory {
  readonly account: AccountRow;
  /** Rebalance runs, newest first. */
  readonly runs: readonly RunRow[];
  /** Daily equity, oldest first. */
  readonly equity: readonly EquityRow[];
}

/** Reads an account's book. */
export interface BookReader {
  /** The names of the accounts in the ledger (for a message when one is missing). */
  accounts(): Promise<readonly string[]>;
  /** The book of `account` now; null when the account does not exist. `runs`: how many last runs. */
  status(account: string, runs: number): Promise<BookStatus | null>;
  /** The history of `account`; null when it does not exist. `limit`: most recent runs / days. */
  history(account: string, limit: number, range?: DayRange): Promise<BookHistory | null>;
}
