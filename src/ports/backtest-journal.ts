import type { BacktestEquityRow } from './ledger-rows.ts';

/** The daily equity curve of a recorded backtest. Implemented by `adapters/postgres` (PostgresLedger). */
export interface BacktestJournal {
  /**
   * Stores the daily equity curve of a `backtest` run (table `backtest_equity`, one row per day), in one
   * transaction. @throws on a day recorded twice for the run, or a run that does not exist.
   */
  recordBacktestEquity(runId: string, rows: readonly BacktestEquityRow[]): Promise<void>;
}
