/**
 * The command-line program: `momentum-rebalancer <command> [flags]`.
 * Commands: `rebalance`, `schedule`, `status`, `history`, `risk status|reset`, `backtest`, `db:migrate`,
 * `download-data`, `help [command]`, `--version`.
 * Exit codes: src/cli/exit-codes.ts (README "Exit codes").
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { UserInputError } from '../app/errors.ts';
import { runRebalance } from '../app/rebalance.ts';
import { riskStatus } from '../app/risk/risk-status.ts';
import { composeNotifier, jobContextOf, notifyRebalance } from '../compose/notify.ts';
import { composeBookReader, composeMigrate } from '../compose/read-only.ts';
import { openAdapters } from '../compose/rebalance.ts';
import { settingsFrom } from '../compose/settings.ts';
import { withAdapters } from '../compose/with-adapters.ts';
import type { LoadedConfig } from '../config/loader.ts';
import { dayToMs } from '../domain/time.ts';
import { PACKAGE_ROOT } from '../paths.ts';
import { BACKTEST_USAGE, runBacktestCommand } from './backtest-command.ts';
import {
  EQUITY_CSV_COLUMNS,
  formatHistory,
  formatStatus,
  RUNS_CSV_COLUMNS,
  toCsvRows,
} from './book-format.ts';
import { type Options, runConfiguredCommand, type Values } from './configured-command.ts';
import { DOWNLOAD_USAGE, runDownloadCommand } from './download-command.ts';
import { EXIT, EXIT_CODE_DOCS } from './exit-codes.ts';
import { flags } from './flag-options.ts';
import { configFlagOptions, configFlagRows, helpRows } from './flags.ts';
import { INTRADAY_OPTIONS, INTRADAY_USAGE, runIntradayCommand } from './intraday-command.ts';
import { METABASE_USAGE, runMetabaseCommand } from './metabase-command.ts';
import { printOutcome } from './print-outcome.ts';
import { formatReport } from './report.ts';
import { runReportCommand } from './report-command.ts';
import { haltStatusLine, RISK_OPTIONS, RISK_USAGES, riskSubcommand, runRiskCommand } from './risk-command.ts';
import { runScheduleCommand } from './schedule-command.ts';

/** The package version (package.json), e.g. `0.1.0`. */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version: string })
    .version;
}

const COMMANDS: [string, string][] = [
  ['rebalance', 'rank the universe, sell the old basket, equal-weight the top N, record everything'],
  ['intraday', 'one intraday pass: sell positions whose stop, take-profit or exit signal fired'],
  ['schedule', 'the scheduler daemon: rebalance at [schedule] rebalance_at until SIGTERM (npm start)'],
  ['status', 'the book now: holdings, marks, P/L, fees, last runs (from the ledger; no exchange call)'],
  ['history', 'runs and daily equity of an account (text, --json or --csv)'],
  ['risk status|reset', 'the kill switch: its state and events; risk reset --yes clears a halt'],
  ['report', "the account's offline HTML report: equity, P/L by asset, fills with slippage and latency"],
  ['backtest', 'replay the strategy over the daily history'],
  ['db:migrate', 'apply the SQL migrations to the ledger database'],
  ['download-data', "bring a data directory up to date from Binance's public market data"],
  ['metabase', 'add or update the ledger dashboards in a Metabase instance (--url URL)'],
  ['help [COMMAND]', 'show this text, or the flags of COMMAND'],
];

const ENVIRONMENT = `Environment: REBALANCER_<SECTION>_<KEY> for any config key, DATABASE_URL, LOG_LEVEL;
BINANCE_API_KEY with BINANCE_API_SECRET (HMAC) or BINANCE_PRIVATE_KEY_PATH (Ed25519 PEM) for the
testnet and live exchanges (kind = paper needs none); COINGECKO_API_KEY for [data] market_caps = coingecko
(optional); TELEGRAM_TOKEN (the bot token) with [notify] telegram_chat_id for Telegram notifications.`;

const EXIT_CODES = `Exit codes:\n${helpRows(EXIT_CODE_DOCS.map((d) => [String(d.code), d.meaning]))}`;

const USAGE = `Usage: momentum-rebalancer <command> [flags]
       momentum-rebalancer <command> --help
       momentum-rebalancer --version

Commands:
${helpRows(COMMANDS)}

${ENVIRONMENT}

${EXIT_CODES}
`;

const COMMON_ROWS: [string, string][] = [
  ['--config FILE', 'config file (INI; default ./user.cfg when present)'],
  ['-h, --help', 'show the flags of this command'],
];

const REBALANCE_USAGE = `Usage: momentum-rebalancer rebalance [flags]

Ranks the universe on the decision day, sells the old basket, buys the top N equal-weighted and records
every order, fill, fee and the P/L in the ledger. One instance per account: a second run on the same
account waits [database] lock_wait_ms, then exits 75.

Flags:
${helpRows([
  ...COMMON_ROWS,
  ['--as-of YYYY-MM-DD', 'decision day (default: the latest day of the data)'],
  ['--dry-run', 'plan and simulate; place nothing, record nothing'],
  ['--force', 'rebalance even if this period was already rebalanced or is not due'],
  ['--json', 'print one JSON object instead of the report'],
  ['--live', 'with [exchange] kind = live and allow_mainnet = true: trade real money on mainnet'],
  ...configFlagRows(),
  ['--mode VALUE', 'deprecated spelling of --rebalance-mode (warns)'],
])}

${ENVIRONMENT}

${EXIT_CODES}
`;

const SCHEDULE_USAGE = `Usage: momentum-rebalancer schedule [flags]

The scheduler daemon (also \`npm start\`): holds the account's lock for its whole life (a second instance
exits 75 naming it; a one-shot rebalance waits [database] lock_wait_ms, then exits 75), runs the
rebalance at [schedule] rebalance_at (HH:MM or a cron expression, in [schedule] timezone, default
Etc/UTC), never two jobs at once, logs missed slots, and on start catches up today's slot when it has
passed ([schedule] catch_up). SIGTERM / SIGINT: no new slot starts, the running job finishes, exit 0.
With an intraday rule on ([risk], [signals]) on testnet / live, the intraday pass runs every
[intraday] check_every_minutes too (never at the same time as the rebalance).

Flags:
${helpRows([
  ...COMMON_ROWS,
  ['--live', 'with [exchange] kind = live and allow_mainnet = true: trade real money on mainnet'],
  ...configFlagRows(),
])}

${ENVIRONMENT}

${EXIT_CODES}
`;

const BOOK_FLAGS = ['account', 'database-url', 'log-level', 'log-format'];
const MIGRATE_FLAGS = ['database-url', 'log-level', 'log-format'];
/** Help rows of the config-key flags in `keep` only. */
const onlyFlagRows = (keep: readonly string[]) =>
  configFlagRows(Object.keys(configFlagOptions()).filter((f) => !keep.includes(f)));
const bookFlagRows = () => onlyFlagRows(BOOK_FLAGS);

const STATUS_USAGE = `Usage: momentum-rebalancer status [flags]

The book of an account now, read from the ledger (no exchange call, nothing written): equity and P/L at
the marks of the last equity snapshot, fees paid, the assets held, the last runs, and the kill switch's
state (momentum-rebalancer risk status for its events).

Flags:
${helpRows([
  ...COMMON_ROWS,
  ['--json', 'print one JSON object { account, equity, holdings, last_runs, halt } (exact decimals)'],
  ['--runs N', 'how many last runs to show (default 5)'],
  ...bookFlagRows(),
])}

${EXIT_CODES}
`;

const HISTORY_USAGE = `Usage: momentum-rebalancer history [flags]

The rebalance runs of an account (newest first) and its daily equity (oldest first), from the ledger.

Flags:
${helpRows([
  ...COMMON_ROWS,
  ['--json', 'print one JSON object { account, runs, equity } (exact decimals)'],
  ['--csv', 'print CSV: the daily equity, or the runs with --of runs'],
  ['--of equity|runs', 'what --csv prints (default equity)'],
  ['--limit N', 'most recent runs / days (default 1000)'],
  ['--from YYYY-MM-DD', 'only runs (by period) and days on or after this UTC day'],
  ['--to YYYY-MM-DD', 'only runs (by period) and days on or before this UTC day'],
  ...bookFlagRows(),
])}

${EXIT_CODES}
`;

const REPORT_USAGE = `Usage: momentum-rebalancer report --out FILE.html [flags]

The account's self-contained HTML report, from the ledger (no exchange call, nothing written to the
ledger; opens offline): equity, drawdown, monthly returns, turnover and fees, holdings, P/L by asset,
every order with decision price, fill price, slippage (bps) and latency (ms), rejected orders by reason.

Flags:
${helpRows([
  ...COMMON_ROWS,
  ['--out FILE.html', 'where to write the report (required; written atomically)'],
  ...bookFlagRows(),
])}

${EXIT_CODES}
`;

const MIGRATE_USAGE = `Usage: momentum-rebalancer db:migrate [flags]

Applies the pending SQL migrations (sql/migrations) to the ledger: [database] url / DATABASE_URL, else
the embedded PGlite directory [database] data_dir.

Flags:
${helpRows([...COMMON_ROWS, ...onlyFlagRows(MIGRATE_FLAGS)])}

${EXIT_CODES}
`;

const COMMAND_USAGE: Readonly<Record<string, string>> = {
  rebalance: REBALANCE_USAGE,
  intraday: INTRADAY_USAGE,
  schedule: SCHEDULE_USAGE,
  status: STATUS_USAGE,
  history: HISTORY_USAGE,
  report: REPORT_USAGE,
  backtest: BACKTEST_USAGE,
  'db:migrate': MIGRATE_USAGE,
  'download-data': DOWNLOAD_USAGE,
  ...RISK_USAGES,
};

/** The command names for an "unknown command" message (`risk` once, not its subcommands). */
const knownCommands = () =>
  [...Object.keys(COMMAND_USAGE).filter((c) => !c.startsWith('risk ')), 'metabase'].join(', ');

const COMMAND_OPTIONS: Readonly<Record<string, Options>> = {
  rebalance: {
    'as-of': { type: 'string' },
    'dry-run': { type: 'boolean' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
    live: { type: 'boolean' },
    ...configFlagOptions(),
  },
  intraday: INTRADAY_OPTIONS as Options,
  schedule: {
    live: { type: 'boolean' },
    ...configFlagOptions(),
  },
  status: {
    json: { type: 'boolean' },
    runs: { type: 'string' },
    ...pick(configFlagOptions(), BOOK_FLAGS),
  },
  history: {
    ...flags('boolean', 'json', 'csv'),
    ...flags('string', 'of', 'limit', 'from', 'to'),
    ...pick(configFlagOptions(), BOOK_FLAGS),
  },
  report: {
    out: { type: 'string' },
    ...pick(configFlagOptions(), BOOK_FLAGS),
  },
  'db:migrate': pick(configFlagOptions(), MIGRATE_FLAGS),
  ...RISK_OPTIONS,
};

function pick(o: Options, keys: readonly string[]): Options {
  return Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)));
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the process exit code.
 * Writes the report / JSON / CSV to stdout and logs, warnings and errors to stderr. Never throws.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V' || command === 'version') {
    process.stdout.write(`momentum-rebalancer ${version()}\n`);
    return EXIT.OK;
  }
  if (command === undefined) {
    process.stderr.write(USAGE);
    return EXIT.USAGE;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    const topic = rest[0];
    if (topic === 'metabase') {
      process.stdout.write(METABASE_USAGE);
      return EXIT.OK;
    }
    if (topic !== undefined && COMMAND_USAGE[topic] === undefined) {
      process.stderr.write(`unknown command "${topic}"; known commands: ${knownCommands()}\n`);
      return EXIT.USAGE;
    }
    process.stdout.write(topic === undefined ? USAGE : (COMMAND_USAGE[topic] as string));
    return EXIT.OK;
  }
  if (command === 'backtest') {
    if (rest.includes('-h')) {
      process.stdout.write(BACKTEST_USAGE);
      return EXIT.OK;
    }
    return runBacktestCommand(rest);
  }
  if (command === 'download-data') return runDownloadCommand(rest);
  if (command === 'metabase') return runMetabaseCommand(rest);
  // `risk status …` / `risk reset …`: the subcommand names the command (its flags follow).
  const [cmd, args] = command === 'risk' ? riskSubcommand(rest) : [command, rest];
  const options = COMMAND_OPTIONS[cmd];
  const usage = COMMAND_USAGE[cmd];
  if (options === undefined || usage === undefined) {
    process.stderr.write(
      `unknown command "${command}"; known commands: ${knownCommands()}, help\n\n${USAGE}`,
    );
    return EXIT.USAGE;
  }
  return runConfiguredCommand(args, options, usage, async (values, loaded, logger) => {
    if (command === 'db:migrate') return await migrate(loaded, logger);
    if (command === 'status' || command === 'history') return await book(command, loaded, logger, values);
    if (command === 'schedule') return await runScheduleCommand(loaded, logger, values);
    if (command === 'intraday') return await runIntradayCommand(loaded, logger, values);
    if (command === 'report') return await runReportCommand(loaded, logger, values);
    if (command === 'risk') return await runRiskCommand(cmd, loaded, logger, values);
    return await rebalance(loaded, logger, values);
  });
}

async function migrate(loaded: LoadedConfig, logger: Logger): Promise<number> {
  await composeMigrate(loaded.config, logger);
  process.stdout.write('ledger migrated\n');
  return EXIT.OK;
}

async function rebalance(loaded: LoadedConfig, logger: Logger, values: Values): Promise<number> {
  const dayMs = typeof values['as-of'] === 'string' ? parseDayFlag('--as-of', values['as-of']) : undefined;
  const dryRun = values['dry-run'] === true;
  // [notify]: the summary or the failure is sent after the run (ledger written, adapters closed) and
  // awaited with a bounded wait (src/compose/notify.ts).
  const notifier = composeNotifier(loaded.config, loaded.notifySecrets(), logger);
  const result = await notifyRebalance(
    notifier,
    jobContextOf(loaded.config),
    () =>
      withAdapters(
        openAdapters(loaded.config, logger, {
          live: values.live === true,
          credentials: loaded.credentials(),
          command: 'rebalance',
        }),
        (adapters) =>
          runRebalance(adapters.deps, {
            settings: settingsFrom(loaded.config),
            ...(dayMs !== undefined ? { dayMs } : {}),
            dryRun,
            force: values.force === true,
            effectiveConfig: loaded.redacted(),
          }),
      ),
    { wait: true, dryRun },
  );
  return printOutcome(result, values.json === true, formatReport);
}

/**
 * A UTC day flag (`YYYY-MM-DD`) as the UTC ms of its 00:00 — flags are parsed here, at the edge; the use
 * cases take days in UTC ms. @throws UserInputError naming the flag.
 */
function parseDayFlag(flag: string, value: string): number {
  try {
    return dayToMs(value);
  } catch {
    throw new UserInputError(`${flag} ${JSON.stringify(value)}: expected a UTC day YYYY-MM-DD`);
  }
}

/** A positive integer flag value, or `fallback` when absent. @throws UserInputError naming the flag. */
function countFlag(values: Values, flag: string, fallback: number): number {
  const v = values[flag];
  if (typeof v !== 'string') return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 1_000_000)
    throw new UserInputError(`--${flag} ${JSON.stringify(v)}: must be a whole number from 1 to 1000000`);
  return Number(v);
}

/**
 * `--from` / `--to` of `history` as an inclusive day range.
 * @throws UserInputError (exit 2) naming the flag when a value is not a calendar day `YYYY-MM-DD`, or
 *   when --from is after --to.
 */
function dayRangeFlags(values: Values): { from?: string; to?: string } {
  const out: { from?: string; to?: string } = {};
  for (const flag of ['from', 'to'] as const) {
    const v = values[flag];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v) || !isCalendarDay(v))
      throw new UserInputError(`--${flag} ${JSON.stringify(v)}: expected a UTC day YYYY-MM-DD`);
    out[flag] = v;
  }
  if (out.from !== undefined && out.to !== undefined && out.from > out.to)
    throw new UserInputError(`--from ${out.from} is after --to ${out.to}`);
  return out;
}

function isCalendarDay(v: string): boolean {
  const ms = Date.parse(`${v}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === v;
}

async function book(
  command: 'status' | 'history',
  loaded: LoadedConfig,
  logger: Logger,
  values: Values,
): Promise<number> {
  const config = loaded.config;
  const account = settingsFrom(config).account;
  const runs = countFlag(values, 'runs', 5);
  const limit = countFlag(values, 'limit', 1000);
  const of = typeof values.of === 'string' ? values.of : 'equity';
  if (of !== 'equity' && of !== 'runs')
    throw new UserInputError(`--of ${JSON.stringify(of)}: allowed values: equity, runs`);
  if (values.json && values.csv) throw new UserInputError('--json and --csv cannot be combined');
  const range = dayRangeFlags(values);
  if (!config.database.url && !existsSync(path.join(config.database.data_dir, 'PG_VERSION'))) {
    throw new UserInputError(
      `no ledger yet at ${config.database.data_dir}: nothing has been recorded (run "momentum-rebalancer rebalance" first, or set DATABASE_URL)`,
    );
  }
  const opened = await composeBookReader(config, logger, command);
  const reader = opened.reader;
  try {
    const found =
      command === 'status' ? await reader.status(account, runs) : await reader.history(account, limit, range);
    if (found === null) {
      const known = await reader.accounts();
      throw new UserInputError(
        `no account "${account}" in the ledger (${opened.target}); accounts: ${known.length === 0 ? '(none)' : known.join(', ')} — choose one with --account`,
      );
    }
    // `status` shows the kill switch's state (issue 10 item 5).
    const halt = command === 'status' ? await riskStatus(opened.risk, account, 0, opened.target) : undefined;
    let out: string;
    if (values.json)
      out = JSON.stringify(
        halt === undefined
          ? found
          : { ...found, halt: { state: halt.state, since: halt.since, reason: halt.reason } },
      );
    else if (command === 'status' && halt !== undefined) {
      const [head, ...tail] = formatStatus(found as Parameters<typeof formatStatus>[0]).split('\n');
      out = [head, haltStatusLine(halt), ...tail].join('\n');
    } else {
      const h = found as Parameters<typeof formatHistory>[0];
      out = values.csv
        ? of === 'runs'
          ? toCsvRows(h.runs, RUNS_CSV_COLUMNS)
          : toCsvRows(h.equity, EQUITY_CSV_COLUMNS)
        : formatHistory(h);
    }
    process.stdout.write(`${out}\n`);
    return EXIT.OK;
  } finally {
    await opened.close();
  }
}
