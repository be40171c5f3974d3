/**
 * The composition functions of the kill-switch commands (issue 10 item 5): `risk status` reads the
 * ledger under the lock a read-only command takes (PGlite: the directory's lock file; a Postgres server:
 * none); `risk reset --yes` takes the account's instance lock (issue 9 item 4) — a trading job must not be
 * mid-run — before it opens the ledger.
 */
import type { Logger } from 'pino';
import { PostgresAccountLookup } from '../adapters/postgres/account-lookup.ts';
import type { PostgresLedger } from '../adapters/postgres/postgres-ledger.ts';
import type { RiskDeps } from '../app/risk/risk-status.ts';
import type { Config } from '../config/schema.ts';
import { closeAll, openLockedLedger, openMigratedLedgerUnder, takeInstanceLock } from './ledger.ts';

/** The risk use cases' dependencies over an opened ledger, the ledger read (`target`, redacted) and its closer. */
export interface OpenedRisk {
  readonly deps: RiskDeps;
  readonly target: string;
  close(): Promise<void>;
}

/** The deps over an opened Postgres ledger. */
export function riskDepsOf(ledger: PostgresLedger): RiskDeps {
  return { accounts: new PostgresAccountLookup(ledger.db), halts: ledger };
}

/**
 * Opens the migrated ledger of `config` for `risk status` or `risk reset`: `writes` takes the account's
 * instance lock first (waits `[database] lock_wait_ms`). `close()` closes the ledger, then releases it.
 * @throws LockHeldError (exit 75) naming the holder; LedgerConnectionError (exit 69); a failing
 *   migration's error.
 */
export async function composeRisk(
  config: Config,
  logger: Logger,
  opts: { readonly writes: boolean },
): Promise<OpenedRisk> {
  if (!opts.writes) {
    const opened = await openLockedLedger(config, logger, 'risk status');
    const ledger = opened.ledger as PostgresLedger;
    return { deps: riskDepsOf(ledger), target: ledger.target, close: opened.close };
  }
  const lock = await takeInstanceLock(config, { command: 'risk reset', writesBook: true, logger });
  const ledger = (await openMigratedLedgerUnder(lock, config, logger)) as PostgresLedger;
  return { deps: riskDepsOf(ledger), target: ledger.target, close: () => closeAll(ledger, lock) };
}
