/**
 * `momentum-rebalancer backtest [flags]` (`npm run backtest -- …`): how would the strategy have done over
 * real history? Runs the backtest use case (src/app/backtest.ts) on the bundled data or `--data DIR`,
 * prints the metrics of the strategy and its benchmarks, writes the results JSON (`--out`) and the HTML
 * report (`--report`), and records the run in the ledger unless `--no-record`. With `--sweep`, runs a
 * parameter grid on worker threads (src/app/backtest-sweep.ts), ranks it by Sharpe and writes a CSV.
 *
 * Everything that can be refused is refused before anything is written or any database is opened:
 * bad flags, `--from`/`--to`, sweep parameters and a wrong data directory exit 2, a bad config 78.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DataError } from '../adapters/data/bundled-dataset.ts';
import { HourlyDataError, loadHourlyBars } from '../adapters/data/hourly-window.ts';
import {
  type BacktestSettings,
  type BacktestSummary,
  backtestMarketOf,
  backtestWindow,
  checkBacktestPeriod,
  entryFilterOn,
  runBacktest,
} from '../app/backtest.ts';
import { BACKTEST_ACCOUNT_SUFFIX, backtestAccountName, recordBacktest } from '../app/backtest-record.ts';
import type { BacktestExit, BacktestMetrics, BacktestResult } from '../app/backtest-result.ts';
import { overrideValue, runSweep, type SweepJob } from '../app/backtest-sweep.ts';
import { exitCodeOf, UserInputError } from '../app/errors.ts';
import { composeBacktestData, composeBacktestLedger } from '../compose/backtest.ts';
import { settingsFrom } from '../compose/settings.ts';
import { ConfigError, type LoadedConfig, loadConfig, type Overrides } from '../config/loader.ts';
import { sweepParams } from '../config/schema.ts';
import {
  expandGrid,
  parseSweep,
  rankBySharpe,
  type SweepAxis,
  SweepError,
  type SweepValue,
  toCsv,
} from '../domain/metrics/sweep-grid.ts';
import { intradayRuleOn } from '../domain/risk/risk-settings.ts';
import { dayToMs } from '../domain/time.ts';
import { renderBacktestReport } from '../report/html-report.ts';
import { configFlagOptions, configFlagRows, configOverrides, helpRows } from './flags.ts';
import { createLogger } from './logger.ts';
import { table } from './table.ts';

/** The sweepable parameters of `--sweep`, derived from the config key table (CONFIG_KEYS `sweep: true`). */
const SWEEPABLE = sweepParams();
type SweepParam = (typeof SWEEPABLE)[string];

/** `text` wrapped at `width` columns, every line indented by `indent` spaces. */
function wrap(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}

/** The backtest command's help text. */
export const BACKTEST_USAGE = `Usage: momentum-rebalancer backtest [flags]

Replays the strategy over the daily history (bundled data, or --data DIR) with the same domain code as a
live rebalance, and compares it with two benchmarks: BTC hold and the equal-weight universe.

Flags:
${helpRows([
  ['--config FILE', 'config file (INI; default ./user.cfg when present)'],
  ['-h, --help', 'show this text'],
  ['--from YYYY-MM-DD', 'first day (default: first day of the data + lookback_days + 1)'],
  ['--to YYYY-MM-DD', 'last day (default: last day of the data)'],
  ['--data DIR', 'data directory of the shared layout (default: the bundled data/)'],
  ['--out FILE.json', 'write the results JSON (equity, trades, rejections, metrics, benchmarks)'],
  ['--report FILE.html', 'write the self-contained HTML report'],
  ['--no-record', 'do not record the backtest in the ledger (no database is opened)'],
  [
    '--sweep NAME=V1,V2 …',
    `run every combination of the listed values on all cores, rank by Sharpe, write a\nCSV (<out>.sweep.csv next to --out, else ./backtest-sweep.csv). Parameters:\n${wrap(Object.keys(SWEEPABLE).join(', '), 0, 80)}`,
  ],
  ...configFlagRows(['data', 'exchange', 'base-url']),
  ['--mode VALUE', 'deprecated spelling of --rebalance-mode (warns)'],
])}

Recorded backtests are runs of kind "backtest" of the ledger account "<[paper] account>${BACKTEST_ACCOUNT_SUFFIX}",
with their daily equity in the table backtest_equity (Metabase view backtest_overview).
Exit codes: 0 done; 2 bad input (flags, dates, sweep values, a missing, malformed or corrupt data
directory); 69 database unreachable; 75 the embedded ledger is in use by another instance; 78
configuration error; 1 unexpected failure.
`;

/** `--sweep` takes every following token up to the next flag. */
function splitSweep(argv: readonly string[]): { rest: string[]; sweep: string[]; sweepGiven: boolean } {
  const rest: string[] = [];
  const sweep: string[] = [];
  let sweepGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--sweep') {
      sweepGiven = true;
      let j = i + 1;
      for (; j < argv.length && !(argv[j] as string).startsWith('--'); j++) sweep.push(argv[j] as string);
      if (j === i + 1) throw new SweepError('--sweep needs NAME=V1,V2,... arguments', null);
      i = j - 1;
    } else if (a.startsWith('--sweep=')) {
      sweepGiven = true;
      sweep.push(a.slice('--sweep='.length));
    } else rest.push(a);
  }
  return { rest, sweep, sweepGiven };
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(2)}%`);
const num = (x: number | null, dp = 2) => (x === null ? '-' : x.toFixed(dp));

/**
 * Every metric (strategy-semantics.md §9), in the order of the metrics table and of the sweep CSV columns:
 * its key (the CSV column), its label in the table and its format there.
 */
const METRICS: readonly (readonly [keyof BacktestMetrics, string, (x: number | null) => string])[] = [
  ['total_return', 'total return', pct],
  ['cagr', 'CAGR', pct],
  ['volatility', 'volatility', pct],
  ['sharpe', 'Sharpe', num],
  ['sortino', 'Sortino', num],
  ['max_drawdown', 'max drawdown', pct],
  ['calmar', 'Calmar', num],
  ['fees', 'fees', num],
  ['turnover', 'turnover', (x) => `${num(x, 1)}x`],
  ['n_trades', 'trades', String],
];

/** The metrics table: one column per series. */
export function metricsTable(columns: readonly (readonly [string, BacktestMetrics, number])[]): string {
  const rows: (readonly [string, (m: BacktestMetrics, last: number) => string])[] = [
    ['final equity', (_m, last) => num(last)],
    ...METRICS.map(([key, label, fmt]) => [label, (m: BacktestMetrics) => fmt(m[key])] as const),
  ];
  return table(
    ['', ...columns.map(([name]) => name)],
    rows.map(([label, f]) => [label, ...columns.map(([, m, last]) => f(m, last))]),
    `l${'r'.repeat(columns.length)}`,
  );
}

/** A progress line on stderr, only when stderr is a TTY. */
function progressBar(label: string): { update(fraction: number, note?: string): void; done(): void } {
  if (process.stderr.isTTY !== true) return { update() {}, done() {} };
  let shown = -1;
  return {
    update(fraction, note = '') {
      const p = Math.floor(fraction * 100);
      if (p === shown) return;
      shown = p;
      const width = 30;
      const filled = Math.round(fraction * width);
      process.stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(p).padStart(3)}% ${note}`,
      );
    },
    done() {
      if (shown >= 0) process.stderr.write('\r\x1b[2K');
    },
  };
}

/** Refuses an output path whose directory does not exist (before anything runs). */
function checkOutputPath(flag: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UserInputError(`${flag} ${file}: the directory ${dir} does not exist`);
  if (existsSync(abs) && statSync(abs).isDirectory())
    throw new UserInputError(`${flag} ${file}: is a directory`);
  return abs;
}

/** `x.json` → `x.sweep.csv`; no `--out` → `./backtest-sweep.csv`. */
export function sweepCsvPath(out: string | undefined): string {
  if (out === undefined) return path.resolve('backtest-sweep.csv');
  return `${out.replace(/\.json$/i, '')}.sweep.csv`;
}

function describeSettings(s: BacktestSettings): string {
  return [
    s.strategy.mode,
    `top ${s.strategy.topN}`,
    `lookback ${s.strategy.lookbackDays} d`,
    `every ${s.strategy.rebalanceEveryDays} d`,
    `${s.portfolio.rebalanceMode} mode`,
    `fee ${s.execution.feeRate}`,
    `slippage ${s.execution.slippageBps} bps`,
  ].join(' · ');
}

/**
 * Runs `backtest` with `argv` (the arguments after the command) and returns the process exit code.
 * Writes the metrics to stdout, progress (TTY only) and errors to stderr. Never throws.
 */
export async function runBacktestCommand(argv: readonly string[]): Promise<number> {
  let logger = createLogger('info', 'auto');
  try {
    let split: ReturnType<typeof splitSweep>;
    let values: Record<string, string | boolean | undefined>;
    try {
      split = splitSweep(argv);
      const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
        config: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
        report: { type: 'string' },
        'no-record': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...configFlagOptions(),
      };
      values = parseArgs({ args: split.rest, options, allowPositionals: false, strict: true }).values;
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n\n${BACKTEST_USAGE}`);
      return 2;
    }
    if (values.help) {
      process.stdout.write(BACKTEST_USAGE);
      return 0;
    }
    const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
    const overrides: Overrides = configOverrides(values, (m) => process.stderr.write(`${m}\n`));
    const configPath = str('config');
    const load = (extra: Overrides = {}): LoadedConfig => {
      const merged: Overrides = { ...overrides };
      for (const [section, kv] of Object.entries(extra)) {
        merged[section as keyof Overrides] = { ...(merged[section as keyof Overrides] ?? {}), ...kv };
      }
      return loadConfig({
        ...(configPath !== undefined ? { configPath } : {}),
        cwd: process.cwd(),
        env: process.env,
        overrides: merged,
      });
    };
    const loaded = load();
    const config = loaded.config;
    logger = createLogger(config.log.level, config.log.format);
    const record = values['no-record'] !== true;
    const outPath = checkOutputPath('--out', str('out'));
    const reportPath = checkOutputPath('--report', str('report'));

    // ---- sweep grid: parsed and every configuration validated before any data is read ----------------
    let grid: {
      axes: SweepAxis[];
      rows: { params: Record<string, SweepValue>; loaded: LoadedConfig }[];
    } | null = null;
    if (split.sweepGiven) {
      if (reportPath)
        throw new UserInputError('--report cannot be combined with --sweep (one report per backtest)');
      const axes = parseSweep(split.sweep, SWEEPABLE);
      const rows = expandGrid(axes).map((params) => {
        const extra: Overrides = {};
        for (const [name, v] of Object.entries(params)) {
          const [section, key] = (SWEEPABLE[name] as SweepParam).config;
          extra[section] = { ...(extra[section] ?? {}), [key]: overrideValue(v) };
        }
        try {
          return { params, loaded: load(extra) };
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          // Name the swept parameter and value rather than the override the loader saw.
          const lines = err.problems.map((p) => {
            const name = Object.keys(params).find((n) => {
              const [section, key] = (SWEEPABLE[n] as SweepParam).config;
              return section === p.section && key === p.key;
            });
            const reason = p.message.replace(/^.*?: (?=[a-z])/, '');
            return name === undefined
              ? p.message
              : `${name}=${overrideValue(params[name] as SweepValue)} is not allowed: ${reason}`;
          });
          throw new SweepError(`sweep: ${lines.join('; ')}`, null);
        }
      });
      grid = { axes, rows };
    }

    // ---- data: a wrong directory is bad input here (exit 2), refused before any database -------------
    const tLoad = performance.now();
    const { dataDir, dataset } = await composeBacktestData(config, logger);
    const from = str('from');
    const to = str('to');

    if (grid) {
      const settingsList = grid.rows.map((r) => settingsFrom(r.loaded.config));
      if (settingsList.some((s) => s.risk !== undefined && intradayRuleOn(s.risk)))
        throw new UserInputError(
          '--sweep with an intraday rule on ([risk] / [signals] exit_signal) is not supported yet: run the configurations one by one',
        );
      // One period for every configuration (the latest default start when --from is not given).
      const periods = settingsList.map((s) => checkBacktestPeriod(dataset, s, from, to));
      const start = periods
        .map((p) => p.from)
        .sort()
        .at(-1) as string;
      const end = (periods[0] as { to: string }).to;
      if (start > end) throw new UserInputError(`--from ${start} is after --to ${end}`);
      return await sweepCommand({
        grid,
        settingsList,
        from: start,
        to: end,
        dataDir,
        outPath,
        record,
        loaded,
        loadMs: performance.now() - tLoad,
        logger,
      });
    }

    const settings = settingsFrom(config);
    const period = checkBacktestPeriod(dataset, settings, from, to);
    // §10: an intraday rule on → the hourly candles up to `to` (every day of [from, to] covered), else none
    let hourly: ReturnType<typeof loadHourlyBars> | undefined;
    if (settings.risk !== undefined && intradayRuleOn(settings.risk)) {
      if (settings.risk.interval !== '1h')
        throw new UserInputError(
          `[intraday] interval = ${settings.risk.interval}: backtests run the intraday rules on 1h candles only (the data has binance/klines-1h); set interval = 1h`,
        );
      hourly = loadHourlyBars(await dataset.hourly(), dayToMs(period.from), dayToMs(period.to));
    }
    const market = backtestMarketOf(
      dataset,
      backtestWindow(period.from, period.to, settings.strategy.lookbackDays, entryFilterOn(settings)),
    );
    const loadMs = performance.now() - tLoad;
    const startedAt = Date.now();
    const bar = progressBar('backtest');
    const run = runBacktest(market, {
      settings,
      from: period.from,
      to: period.to,
      effectiveConfig: { ...loaded.redacted(), data: { ...loaded.redacted().data, dir: dataDir } },
      onProgress: (f) => bar.update(f),
      ...(hourly !== undefined ? { hourly } : {}),
    });
    bar.done();
    const simulationMs = run.simulationMs;
    const result = run.result;
    const tWrite = performance.now();
    const written: string[] = [];
    if (outPath) {
      writeFileSync(outPath, `${JSON.stringify(result)}\n`);
      written.push(`results ${outPath}`);
    }
    if (reportPath) {
      writeFileSync(reportPath, renderBacktestReport(result, { title: `Backtest ${run.from} → ${run.to}` }));
      written.push(`report ${reportPath}`);
    }
    const writeMs = performance.now() - tWrite;
    const last = (pts: BacktestResult['equity']) => pts[pts.length - 1]?.equity ?? Number.NaN;
    const lines = [
      `Backtest ${run.from} → ${run.to} (${result.equity.length - 1} days) · ${describeSettings(settings)}`,
      '',
      metricsTable([
        ['strategy', result.metrics, last(result.equity)],
        ['btc_hold', result.benchmarks.btc_hold, last(result.benchmark_equity.btc_hold)],
        ['equal_weight', result.benchmarks.equal_weight, last(result.benchmark_equity.equal_weight)],
      ]),
      '',
      `Trades ${run.tradeCount}, rejected orders ${run.rejectedCount}${rejectionSummary(run.rejectionTally().byReason)}${run.engine === 'reference' ? (hourly !== undefined ? ' · reference engine (intraday rules)' : ' · reference engine (values beyond the fast path)') : ''}`,
      ...stuckHoldings(run.rejectionTally().firstNoPrice),
      ...exitSummary(result.exits, result.halted_at, hourly !== undefined),
      `Time: data ${(loadMs / 1000).toFixed(2)} s, simulation ${(simulationMs / 1000).toFixed(2)} s${written.length > 0 ? `, files ${(writeMs / 1000).toFixed(2)} s` : ''}`,
      ...written.map((w) => `Wrote ${w}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (record) {
      const { ledger, close } = await composeBacktestLedger(config, logger);
      try {
        const days = result.equity.map((p) => p.date);
        const rec = await recordBacktest(ledger, {
          ...recordedSettings(config.paper.account, settings),
          config: result.config,
          from: run.from,
          to: run.to,
          days,
          equity: run.exact.strategy,
          btc: run.exact.btc_hold,
          equalWeight: run.exact.equal_weight,
          metrics: result.metrics,
          benchmarks: result.benchmarks,
          trades: run.tradeCount,
          rejected: run.rejectedCount,
          engine: run.engine,
          startedAt,
          finishedAt: Date.now(),
          timings: {
            load: Math.round(loadMs),
            simulation: Math.round(run.simulationMs),
            write: Math.round(writeMs),
          },
        });
        process.stdout.write(
          `Recorded as backtest run #${rec.runId} (account ${backtestAccountName(config.paper.account)}, ${rec.rows} equity rows)\n`,
        );
      } finally {
        await close();
      }
    }
    return 0;
  } catch (err) {
    // hourly data an intraday backtest needs: 66 (EX_NOINPUT, issue 10); other data problems: bad input, 2
    const code = err instanceof HourlyDataError ? 66 : err instanceof DataError ? 2 : exitCodeOf(err);
    const msg = err instanceof Error ? err.message : String(err);
    if (code === 1) logger.error({ err }, msg);
    const kind = err instanceof Error ? err.name : 'Error';
    process.stderr.write(
      `${kind === 'Error' || err instanceof UserInputError || err instanceof SweepError ? 'error' : kind}: ${msg}\n`,
    );
    return code;
  }
}

interface SweepCommandInput {
  readonly grid: { axes: SweepAxis[]; rows: { params: Record<string, SweepValue>; loaded: LoadedConfig }[] };
  readonly settingsList: readonly BacktestSettings[];
  readonly from: string;
  readonly to: string;
  readonly dataDir: string;
  readonly outPath: string | undefined;
  readonly record: boolean;
  readonly loaded: LoadedConfig;
  readonly loadMs: number;
  readonly logger: ReturnType<typeof createLogger>;
}

/** One configuration's outcome in the ranking. */
type SweepRow = BacktestMetrics & {
  readonly index: number;
  readonly params: Record<string, SweepValue>;
  readonly final_equity: number | null;
};

async function sweepCommand(input: SweepCommandInput): Promise<number> {
  const { grid, settingsList, from, to } = input;
  // One window for every job (the largest lookback): each worker lays the data out once.
  const window = backtestWindow(
    from,
    to,
    Math.max(...settingsList.map((s) => s.strategy.lookbackDays)),
    settingsList.some(entryFilterOn),
  );
  const jobs: SweepJob[] = settingsList.map((settings, index) => ({ index, settings, from, to, window }));
  const startedAt = Date.now();
  const t0 = performance.now();
  const bar = progressBar('sweep');
  const summaries: BacktestSummary[] = await runSweep({
    dataDir: input.dataDir,
    jobs,
    onProgress: (done, total) => bar.update(done / total, `${done}/${total} configurations`),
  });
  bar.done();
  const sweepMs = performance.now() - t0;
  const names = grid.axes.map((a) => a.name);
  const rows: SweepRow[] = summaries.map((s, index) => ({
    ...s.metrics,
    index,
    params: grid.rows[index]?.params ?? {},
    final_equity: s.equity[s.equity.length - 1]?.equity ?? null,
  }));
  const ranked = rankBySharpe(rows).map((r, k) => ({ ...r, rank: k + 1 }));
  const flat = ranked.map((r) => {
    const { params, ...rest } = r;
    return { ...params, ...rest } as Record<string, unknown>;
  });
  const csvPath = sweepCsvPath(input.outPath);
  writeFileSync(csvPath, toCsv(flat, ['rank', ...names, 'final_equity', ...METRICS.map(([key]) => key)]));
  if (input.outPath) {
    writeFileSync(
      input.outPath,
      `${JSON.stringify({
        from,
        to,
        sweep: grid.axes,
        configurations: ranked.map((r) => ({
          rank: r.rank,
          params: r.params,
          metrics: summaries[r.index]?.metrics,
          final_equity: r.final_equity,
        })),
      })}\n`,
    );
  }
  const threads = Math.min(summaries.length, os.availableParallelism());
  const out = [
    `Sweep ${from} → ${to}: ${summaries.length} configurations on ${threads} worker thread(s), ranked by Sharpe`,
    '',
    table(
      ['rank', ...names, 'Sharpe', 'total return', 'CAGR', 'max DD', 'trades'],
      ranked.map((r) => [
        String(r.rank),
        ...names.map((n) => String(r.params[n])),
        num(r.sharpe),
        pct(r.total_return),
        pct(r.cagr),
        pct(r.max_drawdown),
        String(r.n_trades),
      ]),
      `r${'r'.repeat(names.length)}rrrrr`,
    ),
    '',
    `Time: data ${(input.loadMs / 1000).toFixed(2)} s, sweep ${(sweepMs / 1000).toFixed(2)} s`,
    `Wrote CSV ${csvPath}${input.outPath ? ` and results ${input.outPath}` : ''}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  if (input.record) {
    const config = input.loaded.config;
    const { ledger, close } = await composeBacktestLedger(config, input.logger);
    try {
      const runIds: string[] = [];
      for (let k = 0; k < summaries.length; k++) {
        const s = summaries[k] as BacktestSummary;
        const row = grid.rows[k] as (typeof grid.rows)[number];
        const settings = settingsList[k] as BacktestSettings;
        const rec = await recordBacktest(ledger, {
          ...recordedSettings(config.paper.account, settings),
          config: { ...row.loaded.redacted(), backtest: { from, to, engine: s.engine, sweep: row.params } },
          from,
          to,
          days: s.equity.map((p) => p.date),
          equity: s.exact,
          btc: null,
          equalWeight: null,
          metrics: s.metrics,
          benchmarks: null,
          trades: null,
          rejected: null,
          engine: s.engine,
          sweep: row.params,
          startedAt,
          finishedAt: Date.now(),
          timings: { simulation: Math.round(s.simulationMs) },
        });
        runIds.push(rec.runId);
      }
      process.stdout.write(
        `Recorded ${runIds.length} backtest runs #${runIds[0]}..#${runIds.at(-1)} (account ${backtestAccountName(config.paper.account)})\n`,
      );
    } finally {
      await close();
    }
  }
  return 0;
}

/** ` (zero_quantity 50354 · no_price 972 · …)`: the rejections by reason, most first; empty without any. */
function rejectionSummary(by: ReadonlyMap<string, number>): string {
  if (by.size === 0) return '';
  const parts = [...by].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `${k} ${n}`);
  return ` (${parts.join(' · ')})`;
}

/**
 * A warning line when holdings could not be sold because their symbol had no candle (`no_price`, §7): a
 * delisting, or the data source ending (README "Backtests"). They stay valued at their last close.
 */
function stuckHoldings(since: ReadonlyMap<string, string>): string[] {
  if (since.size === 0) return [];
  const shown = [...since].slice(0, 5).map(([sym, d]) => `${sym} from ${d}`);
  return [
    `Warning: SELLs of ${since.size} held symbol(s), often dust, were rejected for lack of a price (delisted, ` +
      `or the data ends); they stayed valued at their last close: ${shown.join(', ')}${since.size > shown.length ? ', …' : ''}`,
  ];
}

/** The account and settings columns of a recorded backtest (`recordBacktest`). */
function recordedSettings(account: string, settings: BacktestSettings) {
  return {
    account,
    quoteAsset: settings.quoteAsset,
    initialQuote: settings.initialQuote,
    strategyMode: settings.strategy.mode,
    rebalanceMode: settings.portfolio.rebalanceMode,
  };
}

/**
 * The terminal lines of the intraday exits (§10): their count by reason and the halt, when intraday rules
 * were on; nothing otherwise.
 */
function exitSummary(exits: readonly BacktestExit[], haltedAt: string | null, on: boolean): string[] {
  if (!on) return [];
  const by = new Map<string, number>();
  for (const e of exits) by.set(e.reason, (by.get(e.reason) ?? 0) + 1);
  const parts = [...by].sort(([a], [b]) => (a < b ? -1 : 1)).map(([r, n]) => `${r} ${n}`);
  return [
    `Intraday exits ${exits.length}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}${haltedAt !== null ? ` · halted at ${haltedAt} (max_drawdown): no buying after it` : ''}`,
  ];
}
