/**
 * The composition function of the backtest job: the dataset (bundled or `[data] dir`) and, when a
 * backtest is recorded, the ledger under the directory's lock. The worker threads of a sweep compose
 * themselves (src/compose/backtest-worker.ts).
 */
import type { Logger } from 'pino';
import { checkDataDir, loadDataset } from '../adapters/data/bundled-dataset.ts';
import type { Config } from '../config/schema.ts';
import type { Ledger } from '../ports/ledger.ts';
import { openLockedLedger } from './ledger.ts';
import { dataDirOf } from './settings.ts';

/** The loaded dataset of a backtest and the directory it came from. */
export interface BacktestData {
  readonly dataDir: string;
  readonly dataset: Awaited<ReturnType<typeof loadDataset>>;
}

/**
 * Loads the dataset of `config` (`[data] dir`, else the bundled data), checking the directory's layout
 * first; logs the dataset's warnings.
 * @throws DataError naming the directory for a missing or corrupt dataset (the CLI exits 2).
 */
export async function composeBacktestData(config: Config, logger: Logger): Promise<BacktestData> {
  const dataDir = dataDirOf(config);
  await checkDataDir(dataDir);
  const dataset = await loadDataset(dataDir);
  for (const w of dataset.warnings) logger.warn(w);
  return { dataDir, dataset };
}

/**
 * The ledger a backtest is recorded in, opened under the lock of the `backtest` command
 * ({@link openLockedLedger}: PGlite's directory lock; nothing on a Postgres server).
 * @throws LockHeldError (exit 75), LedgerConnectionError (exit 69), a failing migration's error.
 */
export function composeBacktestLedger(
  config: Config,
  logger: Logger,
): Promise<{ ledger: Ledger; close(): Promise<void> }> {
  return openLockedLedger(config, logger, 'backtest');
}
