/**
 * The command-line program: `momentum-rebalancer <command> [flags]`.
 * Commands: `rebalance`, `backtest`, `db:migrate`, `help`. Exit codes: README "Exit codes".
 */
import { parseArgs } from 'node:util';
import { exitCodeOf, UserInputError } from '../app/errors.ts';
import { runRebalance } from '../app/rebalance.ts';
import { openAdapters, openMigratedLedger, settingsFrom } from '../compose.ts';
import { FLAG_KEYS, loadConfig, type Overrides } from '../config/loader.ts';
import { runBacktestCommand } from './backtest-command.ts';
import { exitCodeOfResult } from './exit-codes.ts';
import { createLogger } from './logger.ts';
import { formatReport } from './report.ts';

const USAGE = `Usage: momentum-rebalancer <command> [flags]

Commands:
  rebalance     rank the universe, sell the old basket, equal-weight the top N, record everything
  db:migrate    apply the SQL migrations to the ledger database
  backtest      replay the strategy over the daily history (see: backtest --help)
  help          show this text

Flags (rebalance):
  --config FILE       config file (INI; default ./user.cfg when present)
  --as-of YYYY-MM-DD  decision day (default: the latest day of the data)
  --dry-run           plan and simulate; place nothing, record nothing
  --force             rebalance even if this period was already rebalanced or is not due
  --json              print one JSON object instead of the report
  --live              with [exchange] kind = live and allow_mainnet = true: trade real money on mainnet
${Object.entries(FLAG_KEYS)
  .map(([flag, [section, key]]) => `${`  --${flag} VALUE`.padEnd(22)}sets [${section}] ${key}`)
  .join('\n')}

Environment: REBALANCER_<SECTION>_<KEY> for any config key, DATABASE_URL, LOG_LEVEL;
BINANCE_API_KEY with BINANCE_API_SECRET (HMAC) or BINANCE_PRIVATE_KEY_PATH (Ed25519 PEM) for the
testnet and live exchanges; COINGECKO_API_KEY for [data] market_caps = coingecko (optional).
`;

/**
 * Runs the CLI with `argv` (without node and script) and returns the process exit code.
 * Writes the report / JSON to stdout and logs to stderr. Never throws.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'backtest') return runBacktestCommand(rest);
  if (command !== 'rebalance' && command !== 'db:migrate') {
    process.stderr.write(
      `unknown command "${command}"; known commands: rebalance, backtest, db:migrate, help\n\n${USAGE}`,
    );
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: Record<string, { type: 'string' | 'boolean' }> = {
      config: { type: 'string' },
      'as-of': { type: 'string' },
      'dry-run': { type: 'boolean' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
      live: { type: 'boolean' },
      help: { type: 'boolean' },
    };
    for (const flag of Object.keys(FLAG_KEYS)) options[flag] = { type: 'string' };
    values = parseArgs({ args: [...rest], options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const overrides: Overrides = {};
  for (const [flag, [section, key]] of Object.entries(FLAG_KEYS)) {
    const v = values[flag];
    if (typeof v === 'string') {
      overrides[section] ??= {};
      (overrides[section] as Record<string, string>)[key] = v;
    }
  }
  let logger = createLogger('info', 'auto');
  let close = async () => {};
  try {
    const loaded = loadConfig({
      ...(typeof values.config === 'string' ? { configPath: values.config } : {}),
      cwd: process.cwd(),
      env: process.env,
      overrides,
    });
    logger = createLogger(loaded.config.log.level, loaded.config.log.format);
    if (command === 'db:migrate') {
      await (await openMigratedLedger(loaded.config, logger)).close();
      process.stdout.write('ledger migrated\n');
      return 0;
    }
    const adapters = await openAdapters(loaded.config, logger, {
      live: values.live === true,
      credentials: loaded.credentials(),
    });
    close = adapters.close;
    const result = await runRebalance(adapters.deps, {
      settings: settingsFrom(loaded.config),
      ...(typeof values['as-of'] === 'string' ? { asOf: values['as-of'] } : {}),
      dryRun: values['dry-run'] === true,
      force: values.force === true,
      effectiveConfig: loaded.redacted(),
    });
    process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${formatReport(result)}\n`);
    return exitCodeOfResult(result);
  } catch (err) {
    const code = exitCodeOf(err);
    const msg = err instanceof Error ? err.message : String(err);
    const kind = err instanceof Error ? err.name : 'Error';
    if (code === 1) logger.error({ err }, msg);
    process.stderr.write(`${kind === 'Error' || err instanceof UserInputError ? 'error' : kind}: ${msg}\n`);
    return code;
  } finally {
    await close().catch(() => {});
  }
}
