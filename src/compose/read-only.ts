/**
 * The composition functions of the read-only commands (`db:migrate`, `status`, `history`, `report`): the migrated
 * ledger under the directory's lock (PGlite) and, for status/history, the book reader over it.
 */
import type { Logger } from 'pino';
import { PostgresAccountReportReader } from '../adapters/postgres/account-report-reader.ts';
import { PostgresBookReader } from '../adapters/postgres/book-reader.ts';
import type { PostgresLedger } from '../adapters/postgres/postgres-ledger.ts';
import type { RiskDeps } from '../app/risk/risk-status.ts';
import type { Config } from '../config/schema.ts';
import type { AccountReportReader } from '../ports/account-report.ts';
import type { BookReader } from '../ports/book-reader.ts';
import { openLockedLedger } from './ledger.ts';
import { riskDepsOf } from './risk.ts';

/**
 * `db:migrate`: opens the ledger of `config` under its lock, applies pending migrations and closes it.
 * @throws LockHeldError (exit 75), LedgerConnectionError (exit 69), a failing migration's error.
 */
export async function composeMigrate(config: Config, logger: Logger): Promise<void> {
  await (await openLockedLedger(config, logger, 'db:migrate')).close();
}

/** An opened book reader, the ledger it reads (`target`, a redacted DSN or directory) and its closer. */
export interface OpenedBookReader {
  readonly reader: BookReader;
  /** The account report's reader over the same ledger (`report`). */
  readonly reportReader: AccountReportReader;
  /** The kill switch over the same ledger (`status` shows its state line). */
  readonly risk: RiskDeps;
  readonly target: string;
  close(): Promise<void>;
}

/**
 * `status` / `history` / `report`: the book and report readers over the migrated ledger of `config`, opened under the lock of
 * `command` ({@link openLockedLedger}); `close()` closes the ledger, then releases the lock.
 * @throws LockHeldError (exit 75), LedgerConnectionError (exit 69), a failing migration's error.
 */
export async function composeBookReader(
  config: Config,
  logger: Logger,
  command: 'status' | 'history' | 'report',
): Promise<OpenedBookReader> {
  const opened = await openLockedLedger(config, logger, command);
  const ledger = opened.ledger as PostgresLedger;
  return {
    reader: new PostgresBookReader(ledger.db),
    reportReader: new PostgresAccountReportReader(ledger.db),
    risk: riskDepsOf(ledger),
    target: ledger.target,
    close: opened.close,
  };
}
