import { UserInputError } from '../app/errors.ts';
import { composeDownload, type DownloadOutcome } from '../compose/download.ts';
import { dayToMs, msToDay } from '../domain/time.ts';
import { type Options, runConfiguredCommand, type Values } from './configured-command.ts';
import { EXIT } from './exit-codes.ts';
import { flags } from './flag-options.ts';
import { configFlagOptions, configFlagRows, helpRows } from './flags.ts';

const CONFIG_FLAGS = ['data', 'market-url', 'log-level', 'log-format'];

/** The download-data command's help text. */
export const DOWNLOAD_USAGE = `Usage: momentum-rebalancer download-data --data DIR [flags]

Brings DIR (our data layout: binance/klines-1d/<SYMBOL>.csv, binance/exchangeInfo*.json) up to date from
Binance's public market data (GET /api/v3/exchangeInfo and /api/v3/klines; no API key). Only the missing
closed candles are fetched (re-running is a no-op); the candle still open is never written; every file is
written atomically, so an interrupted download leaves every file valid and the next run resumes it.
A new or empty DIR is created. Then: backtest --data DIR, or [data] dir = DIR for replay.

Flags:
${helpRows([
  ['--config FILE', 'config file (INI; default ./user.cfg when present)'],
  ['-h, --help', 'show this text'],
  ['--data DIR', 'the data directory to update (required: the bundled data/ is never written)'],
  ['--symbols A,B', 'these symbols (any status); default: every TRADING symbol of --quote'],
  ['--quote ASSET', 'quote asset of the universe (default USDT)'],
  ['--interval 1d,1h', 'intervals to download (default 1d): klines-1d/, klines-1h/'],
  ['--from YYYY-MM-DD', 'first day for a new file (default 2017-07-01: the whole history)'],
  ['--to YYYY-MM-DD', 'last day, inclusive (default: the last closed candle)'],
  ['--json', 'print one JSON object (summary and request counts) instead of the text summary'],
  ...configFlagRows(
    Object.keys(configFlagOptions()).filter((f) => f === 'data' || !CONFIG_FLAGS.includes(f)),
  ),
])}

Request weight: klines cost 2 per request of up to 1000 candles, exchangeInfo 20; the run stays under
[exchange] weight_share × 6000 per minute, honours 429 (Retry-After) and stops on 418 (IP ban).
Exit codes: 0 done; 2 bad flags (unknown interval or symbol, --from after --to); 66 a data directory of
another layout, not writable, or holding a corrupt file; 69 the endpoint unreachable, a ban or a hostile
answer (files already finished are kept); 78 configuration error.
`;

/** A `YYYY-MM-DD` flag as UTC ms, or undefined. @throws UserInputError naming the flag. */
function dayFlag(values: Values, flag: string): number | undefined {
  const v = values[flag];
  if (typeof v !== 'string') return undefined;
  try {
    return dayToMs(v);
  } catch {
    throw new UserInputError(`--${flag} ${JSON.stringify(v)}: expected a UTC day YYYY-MM-DD`);
  }
}

/** A comma-separated flag as upper-case items, or undefined. */
function listFlag(values: Values, flag: string): string[] | undefined {
  const v = values[flag];
  if (typeof v !== 'string') return undefined;
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new UserInputError(`--${flag}: expected a comma-separated list`);
  return items;
}

/**
 * Runs `download-data` with `argv` (the arguments after the command name); returns the exit code.
 * Never throws.
 */
export async function runDownloadCommand(argv: readonly string[]): Promise<number> {
  const options = Object.fromEntries(
    Object.entries(configFlagOptions()).filter(([k]) => CONFIG_FLAGS.includes(k)),
  ) as Options;
  Object.assign(
    options,
    flags('string', 'symbols', 'quote', 'interval', 'from', 'to'),
    flags('boolean', 'json'),
  );
  return runConfiguredCommand(argv, options, DOWNLOAD_USAGE, async (values, loaded, logger) => {
    const dir = loaded.config.data.dir;
    if (dir === '')
      throw new UserInputError(
        'download-data needs --data DIR (or [data] dir): the directory to update; the bundled data/ is never written',
      );
    if (values.symbols !== undefined && values.quote !== undefined)
      throw new UserInputError('--symbols and --quote cannot be combined');
    const symbols = listFlag(values, 'symbols')?.map((s) => s.toUpperCase());
    const intervals = listFlag(values, 'interval');
    const fromMs = dayFlag(values, 'from');
    const toMs = dayFlag(values, 'to');
    const progress = !values.json && process.stderr.isTTY === true ? progressBar() : undefined;
    let outcome: DownloadOutcome;
    try {
      outcome = await composeDownload(loaded.config, logger, {
        dir,
        ...(symbols ? { symbols } : {}),
        ...(typeof values.quote === 'string' ? { quote: values.quote.toUpperCase() } : {}),
        ...(intervals ? { intervals } : {}),
        ...(fromMs !== undefined ? { fromMs } : {}),
        ...(toMs !== undefined ? { toMs } : {}),
        ...(progress ? { onProgress: progress.update } : {}),
      });
    } finally {
      progress?.end();
    }
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ ...outcome.summary, stats: outcome.stats, elapsed_ms: outcome.elapsedMs })}\n`
        : `${formatDownload(outcome)}\n`,
    );
    return EXIT.OK;
  });
}

/** A one-line progress bar on stderr (a terminal only), redrawn at most every 100 ms. */
function progressBar(): { update: (done: number, total: number, rows: number) => void; end: () => void } {
  let last = 0;
  let drawn = false;
  const draw = (done: number, total: number, rows: number) => {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} files · ${rows} rows`,
    );
    drawn = true;
  };
  return {
    update(done, total, rows) {
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      draw(done, total, rows);
    },
    end() {
      if (drawn) process.stderr.write('\n');
    },
  };
}

/** The text summary of a download. */
export function formatDownload(o: DownloadOutcome): string {
  const s = o.summary;
  const lines = [
    `download-data: ${s.dir} (${s.intervals.join(', ')}) from ${o.baseUrl}, exchange clock ${new Date(s.serverTimeMs).toISOString()}`,
    `Symbols: ${s.symbols} — ${s.created.length} new file(s), ${s.extended} extended, ${s.upToDate} already up to date, ${s.kept.length} kept unchanged (not trading), ${s.empty.length} without candles in the range`,
    `Rows written: ${s.rows}${s.rows === 0 ? ' (nothing was missing)' : ''}`,
  ];
  if (s.created.length > 0)
    lines.push(
      `New: ${s.created.slice(0, 20).join(', ')}${s.created.length > 20 ? `, … (${s.created.length})` : ''}`,
    );
  if (s.kept.length > 0)
    lines.push(
      `Kept (no longer trading): ${s.kept
        .slice(0, 20)
        .map((k) => `${k.symbol} ${k.interval} (${k.status})`)
        .join(', ')}${s.kept.length > 20 ? `, … (${s.kept.length})` : ''}`,
    );
  if (s.gaps.length === 0) lines.push('Gaps: none');
  else {
    const missing = s.gaps.reduce((a, g) => a + g.missing, 0);
    lines.push(
      `Gaps: ${s.gaps.length} (${missing} candle(s) missing at the exchange): ${s.gaps
        .slice(0, 10)
        .map((g) => `${g.symbol} ${g.interval} after ${fmtTime(g.afterMs, g.interval)} (${g.missing})`)
        .join(', ')}${s.gaps.length > 10 ? ', …' : ''}`,
    );
  }
  if (s.staleRemoved > 0) lines.push(`Removed ${s.staleRemoved} temporary file(s) of an interrupted run`);
  lines.push(
    `exchangeInfo: ${s.exchangeInfoFile}`,
    `Requests: ${o.stats.requests} (klines ${s.klineRequests}), request weight ${o.stats.weight}, max X-MBX-USED-WEIGHT-1M ${o.stats.maxUsedWeight1m ?? '-'}, 429 answers ${o.stats.rateLimited} (waited ${o.stats.rateLimitWaitMs} ms)`,
    `Elapsed: ${(o.elapsedMs / 1000).toFixed(1)} s`,
  );
  return lines.join('\n');
}

function fmtTime(ms: number, interval: string): string {
  return interval === '1d' ? msToDay(ms) : new Date(ms).toISOString();
}
