import type { Balance } from '../domain/types.ts';
import type { ReconciliationRow } from './ledger-rows.ts';

/** What a real exchange held around a run and how it differed from the book (reconciliation). Implemented by `adapters/postgres` (PostgresLedger). */
export interface ExchangeRecords {
  /** Stores the exchange account's own balances before or after a run on a real exchange. */
  recordExchangeBalances(
    runId: string,
    accountId: string,
    phase: 'before' | 'after',
    balances: readonly Balance[],
  ): Promise<void>;
  /** Stores the reconciliation differences of a run (one row per asset that differs). */
  recordReconciliations(runId: string, accountId: string, rows: readonly ReconciliationRow[]): Promise<void>;
}
