/** One rebalance as the CLI asks for it, for the tests that compose the adapters themselves. */
import { type RebalanceDeps, type RebalanceResult, runRebalance } from '../../src/app/rebalance.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { openAdapters } from '../../src/compose/rebalance.ts';
import { settingsFrom } from '../../src/compose/settings.ts';
import type { LoadedConfig } from '../../src/config/loader.ts';
import { dayToMs } from '../../src/domain/time.ts';

/** What the CLI's flags would say: `--as-of` (a UTC day, parsed at the edge), `--dry-run`, `--force`. */
export interface CliRunFlags {
  readonly asOf?: string;
  readonly dryRun?: boolean;
  readonly force?: boolean;
}

/**
 * `runRebalance(deps, …)` with the settings and redacted effective config of `loaded`, the day of
 * `flags.asOf` (00:00 UTC; absent: the period the clock gives), not a dry run and not forced unless
 * `flags` say so.
 */
export function rebalanceAsCli(
  deps: RebalanceDeps,
  loaded: LoadedConfig,
  flags: CliRunFlags = {},
): Promise<RebalanceResult> {
  return runRebalance(deps, {
    settings: settingsFrom(loaded.config),
    ...(flags.asOf ? { dayMs: dayToMs(flags.asOf) } : {}),
    dryRun: flags.dryRun ?? false,
    force: flags.force ?? false,
    effectiveConfig: loaded.redacted(),
  });
}

/**
 * One rebalance as the CLI runs it on an exchange: the adapters of `loaded` opened (silent logger) with
 * the HMAC key `apiKey`/`apiSecret`, {@link rebalanceAsCli} with `flags`, the adapters closed; throws
 * what the run throws.
 */
export async function rebalanceWithKey(
  loaded: LoadedConfig,
  apiKey: string,
  apiSecret: string,
  flags: CliRunFlags = {},
): Promise<RebalanceResult> {
  const adapters = await openAdapters(loaded.config, createLogger('silent', 'json'), {
    credentials: { apiKey, apiSecret, privateKeyPath: null },
  });
  try {
    return await rebalanceAsCli(adapters.deps, loaded, flags);
  } finally {
    await adapters.close();
  }
}
