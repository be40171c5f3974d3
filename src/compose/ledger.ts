/**
 * Shared piece of the composition functions: opening the ledger (Postgres server or embedded PGlite,
 * migrated) under the account's instance lock (issue 9 item 4).
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { LockFileLocker } from '../adapters/lock/lock-file.ts';
import { openLedger } from '../adapters/postgres/connect.ts';
import { AdvisoryLocker } from '../adapters/postgres/instance-lock.ts';
import type { Config } from '../config/schema.ts';
import type { HeldLock } from '../ports/instance-lock.ts';
import type { Ledger } from '../ports/ledger.ts';
import { settingsFrom } from './settings.ts';

/**
 * Opens the ledger of `config` — Postgres at `[database] url` / `DATABASE_URL`, else embedded PGlite at
 * `[database] data_dir` — and applies pending migrations.
 * @throws LedgerConnectionError for an unreachable database; the error of a failing migration.
 */
export async function openMigratedLedger(config: Config, logger: Logger): Promise<Ledger> {
  const ledger = await openLedger({
    ...(config.database.url ? { url: config.database.url } : {}),
    dataDir: path.resolve(config.database.data_dir),
    logger,
  });
  try {
    await ledger.migrate();
  } catch (err) {
    await ledger.close();
    throw err;
  }
  return ledger;
}

/** A lock that holds nothing (an in-memory PGlite, or a read-only command on a Postgres server). */
const NO_LOCK: HeldLock = { release: async () => {} };

/**
 * Takes the instance lock of `config`'s ledger before it is opened (issue 9 item 4): on a Postgres
 * server the account's advisory lock on one dedicated connection, taken only by commands that write the
 * book (`writesBook`); for embedded PGlite the exclusive lock file `<data_dir>.lock`, taken by EVERY
 * command that opens the directory (PGlite is one process per directory). Waits `[database]
 * lock_wait_ms`.
 * @throws LockHeldError (exit 75) naming the holder; LedgerConnectionError (exit 69) for an unreachable
 *   server.
 */
export async function takeInstanceLock(
  config: Config,
  opts: { readonly command: string; readonly writesBook: boolean; readonly logger?: Logger },
): Promise<HeldLock> {
  // The account as the use case names it (settingsFrom resolves any default).
  const req = {
    account: settingsFrom(config).account,
    command: opts.command,
    waitMs: config.database.lock_wait_ms,
  };
  if (config.database.url) {
    if (!opts.writesBook) return NO_LOCK;
    return new AdvisoryLocker(config.database.url, {
      // The server closed the lock's connection: another instance may now take the account.
      onLost: (err) =>
        opts.logger?.error(
          { account: req.account, code: (err as { code?: string }).code },
          'account lock lost',
        ),
    }).acquire(req);
  }
  const dir = config.database.data_dir;
  if (dir === ':memory:' || dir.startsWith('memory://')) return NO_LOCK;
  return new LockFileLocker(`${path.resolve(dir)}.lock`).acquire(req);
}

/**
 * {@link openMigratedLedger} under the instance lock of a command that does not write the account's
 * book (db:migrate, status, history, recording backtests): for PGlite the directory's lock file is taken
 * first (one process per directory); on a Postgres server nothing is locked. `close()` closes the
 * ledger, then releases the lock.
 * @throws LockHeldError (exit 75), LedgerConnectionError (exit 69), a failing migration's error.
 */
export async function openLockedLedger(
  config: Config,
  logger: Logger,
  command: string,
): Promise<{ ledger: Ledger; close(): Promise<void> }> {
  const lock = await takeInstanceLock(config, { command, writesBook: false });
  const ledger = await openMigratedLedgerUnder(lock, config, logger);
  return { ledger, close: () => closeAll(ledger, lock) };
}

/**
 * {@link openMigratedLedger} once `lock` (the instance lock, {@link takeInstanceLock}) is held; the lock
 * is released when the ledger does not open or migrate.
 * @throws LedgerConnectionError (exit 69), a failing migration's error.
 */
export async function openMigratedLedgerUnder(
  lock: HeldLock,
  config: Config,
  logger: Logger,
): Promise<Ledger> {
  try {
    return await openMigratedLedger(config, logger);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/** Closes the ledger, then releases the instance lock (even when closing fails). */
export async function closeAll(ledger: Ledger, lock: HeldLock): Promise<void> {
  try {
    await ledger.close();
  } finally {
    await lock.release();
  }
}
