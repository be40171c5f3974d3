/**
 * `momentum-rebalancer schedule` (also `npm start`): the scheduler daemon (src/compose/schedule.ts).
 * Runs until SIGTERM or SIGINT, then lets the running job finish and exits 0. Exit 75 when another
 * instance holds the account (the message names it), 78 for a bad [schedule] key, as the other commands.
 */
import type { Logger } from 'pino';
import { runScheduler } from '../compose/schedule.ts';
import type { LoadedConfig } from '../config/loader.ts';
import { EXIT } from './exit-codes.ts';

/**
 * Runs the daemon with the loaded config until a termination signal; returns the exit code (0).
 * @throws what {@link runScheduler} throws before scheduling (mapped to exit codes by the CLI).
 */
export async function runScheduleCommand(
  loaded: LoadedConfig,
  logger: Logger,
  values: Readonly<Record<string, string | boolean | undefined>>,
): Promise<number> {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'signal received');
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await runScheduler(loaded.config, logger, {
      signal: stop.signal,
      live: values.live === true,
      credentials: loaded.credentials(),
      notifySecrets: loaded.notifySecrets(),
      effectiveConfig: loaded.redacted(),
    });
    return EXIT.OK;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
