/**
 * download-data (issue 13 item 1): brings a data directory of our layout (data/SOURCES.md) up to date
 * from Binance's public market data — `GET /api/v3/exchangeInfo` and `GET /api/v3/klines` (rest-api.md
 * "Market Data endpoints"; public, no keys). Files written:
 * - `binance/klines-<interval>/<SYMBOL>.csv` (or the `.csv.gz` already there), header
 *   `open_time_ms,open,high,low,close,volume,quote_volume,trades`, Binance's strings unchanged;
 * - `binance/exchangeInfo-YYYY-MM-DD.json` (the day of its `serverTime`), and `binance/exchangeInfo.json`
 *   when the directory has none; `symbols` filtered to the selected quote assets.
 * Incremental: an existing file is only extended after its last row; a file already holding the last
 * closed candle costs no request. The candle still open (closeTime ≥ the exchange's clock) is never
 * written. Every file is written whole and atomically (data-writer.ts), after its rows were validated by
 * the loaders' own parser. Request weight, 429/418 and retries: the {@link KlineSource} (BinanceRest).
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../../app/errors.ts';
import { DAY_MS, msToDay } from '../../domain/time.ts';
import { ExchangeError } from '../binance/errors.ts';
import { DataError, EXPECTED_LAYOUT } from './data-error.ts';
import { isDirectory, locateFile } from './data-files.ts';
import {
  type KlineRow,
  readKlineFile,
  removeStaleTempFiles,
  writeFileAtomic,
  writeKlineFile,
} from './data-writer.ts';
import { HOUR_MS } from './kline-csv.ts';

/** The intervals of our layout: folder `klines-<interval>` and candle length, ms. */
export const DOWNLOAD_INTERVALS: Readonly<Record<string, number>> = Object.freeze({
  '1d': DAY_MS,
  '1h': HOUR_MS,
});

/** The first day of Binance spot market data (the exchange opened in July 2017); default `--from`. */
export const BINANCE_SPOT_START_MS = Date.UTC(2017, 6, 1);

/** Candles per `GET /api/v3/klines` request (the endpoint's maximum `limit`, rest-api.md). */
export const KLINES_PAGE = 1000;

/** Symbol names we write as file names (the loaders' `<SYMBOL>.csv` pattern). */
const SYMBOL_RE = /^[A-Z0-9]{2,30}$/;

/** The subset of the Binance REST client the download uses (BinanceRest with no credentials). */
export interface KlineSource {
  /** `GET /api/v3/exchangeInfo`, validated (unknown fields kept). */
  exchangeInfo(): Promise<{
    serverTime: number;
    symbols: { symbol: string; status: string; baseAsset: string; quoteAsset: string }[];
  }>;
  /** `GET /api/v3/klines` rows `[openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, …]`. */
  klines(
    symbol: string,
    interval: string,
    params: { startTime?: number; endTime?: number; limit?: number },
  ): Promise<readonly (readonly unknown[])[]>;
  /** The exchange's clock estimate, UTC ms. */
  now(): number;
}

/** What to download. */
export interface DownloadRequest {
  /** The data directory (created when missing; must be empty or of our layout). */
  readonly dir: string;
  /** Explicit symbols (any status listed by exchangeInfo; a delisted one with a file is kept). */
  readonly symbols?: readonly string[];
  /** Quote asset of the universe when `symbols` is absent (default `USDT`): its TRADING symbols. */
  readonly quote?: string;
  /** Intervals among {@link DOWNLOAD_INTERVALS} (default `['1d']`). */
  readonly intervals?: readonly string[];
  /** First day wanted for a new file, UTC ms at 00:00 (default {@link BINANCE_SPOT_START_MS}). */
  readonly fromMs?: number;
  /** Last day wanted, UTC ms at 00:00, inclusive (default: up to the last closed candle). */
  readonly toMs?: number;
  /** Symbols downloaded at once (default 8). */
  readonly concurrency?: number;
  /** Called after each symbol × interval (progress display). */
  readonly onProgress?: (done: number, total: number, rows: number) => void;
}

/** A run of missing candles between two rows of one file. */
export interface KlineGap {
  readonly symbol: string;
  readonly interval: string;
  /** Open time of the last row before the gap, UTC ms. */
  readonly afterMs: number;
  /** Open time of the first row after it, UTC ms. */
  readonly beforeMs: number;
  /** Candles missing. */
  readonly missing: number;
}

/** What a download did. */
export interface DownloadSummary {
  readonly dir: string;
  readonly intervals: readonly string[];
  /** Exchange clock at the start, UTC ms. */
  readonly serverTimeMs: number;
  /** The exchangeInfo snapshot written (absolute path). */
  readonly exchangeInfoFile: string;
  /** Symbols considered (fetched or kept), per interval counted once. */
  readonly symbols: number;
  /** Files created (symbols new to the directory). */
  readonly created: readonly string[];
  /** Files extended. */
  readonly extended: number;
  /** Files already holding the last closed candle (no request sent). */
  readonly upToDate: number;
  /** Symbols with a file that exchangeInfo no longer lists as TRADING: file kept unchanged. */
  readonly kept: readonly { readonly symbol: string; readonly interval: string; readonly status: string }[];
  /** Symbols listed but with no candle in the range (no file written). */
  readonly empty: readonly string[];
  /** Rows written. */
  readonly rows: number;
  /** `GET /api/v3/klines` requests sent. */
  readonly klineRequests: number;
  /** Gaps (missing candles) in what was written, against the previous row. */
  readonly gaps: readonly KlineGap[];
  /** Stale temporary files of an interrupted run that were removed. */
  readonly staleRemoved: number;
}

/**
 * Downloads the missing closed candles of the selected symbols into `req.dir` (see the module comment).
 * @throws UserInputError (exit 2) for an unknown interval or symbol, a quote asset with no symbol, or
 *   `fromMs` after `toMs`, before any file is written; DataError (exit 66) for a directory of another
 *   layout, one that is not writable, or a corrupt existing file; ExchangeError (exit 69) for an
 *   exchange that is unreachable, bans us (418) or answers something hostile (HTML, NaN, out-of-order or
 *   overlapping candles), naming the symbol. Files finished before the error stay valid and are kept.
 */
export async function downloadKlines(source: KlineSource, req: DownloadRequest): Promise<DownloadSummary> {
  const intervals = [...new Set(req.intervals ?? ['1d'])];
  for (const i of intervals) {
    if (DOWNLOAD_INTERVALS[i] === undefined)
      throw new UserInputError(
        `--interval ${JSON.stringify(i)}: allowed values: ${Object.keys(DOWNLOAD_INTERVALS).join(', ')}`,
      );
  }
  const fromMs = req.fromMs ?? BINANCE_SPOT_START_MS;
  if (req.toMs !== undefined && req.toMs < fromMs)
    throw new UserInputError(`--from ${msToDay(fromMs)} is after --to ${msToDay(req.toMs)}`);
  const quote = req.quote ?? 'USDT';
  if (!/^[A-Z0-9]{2,10}$/.test(quote))
    throw new UserInputError(`--quote ${JSON.stringify(quote)}: expected an asset such as USDT`);
  for (const s of req.symbols ?? []) {
    if (!SYMBOL_RE.test(s))
      throw new UserInputError(`--symbols: ${JSON.stringify(s)} is not a symbol (expected e.g. BTCUSDT)`);
  }

  const root = path.resolve(req.dir);
  await checkWritableLayout(root);
  const binance = path.join(root, 'binance');
  let staleRemoved = await removeStaleTempFiles(binance);
  for (const i of intervals) {
    staleRemoved += await removeStaleTempFiles(path.join(binance, `klines-${i}`));
    await mkdir(path.join(binance, `klines-${i}`), { recursive: true });
  }

  const info = await source.exchangeInfo();
  const serverTimeMs = info.serverTime;
  const listed = new Map(info.symbols.map((s) => [s.symbol, s]));

  // What to fetch and what to keep, per interval, decided before anything is written.
  const existing = new Map<string, Set<string>>();
  for (const i of intervals) existing.set(i, await existingSymbols(path.join(binance, `klines-${i}`)));
  const tasks: { symbol: string; interval: string }[] = [];
  const kept: { symbol: string; interval: string; status: string }[] = [];
  const quotes = new Set<string>();
  const considered = new Set<string>();
  if (req.symbols && req.symbols.length > 0) {
    const unknown = req.symbols.filter(
      (s) => !listed.has(s) && !intervals.some((i) => existing.get(i)?.has(s)),
    );
    if (unknown.length > 0)
      throw new UserInputError(
        `--symbols: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not listed by the exchange's exchangeInfo and ${unknown.length === 1 ? 'has' : 'have'} no file in ${root} (nothing was downloaded)`,
      );
    for (const s of new Set(req.symbols)) {
      considered.add(s);
      const l = listed.get(s);
      if (l) quotes.add(l.quoteAsset);
      for (const i of intervals) {
        if (l) tasks.push({ symbol: s, interval: i });
        else if (existing.get(i)?.has(s)) kept.push({ symbol: s, interval: i, status: 'not listed' });
      }
    }
  } else {
    quotes.add(quote);
    const trading = info.symbols.filter(
      (s) => s.quoteAsset === quote && s.status === 'TRADING' && SYMBOL_RE.test(s.symbol),
    );
    if (trading.length === 0 && !info.symbols.some((s) => s.quoteAsset === quote))
      throw new UserInputError(`--quote ${quote}: the exchange lists no symbol with that quote asset`);
    for (const i of intervals) {
      const have = existing.get(i) as Set<string>;
      for (const s of trading) {
        considered.add(s.symbol);
        tasks.push({ symbol: s.symbol, interval: i });
      }
      for (const s of have) {
        const l = listed.get(s);
        const ofQuote = l ? l.quoteAsset === quote : s.endsWith(quote);
        if (!ofQuote || l?.status === 'TRADING') continue;
        considered.add(s);
        kept.push({ symbol: s, interval: i, status: l ? l.status : 'not listed' });
      }
    }
  }

  // exchangeInfo snapshot (filtered to the quote assets of the selection; other fields unchanged).
  const day = msToDay(serverTimeMs);
  const doc = { ...info, symbols: info.symbols.filter((s) => quotes.has(s.quoteAsset)) };
  const json = `${JSON.stringify(doc)}\n`;
  const exchangeInfoFile = path.join(binance, `exchangeInfo-${day}.json`);
  await writeFileAtomic(exchangeInfoFile, json);
  if ((await locateFile(path.join(binance, 'exchangeInfo.json'))) === null)
    await writeFileAtomic(path.join(binance, 'exchangeInfo.json'), json);

  // Klines, `concurrency` symbols at a time.
  const created: string[] = [];
  const empty: string[] = [];
  const gaps: KlineGap[] = [];
  let extended = 0;
  let upToDate = 0;
  let rows = 0;
  let requests = 0;
  let done = 0;
  let next = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (failed === null && next < tasks.length) {
      const task = tasks[next++] as { symbol: string; interval: string };
      try {
        const r = await downloadOne(source, binance, task.symbol, task.interval, fromMs, req.toMs);
        requests += r.requests;
        rows += r.rows;
        gaps.push(...r.gaps);
        if (r.outcome === 'created') created.push(`${task.symbol} ${task.interval}`);
        else if (r.outcome === 'extended') extended++;
        else if (r.outcome === 'up-to-date') upToDate++;
        else empty.push(`${task.symbol} ${task.interval}`);
      } catch (err) {
        failed ??= err;
      }
      done++;
      req.onProgress?.(done, tasks.length, rows);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, req.concurrency ?? 8) }, worker));
  if (failed !== null) throw failed;

  gaps.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.afterMs - b.afterMs));
  return {
    dir: root,
    intervals,
    serverTimeMs,
    exchangeInfoFile,
    symbols: considered.size,
    created: created.sort(),
    extended,
    upToDate,
    kept,
    empty: empty.sort(),
    rows,
    klineRequests: requests,
    gaps,
    staleRemoved,
  };
}

/** The result of one symbol × interval. */
interface OneResult {
  readonly outcome: 'created' | 'extended' | 'up-to-date' | 'empty';
  readonly rows: number;
  readonly requests: number;
  readonly gaps: KlineGap[];
}

/** Downloads and writes the missing closed candles of one symbol × interval. */
async function downloadOne(
  source: KlineSource,
  binance: string,
  symbol: string,
  interval: string,
  fromMs: number,
  toMs: number | undefined,
): Promise<OneResult> {
  const ms = DOWNLOAD_INTERVALS[interval] as number;
  const plain = path.join(binance, `klines-${interval}`, `${symbol}.csv`);
  const have = await readKlineFile(plain, ms);
  const lastHave = have ? have.table.openTimeAt(have.table.length - 1) : undefined;
  const now = source.now();
  // The newest candle closed by `now` (closeTime = openTime + ms − 1 < now).
  const lastClosed = Math.floor(now / ms) * ms - ms;
  const endOpen = Math.min(lastClosed, toMs === undefined ? Number.POSITIVE_INFINITY : toMs + DAY_MS - ms);
  let start = Math.ceil(fromMs / ms) * ms;
  if (lastHave !== undefined) start = Math.max(start, lastHave + ms);
  if (start > endOpen) return { outcome: have ? 'up-to-date' : 'empty', rows: 0, requests: 0, gaps: [] };

  const got: KlineRow[] = [];
  let prev = lastHave ?? Number.NEGATIVE_INFINITY;
  let requests = 0;
  for (let pageStart = start; pageStart <= endOpen; ) {
    const page = await source.klines(symbol, interval, {
      startTime: pageStart,
      endTime: endOpen,
      limit: KLINES_PAGE,
    });
    requests++;
    let last = Number.NaN;
    for (const [i, raw] of page.entries()) {
      const r = toRow(raw, symbol, i);
      if (r.openTime <= prev)
        throw hostile(
          symbol,
          `row ${i} openTime ${r.openTime} (${new Date(r.openTime).toISOString()}) is not after the previous candle ${new Date(prev).toISOString()}: out-of-order or overlapping candles; nothing was written for ${symbol}`,
        );
      if (r.openTime % ms !== 0)
        throw hostile(symbol, `row ${i} openTime ${r.openTime} is not aligned to the ${interval} interval`);
      last = r.openTime;
      prev = r.openTime;
      // The candle still open is never written; nor anything outside the range asked for.
      if (r.openTime < pageStart || r.openTime > endOpen || r.closeTime >= now) continue;
      got.push(r);
    }
    if (page.length < KLINES_PAGE || Number.isNaN(last)) break;
    pageStart = last + ms;
  }
  const gaps: KlineGap[] = [];
  let before = lastHave;
  for (const r of got) {
    if (before !== undefined && r.openTime - before > ms)
      gaps.push({
        symbol,
        interval,
        afterMs: before,
        beforeMs: r.openTime,
        missing: (r.openTime - before) / ms - 1,
      });
    before = r.openTime;
  }
  if (got.length === 0) return { outcome: have ? 'up-to-date' : 'empty', rows: 0, requests, gaps };
  await writeKlineFile(have ? have.file : plain, have ? have.text : null, got, ms);
  return { outcome: have ? 'extended' : 'created', rows: got.length, requests, gaps };
}

/** A validated kline row with its close time. */
type Row = KlineRow & { readonly closeTime: number };

/** Decimal strings as Binance sends them (no sign, no exponent). */
const DECIMAL_RE = /^\d+(\.\d+)?$/;

/**
 * Row `i` of a klines answer. The client validated the shape already (schemas.ts); checked again here
 * because the strings are written to files unchanged (cheap checks: this runs for every candle).
 */
function toRow(raw: readonly unknown[], symbol: string, i: number): Row {
  const openTime = raw[0];
  const closeTime = raw[6];
  const trades = raw[8];
  if (
    typeof openTime !== 'number' ||
    typeof closeTime !== 'number' ||
    typeof trades !== 'number' ||
    !Number.isSafeInteger(openTime) ||
    !Number.isSafeInteger(closeTime) ||
    !Number.isSafeInteger(trades) ||
    trades < 0
  )
    throw hostile(symbol, `row ${i}: openTime, closeTime and trades must be non-negative integers`);
  for (const k of [1, 2, 3, 4, 5, 7]) {
    const v = raw[k];
    if (typeof v !== 'string' || !DECIMAL_RE.test(v))
      throw hostile(symbol, `row ${i} field ${k}: expected a decimal string, got ${JSON.stringify(v)}`);
  }
  return {
    openTime,
    open: raw[1] as string,
    high: raw[2] as string,
    low: raw[3] as string,
    close: raw[4] as string,
    volume: raw[5] as string,
    quoteVolume: raw[7] as string,
    trades,
    closeTime,
  };
}

function hostile(symbol: string, problem: string): ExchangeError {
  return new ExchangeError(
    `GET /api/v3/klines ${symbol}: invalid response: ${problem}`,
    'invalid_response',
    'GET /api/v3/klines',
    null,
    symbol,
  );
}

/** Symbols with a `<SYMBOL>.csv[.gz]` file in `dir` (empty when the folder does not exist). */
async function existingSymbols(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const m = /^([A-Z0-9]+)\.csv(\.gz)?$/.exec(n);
    if (m) out.add(m[1] as string);
  }
  return out;
}

/**
 * The target directory is ours to write: missing (created), empty, or holding a `binance/` folder; and
 * writable (a probe file is written and removed).
 * @throws DataError (exit 66) naming the directory otherwise.
 */
async function checkWritableLayout(root: string): Promise<void> {
  let isDir = false;
  try {
    const st = await stat(root);
    if (!st.isDirectory()) throw new DataError(root, 'not a directory: download-data needs a data directory');
    isDir = true;
  } catch (err) {
    if (err instanceof DataError) throw err;
  }
  if (isDir && !(await isDirectory(path.join(root, 'binance')))) {
    const names = (await readdir(root)).filter((n) => !n.startsWith('.'));
    if (names.length > 0 && !(names.length === 1 && names[0] === 'marketcap'))
      throw new DataError(
        root,
        `not a data directory of our layout (no binance/ folder, and it holds ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}); give an empty or new directory, or one of the layout; ${EXPECTED_LAYOUT}`,
      );
  }
  try {
    await mkdir(path.join(root, 'binance'), { recursive: true });
  } catch (err) {
    throw new DataError(root, `cannot create the data directory: ${(err as Error).message}`, { cause: err });
  }
  await writeFileAtomic(path.join(root, 'binance', '.write-probe'), '');
  await rm(path.join(root, 'binance', '.write-probe'), { force: true });
}
