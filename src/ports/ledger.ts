import type { AccountBook } from './account-book.ts';
import type { BacktestJournal } from './backtest-journal.ts';
import type { ExchangeRecords } from './exchange-records.ts';
import type { HaltJournal } from './halt-journal.ts';
import type { IntradayJournal } from './intraday-journal.ts';
import type { OrderJournal } from './order-journal.ts';
import type { RunJournal } from './run-journal.ts';
import type { StopJournal } from './stop-journal.ts';
import type { UnfinishedState } from './unfinished-state.ts';

export type * from './ledger-rows.ts';
export type {
  AccountBook,
  BacktestJournal,
  ExchangeRecords,
  HaltJournal,
  IntradayJournal,
  OrderJournal,
  RunJournal,
  StopJournal,
  UnfinishedState,
};

/**
 * The ledger: the durable record of accounts, runs, universe decisions, orders, fills, balances,
 * positions with P/L, and equity. Implementation: `adapters/postgres` (kysely over `pg` or embedded
 * PGlite). All money values are exact decimal strings (stored as Postgres `numeric`); times are UTC ms
 * (stored as `timestamptz`); days are `YYYY-MM-DD` (stored as `date`).
 *
 * Accounting convention (documented in README "Accounting"): average cost. A position's `costBasis` is
 * the quote spent on the units still held (buy commissions are paid in the base asset, so they are in
 * the cost basis as units not received); realized P/L of a SELL = proceeds − sell commission − the
 * average cost of the units sold. Hence, at any time,
 * `equity − initial_quote = realized P/L + unrealized P/L` exactly (unrealized = market value − cost basis).
 */
export interface Ledger
  extends AccountBook,
    RunJournal,
    OrderJournal,
    ExchangeRecords,
    BacktestJournal,
    HaltJournal,
    IntradayJournal,
    StopJournal,
    UnfinishedState {
  /** Applies pending SQL migrations from `sql/migrations` (idempotent). */
  migrate(): Promise<void>;
  /** Closes the connection(s). */
  close(): Promise<void>;
}
