/**
 * `momentum-rebalancer intraday` (also `npm run intraday`): one intraday pass (strategy-semantics.md §12)
 * — replay (`--at`), testnet or live — printed as a short report or `--json`. Exit codes: src/cli/
 * exit-codes.ts (a pass whose every SELL was rejected exits 4).
 */
import type { Logger } from 'pino';
import { UserInputError } from '../app/errors.ts';
import type { IntradayResult } from '../app/intraday/intraday-result.ts';
import { runIntraday } from '../app/intraday/run-intraday.ts';
import { openIntradayAdapters } from '../compose/intraday.ts';
import { composeNotifier, jobContextOf, notifyIntraday } from '../compose/notify.ts';
import { settingsFrom } from '../compose/settings.ts';
import { withAdapters } from '../compose/with-adapters.ts';
import type { LoadedConfig } from '../config/loader.ts';
import { configFlagOptions, configFlagRows, helpRows } from './flags.ts';
import { printOutcome } from './print-outcome.ts';

/** The flags of the command (parsed by main.ts). */
export const INTRADAY_OPTIONS = {
  at: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  live: { type: 'boolean' },
  ...configFlagOptions(),
} as const;

/** `intraday --help`. */
export const INTRADAY_USAGE = `Usage: momentum-rebalancer intraday [flags]

One intraday pass (strategy-semantics.md §10-§12): for each held position, evaluates the candles of
[intraday] interval closed since the previous pass, then the last price, against [risk] stop_loss,
trailing_stop, take_profit and [signals] exit_signal; sells a position in full (MARKET) when a rule
fires; checks max_daily_loss / max_drawdown and sets the kill switch. It never buys. A pass with nothing
held does nothing. Takes the account's instance lock like the rebalance.

Flags:
${helpRows([
  ['--config FILE', 'config file (INI; default ./user.cfg when present)'],
  ['-h, --help', 'show the flags of this command'],
  ['--at YYYY-MM-DDTHH:MMZ', '[exchange] kind = replay: the pass time on the bundled hourly data (required)'],
  ['--dry-run', 'evaluate and simulate; send nothing, record nothing'],
  ['--json', 'print one JSON object instead of the report'],
  ['--live', 'with [exchange] kind = live and allow_mainnet = true: trade real money on mainnet'],
  ...configFlagRows(),
])}
`;

/**
 * Parses `--at` (`YYYY-MM-DDTHH:MMZ`, UTC) to UTC ms. @throws UserInputError naming the flag.
 */
export function parseAtFlag(value: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})Z$/.exec(value);
  const ms = m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:00Z`) : Number.NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 16) !== `${m[1]}T${m[2]}:${m[3]}`)
    throw new UserInputError(`--at ${JSON.stringify(value)}: expected a UTC time YYYY-MM-DDTHH:MMZ`);
  return ms;
}

/** Runs the command; returns the exit code. @throws what the pass throws (main.ts maps it). */
export async function runIntradayCommand(
  loaded: LoadedConfig,
  logger: Logger,
  values: Record<string, string | boolean | undefined>,
): Promise<number> {
  const atMs = typeof values.at === 'string' ? parseAtFlag(values.at) : undefined;
  const config = loaded.config;
  const dryRun = values['dry-run'] === true;
  const notifier = composeNotifier(config, loaded.notifySecrets(), logger);
  // Exits, a change of the kill switch, or the failure go to [notify] after the pass (bounded wait).
  const result = await notifyIntraday(
    notifier,
    jobContextOf(config),
    () =>
      withAdapters(
        openIntradayAdapters(config, logger, {
          live: values.live === true,
          credentials: loaded.credentials(),
          ...(atMs === undefined ? {} : { atMs }),
        }),
        (adapters) =>
          runIntraday(adapters.deps, {
            settings: settingsFrom(config),
            dryRun,
            effectiveConfig: loaded.redacted(),
          }),
      ),
    { wait: true, dryRun },
  );
  return printOutcome(result, values.json === true, formatIntraday);
}

/** The pass as a few lines of text. */
export function formatIntraday(r: IntradayResult): string {
  const lines = [
    `intraday pass ${r.run.account} at ${r.run.at}: ${r.run.status} (${r.run.exit_reason})`,
    `halt: ${r.halt.before} -> ${r.halt.after}`,
  ];
  if (r.portfolio)
    lines.push(
      `equity ${r.portfolio.equity} (previous day ${r.portfolio.previous_day_equity}, peak ${r.portfolio.equity_peak})`,
    );
  for (const d of r.decisions)
    lines.push(
      `  ${d.symbol}: entry ${d.entry ?? '-'} peak ${d.peak ?? '-'} stop ${d.stop ?? '-'} take ${d.take_profit ?? '-'} last ${d.last_price ?? '-'}: ${d.what}`,
    );
  for (const e of r.exits)
    lines.push(
      `  SELL ${e.symbol} ${e.quantity} (${e.reason}${e.level ? ` at ${e.level}` : ''}): ${e.status}${e.price ? ` @ ${e.price}` : ''}`,
    );
  return lines.join('\n');
}
