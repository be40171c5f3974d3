/**
 * The bundled real dataset (`data/`, gzipped) or any directory of the shared layout (`../shared/data`,
 * plain), loaded into memory and served through the `MarketData` and `MarketCaps` ports.
 * Provenance of the data: data/SOURCES.md (and shared/data/SOURCES.md).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { lowerBound } from '../../domain/series.ts';
import { DAY_MS } from '../../domain/time.ts';
import type { Candle, SymbolInfo, SymbolRules } from '../../domain/types.ts';
import { type SegmentSplit, splitBetween } from '../../domain/universe/segments.ts';
import type { MarketData, SegmentInfo } from '../../ports/market-data.ts';
import { BundledMarketCaps } from '../marketcap/bundled-snapshots.ts';
import { CMC_TOP200_FILE, parseCmcTop200Csv } from './cmc-csv.ts';
import {
  type DailyCacheOptions,
  dailyCacheFile,
  defaultDailyCache,
  readDailyCache,
  type SourceStamp,
  writeDailyCache,
} from './daily-cache.ts';
import { DataError, EXPECTED_LAYOUT } from './data-error.ts';
import { isDirectory, locateFile, readDataText, splitLines } from './data-files.ts';
import { type ExchangeInfoSnapshot, rulesFromSnapshots } from './exchange-info.ts';
import { loadExchangeInfo } from './exchange-info-cache.ts';
import { type HourlyKlines, loadHourlyKlines } from './hourly-klines.ts';
import { indexKlineCsv, KlineTable } from './kline-csv.ts';

export { DataError } from './data-error.ts';
export type { ExchangeInfoSnapshot } from './exchange-info.ts';
export { HourlyKlines, loadHourlyKlines } from './hourly-klines.ts';
export { KlineTable } from './kline-csv.ts';

/** Quote assets recognised when a base asset must be derived from a symbol name (longest first). */
const KNOWN_QUOTES = [
  'FDUSD',
  'USDT',
  'BUSD',
  'USDC',
  'TUSD',
  'USDP',
  'BTC',
  'ETH',
  'BNB',
  'EUR',
  'TRY',
] as const;

const KLINE_FILE_RE = /^([A-Z0-9]+)\.csv(\.gz)?$/;
const EXCHANGE_INFO_RE = /^exchangeInfo(-\d{4}-\d{2}-\d{2})?\.json(\.gz)?$/;

/** Everything a {@link Dataset} is built from (also lets tests build one from in-memory data). */
export interface DatasetParts {
  /** The directory it was loaded from (informational). */
  readonly dir: string;
  /**
   * Daily candles per symbol, each series strictly ascending by open time (UTC ms, 00:00 aligned): an
   * array, or a validated {@link KlineTable} (what {@link loadDataset} passes; candles built on demand).
   */
  readonly series: ReadonlyMap<string, readonly Candle[] | KlineTable>;
  /** exchangeInfo snapshots, any order (sorted newest first by `serverTimeMs` here). */
  readonly snapshots: readonly ExchangeInfoSnapshot[];
  /** `symbols.csv` base assets by symbol, where that file was present. */
  readonly baseAssets?: ReadonlyMap<string, string>;
  /** Market caps (an empty `BundledMarketCaps` when there is no snapshot file). */
  readonly marketCaps: BundledMarketCaps;
  /** Non-fatal problems found while loading. */
  readonly warnings?: readonly string[];
  /** Hourly klines; default: `<dir>/binance/klines-1h`, opened on the first {@link Dataset.hourly} call. */
  readonly hourly?: HourlyKlines;
  /** How the daily klines were loaded (see {@link Dataset.dailyCache}); default `'off'`. */
  readonly dailyCache?: DailyCacheUse;
}

/**
 * How {@link loadDataset} used the daily cache (src/adapters/data/daily-cache.ts): `hit` every file from
 * it; `rebuilt` some or all files parsed, then the cache written; `unwritable` parsed, the write failed;
 * `off` not used (disabled, a `symbols` subset, or a directory below the size threshold).
 */
export type DailyCacheUse = 'hit' | 'rebuilt' | 'unwritable' | 'off';

/**
 * An in-memory daily-kline dataset implementing the `MarketData` port, plus synchronous accessors for
 * backtests (`candlesOf`, `candlesBetween`, `rulesOf`, `hasSymbol`, `firstDayMs`/`lastDayMs`). Candles are
 * the source strings (prices in the quote asset per base unit, `volume` in base
 * units, `quoteVolume` in the quote asset, null where the source had none); times are UTC ms.
 */
export class Dataset implements MarketData {
  /** The directory it was loaded from. */
  readonly dir: string;
  /** Non-fatal problems (e.g. no market-cap file: `marketCaps` is then empty). */
  readonly warnings: readonly string[];
  /** Market caps from the CMC top-200 snapshots (strategy-semantics.md §4 filter 7). */
  readonly marketCaps: BundledMarketCaps;
  /** exchangeInfo snapshots, newest first (by `serverTime`). */
  readonly snapshots: readonly ExchangeInfoSnapshot[];
  /** First day (00:00 UTC ms) on which any daily candle exists (NaN when there are no candles). */
  readonly firstDayMs: number;
  /** Last day (00:00 UTC ms) on which any daily candle exists (NaN when there are no candles). */
  readonly lastDayMs: number;
  /** How the daily klines were loaded ({@link DailyCacheUse}). */
  readonly dailyCache: DailyCacheUse;

  private readonly series: ReadonlyMap<string, KlineTable | ArraySeries>;
  private readonly infos: readonly SymbolInfo[];
  private readonly rulesCache = new Map<string, SymbolRules>();
  private readonly segmentCache = new Map<string, SegmentInfo>();
  private hourlyP: Promise<HourlyKlines> | undefined;

  /** Builds the dataset from parsed parts; see {@link loadDataset} to read a directory. */
  constructor(parts: DatasetParts) {
    this.dir = parts.dir;
    this.warnings = parts.warnings ?? [];
    this.dailyCache = parts.dailyCache ?? 'off';
    this.marketCaps = parts.marketCaps;
    this.snapshots = [...parts.snapshots].sort((a, b) => b.serverTimeMs - a.serverTimeMs);
    if (parts.hourly) this.hourlyP = Promise.resolve(parts.hourly);
    const series = new Map<string, KlineTable | ArraySeries>();
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    const infos: SymbolInfo[] = [];
    for (const [symbol, candles] of parts.series) {
      const s = candles instanceof KlineTable ? candles : new ArraySeries(candles);
      series.set(symbol, s);
      const a = s.openTimeAt(0);
      const b = s.openTimeAt(s.length - 1);
      if (a === undefined || b === undefined) continue;
      if (a < first) first = a;
      if (b > last) last = b;
      infos.push(this.describe(symbol, parts.baseAssets));
    }
    this.series = series;
    infos.sort((x, y) => (x.symbol < y.symbol ? -1 : x.symbol > y.symbol ? 1 : 0));
    this.infos = infos;
    this.firstDayMs = infos.length > 0 ? first : Number.NaN;
    this.lastDayMs = infos.length > 0 ? last : Number.NaN;
  }

  /** base/quote: newest snapshot listing the symbol, else symbols.csv (USDT quote), else the name. */
  private describe(symbol: string, baseAssets: ReadonlyMap<string, string> | undefined): SymbolInfo {
    for (const snap of this.snapshots) {
      const s = snap.symbols.get(symbol);
      if (s) return { symbol, baseAsset: s.baseAsset, quoteAsset: s.quoteAsset };
    }
    const base = baseAssets?.get(symbol);
    if (base && symbol.startsWith(base) && symbol.length > base.length) {
      return { symbol, baseAsset: base, quoteAsset: symbol.slice(base.length) };
    }
    const quote = KNOWN_QUOTES.find((q) => symbol.endsWith(q) && symbol.length > q.length);
    if (quote) return { symbol, baseAsset: symbol.slice(0, -quote.length), quoteAsset: quote };
    return { symbol, baseAsset: symbol, quoteAsset: '' };
  }

  /**
   * Every symbol with at least one daily candle (delisted ones included), sorted by symbol. `status`
   * is left undefined (replayed history).
   */
  async symbols(): Promise<readonly SymbolInfo[]> {
    return this.infos;
  }

  /** Synchronous {@link symbols}. */
  symbolList(): readonly SymbolInfo[] {
    return this.infos;
  }

  /**
   * Daily candles of `symbol` with open time in `[fromMs, toMs]` (UTC ms, inclusive), ascending, found by
   * binary search; `[]` for an unknown symbol or an empty range.
   */
  async dailyCandles(symbol: string, fromMs: number, toMs: number): Promise<readonly Candle[]> {
    return this.candlesBetween(symbol, fromMs, toMs);
  }

  /** Synchronous {@link dailyCandles}. */
  candlesBetween(symbol: string, fromMs: number, toMs: number): readonly Candle[] {
    const s = this.series.get(symbol);
    if (!s || !(toMs >= fromMs)) return [];
    const from = s.lowerBound(fromMs);
    const to = s.lowerBound(Math.floor(toMs) + 1);
    return from >= to ? [] : s.slice(from, to);
  }

  /**
   * The rows {@link candlesBetween} would give, read from the file text without building candles (for
   * laying a backtest's day grid out: `PriceRows` of src/domain/backtest/market.ts); undefined for an
   * unknown symbol or a series given as an array of candles (then use {@link candlesBetween}).
   */
  priceRowsBetween(
    symbol: string,
    fromMs: number,
    toMs: number,
  ): ReturnType<KlineTable['priceRows']> | undefined {
    const s = this.series.get(symbol);
    if (!(s instanceof KlineTable)) return undefined;
    if (!(toMs >= fromMs)) return s.priceRows(0, 0);
    return s.priceRows(s.lowerBound(fromMs), s.lowerBound(Math.floor(toMs) + 1));
  }

  /**
   * The whole daily series of `symbol` (ascending; built on first use and cached, shared — do not
   * mutate); `[]` when unknown.
   */
  candlesOf(symbol: string): readonly Candle[] {
    return this.series.get(symbol)?.all() ?? [];
  }

  /**
   * First open time and §2 segment splits of `symbol`'s whole series (cached). Only the two candles
   * around each gap are built, so this is cheap for every symbol.
   */
  async segmentInfo(symbol: string): Promise<SegmentInfo> {
    return this.segmentInfoOf(symbol);
  }

  /** Synchronous {@link segmentInfo}. */
  segmentInfoOf(symbol: string): SegmentInfo {
    let info = this.segmentCache.get(symbol);
    if (!info) {
      const s = this.series.get(symbol);
      const splits: SegmentSplit[] = [];
      const n = s?.length ?? 0;
      for (let i = 1; i < n; i++) {
        const s0 = s as KlineTable | ArraySeries;
        if ((s0.openTimeAt(i) as number) - (s0.openTimeAt(i - 1) as number) < 2 * DAY_MS) continue;
        const [prev, cur] = s0.slice(i - 1, i + 1) as [Candle, Candle];
        const split = splitBetween(prev, cur, i);
        if (split) splits.push(split);
      }
      info = { firstOpenTime: s?.openTimeAt(0) ?? null, splits };
      this.segmentCache.set(symbol, info);
    }
    return info;
  }

  /** Number of daily candles of `symbol` (0 when unknown), without building them. */
  candleCount(symbol: string): number {
    return this.series.get(symbol)?.length ?? 0;
  }

  /** True when the dataset has a daily-kline file for `symbol` (even an empty one). */
  hasSymbol(symbol: string): boolean {
    return this.series.has(symbol);
  }

  /**
   * Order-sizing rules of `symbol`, exactly per strategy-semantics.md §6 from the newest exchangeInfo
   * snapshot that lists it (see `rulesFromSnapshots`: MARKET_LOT_SIZE/LOT_SIZE step and minQty,
   * NOTIONAL/MIN_NOTIONAL minNotional, PRICE_FILTER tickSize — Binance `filters.md`); a symbol no snapshot
   * lists gets step "0", minQty "0", minNotional "10", tickSize "0". Never throws.
   */
  async symbolRules(symbol: string): Promise<SymbolRules> {
    return this.rulesOf(symbol);
  }

  /** Synchronous {@link symbolRules} (cached). */
  rulesOf(symbol: string): SymbolRules {
    let r = this.rulesCache.get(symbol);
    if (!r) {
      r = rulesFromSnapshots(symbol, this.snapshots);
      this.rulesCache.set(symbol, r);
    }
    return r;
  }

  /**
   * The hourly klines of the directory (`binance/klines-1h/<SYMBOL>.csv[.gz]`, shared/data/SOURCES.md §2),
   * opened on the first call — never by {@link loadDataset}, so daily paths do not read them. A directory
   * without that folder gives an empty set.
   */
  hourly(): Promise<HourlyKlines> {
    this.hourlyP ??= loadHourlyKlines(this.dir);
    return this.hourlyP;
  }

  /**
   * Hourly candles of `symbol` with open time in `[fromMs, toMs]` (UTC ms, inclusive), ascending; `[]` when
   * the symbol has no hourly file or the range is empty. The symbol's file is read on first use.
   * @throws DataError naming the file, line, open time and field when the hourly file is corrupt.
   */
  async hourlyCandles(symbol: string, fromMs: number, toMs: number): Promise<readonly Candle[]> {
    return (await this.hourly()).candlesBetween(symbol, fromMs, toMs);
  }

  /** The first and last day (00:00 UTC ms) with any daily candle. @throws DataError when there are none. */
  async coverage(): Promise<{ readonly firstDayMs: number; readonly lastDayMs: number }> {
    if (Number.isNaN(this.firstDayMs)) throw new DataError(this.dir, 'the dataset has no daily candles');
    return { firstDayMs: this.firstDayMs, lastDayMs: this.lastDayMs };
  }
}

/** An in-memory candle array behind the same interface as {@link KlineTable}. */
class ArraySeries {
  readonly length: number;
  constructor(private readonly candles: readonly Candle[]) {
    this.length = candles.length;
  }
  openTimeAt(i: number): number | undefined {
    return this.candles[i]?.openTime;
  }
  lowerBound(t: number): number {
    return lowerBound(this.candles, t);
  }
  slice(from: number, to: number): Candle[] {
    return this.candles.slice(from, to);
  }
  all(): readonly Candle[] {
    return this.candles;
  }
}

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** Load only these symbols' daily klines (all when absent); a listed symbol without a file is a warning. */
  readonly symbols?: readonly string[];
  /**
   * The daily cache (src/adapters/data/daily-cache.ts); default from the environment
   * (`defaultDailyCache`); null: never read nor write it. Used only when every symbol is loaded.
   */
  readonly cache?: DailyCacheOptions | null;
}

/**
 * The quick layout check {@link loadDataset} starts with: the directory and its `binance/klines-1d`
 * folder exist. Cheap; lets callers refuse a wrong `--data` before opening anything else.
 * @throws DataError naming the missing directory and the expected layout.
 */
export async function checkDataDir(dir: string): Promise<void> {
  const root = path.resolve(dir);
  if (!(await isDirectory(root))) throw new DataError(root, `data directory not found; ${EXPECTED_LAYOUT}`);
  const klinesDir = path.join(root, 'binance', 'klines-1d');
  if (!(await isDirectory(klinesDir))) {
    const hint = (await isDirectory(path.join(root, 'klines-1d')))
      ? ' (this looks like the binance/ folder itself: pass its parent directory)'
      : '';
    throw new DataError(klinesDir, `missing daily-kline folder${hint}; ${EXPECTED_LAYOUT}`);
  }
}

/**
 * Loads the daily data of a directory of the shared layout (the bundled `data/`, gzipped, or
 * `../shared/data`, plain; every file may be `<name>` or `<name>.gz`, the plain one wins when both exist).
 * Hourly klines (`binance/klines-1h`) are not read here: see {@link Dataset.hourly}.
 * - `binance/klines-1d/<SYMBOL>.csv` — required (the folder, with at least one file);
 * - `binance/exchangeInfo.json` — required; further `binance/exchangeInfo-YYYY-MM-DD.json` snapshots
 *   are loaded too (the newest one listing a symbol gives its rules, §6);
 * - `binance/symbols.csv` — optional (base assets of symbols no snapshot lists);
 * - `marketcap/cmc_monthly_top200_2020-01_to_2025-10.csv` — optional; when missing, `marketCaps` is empty
 *   and `warnings` says so.
 * Daily klines come from the daily cache (src/adapters/data/daily-cache.ts: validated rows and price columns
 * of every file unchanged since it was written, in one binary file outside the repository) when every
 * symbol is loaded and the files total at least its threshold; files not in it are parsed as below and the
 * cache rewritten (`Dataset.dailyCache` says which). On a warm cache `../shared/data` (592 files) loads in
 * ~0.2-0.3 s of CPU instead of ~0.65 s, and the backtest grid reads the cached columns instead of parsing
 * ~1.1 M price strings (2026-12-03, 2 vCPUs at load 4).
 * Every file is read (async, in parallel), gunzipped (sync) and fully validated here; kline rows are indexed
 * (open time + position) and `Candle` objects are built on first use (`dailyCandles` builds only the rows
 * asked for; `candlesOf` builds and caches a whole series). Cost (`npx tsx scripts/measure-data-load.ts`
 * prints wall and CPU time), measured 2026-12-03 on the 2-vCPU dev VM while other sessions kept its load at
 * 7-11: the 592 bundled files / 581,720 rows load in ~0.8-1.3 s of CPU (~0.95 s wall at best; gunzip ~40 %,
 * validation and indexing ~40 %), building every candle takes another ~0.75-1.3 s of CPU; the 284-file
 * bundle before it took 0.66 s and 0.46 s of CPU in the same conditions. A backtest does not pay for the
 * candles: `backtestMarketOf` lays its day grid out from the text ({@link Dataset.priceRowsBetween}) and a
 * symbol's candles are built only when read (bench:backtest (a), CPU of the whole process, median of 5:
 * 5.64 s -> 4.62 s, best 5.07 -> 4.30 s (3.5 s in two runs at load 15); peak RSS 486 -> 340 MB; 2026-12-03,
 * load 11-18 on 2 vCPUs). Replacing the row regex by a hand-written scanner was
 * tried and measured: twice slower (irregexp's native code wins), so the regex stays.
 * @throws DataError (with `path`) for a missing directory, a wrong layout (the message states the expected
 *   one), a missing required file, or a corrupt file (bad gzip, wrong header, malformed/unsorted rows, a
 *   price <= 0 or a non-finite number — named by line, open time and field —, invalid JSON).
 */
export async function loadDataset(dir: string, opts: LoadDatasetOptions = {}): Promise<Dataset> {
  const root = path.resolve(dir);
  await checkDataDir(root);
  const binance = path.join(root, 'binance');
  const klinesDir = path.join(binance, 'klines-1d');
  const warnings: string[] = [];

  // daily klines: <SYMBOL>.csv or <SYMBOL>.csv.gz, plain preferred
  const klineFiles = new Map<string, string>();
  for (const name of (await readdir(klinesDir)).sort()) {
    const m = KLINE_FILE_RE.exec(name);
    if (!m) continue;
    const symbol = m[1] as string;
    if (!m[2] || !klineFiles.has(symbol)) klineFiles.set(symbol, path.join(klinesDir, name));
  }
  if (klineFiles.size === 0) {
    throw new DataError(klinesDir, `no <SYMBOL>.csv or <SYMBOL>.csv.gz files; ${EXPECTED_LAYOUT}`);
  }
  let selected = [...klineFiles.keys()];
  if (opts.symbols) {
    const want = [...new Set(opts.symbols)];
    const missing = want.filter((s) => !klineFiles.has(s));
    if (missing.length > 0) warnings.push(`no daily klines in ${klinesDir} for: ${missing.join(', ')}`);
    selected = want.filter((s) => klineFiles.has(s));
  }

  // exchangeInfo snapshots
  const infoFiles = new Map<string, string>();
  for (const name of (await readdir(binance)).sort()) {
    const m = EXCHANGE_INFO_RE.exec(name);
    if (!m) continue;
    const plain = name.replace(/\.gz$/, '');
    if (!m[2] || !infoFiles.has(plain)) infoFiles.set(plain, path.join(binance, name));
  }
  if (!infoFiles.has('exchangeInfo.json')) {
    throw new DataError(
      path.join(binance, 'exchangeInfo.json'),
      `missing required file (or .gz); ${EXPECTED_LAYOUT}`,
    );
  }

  const [symbolsCsv, cmcFile] = await Promise.all([
    locateFile(path.join(binance, 'symbols.csv')),
    locateFile(path.join(root, 'marketcap', CMC_TOP200_FILE)),
  ]);

  const cache = opts.cache === undefined ? defaultDailyCache() : opts.cache;
  const klinesP = loadDailyKlines(root, selected, klineFiles, opts.symbols ? null : cache);
  const snapshotsP = Promise.all(
    [...infoFiles.values()].map((file) => loadExchangeInfo(file, cache?.dir ?? null)),
  );
  const baseAssetsP = symbolsCsv
    ? readDataText(symbolsCsv).then((t) => parseSymbolsCsv(t, symbolsCsv))
    : undefined;
  const capsP = cmcFile ? readDataText(cmcFile).then((t) => parseCmcTop200Csv(t, cmcFile)) : undefined;
  if (!cmcFile) {
    warnings.push(
      `${path.join(root, 'marketcap', CMC_TOP200_FILE)}[.gz] not found: no market caps (capsAt returns an empty map)`,
    );
  }
  const [klines, snapshots, baseAssets, caps] = await Promise.all([klinesP, snapshotsP, baseAssetsP, capsP]);

  return new Dataset({
    dir: root,
    series: klines.tables,
    dailyCache: klines.cache,
    snapshots,
    ...(baseAssets ? { baseAssets } : {}),
    marketCaps: new BundledMarketCaps(caps ?? []),
    warnings,
  });
}

/**
 * The daily klines of `selected` symbols, validated and indexed: from the daily cache for files unchanged
 * since it was written, parsed (`indexKlineCsv`) otherwise, then the cache rewritten when anything was
 * parsed. `cache` null (or the files below its size threshold): every file parsed, no cache touched.
 * @throws DataError for an unreadable or corrupt file (nothing is cached then).
 */
async function loadDailyKlines(
  root: string,
  selected: readonly string[],
  files: ReadonlyMap<string, string>,
  cache: DailyCacheOptions | null,
): Promise<{ tables: Map<string, KlineTable>; cache: DailyCacheUse }> {
  const parse = async (symbol: string): Promise<KlineTable> => {
    const file = files.get(symbol) as string;
    return indexKlineCsv(await readDataText(file), file);
  };
  let stamps: SourceStamp[] | undefined;
  if (cache) {
    stamps = await Promise.all(
      selected.map(async (symbol) => {
        const file = files.get(symbol) as string;
        const st = await stat(file).catch((err: Error) => {
          throw new DataError(file, `cannot read: ${err.message}`, { cause: err });
        });
        return { symbol, file, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
      }),
    );
    if (stamps.reduce((a, s) => a + s.size, 0) < cache.minBytes) stamps = undefined;
  }
  if (!cache || !stamps) {
    const tables = await Promise.all(selected.map(async (s) => [s, await parse(s)] as const));
    return { tables: new Map(tables), cache: 'off' };
  }
  const cacheFile = dailyCacheFile(cache.dir, root);
  const hits = readDailyCache(cacheFile, root, stamps);
  const tables = new Map(
    await Promise.all(selected.map(async (s) => [s, hits.get(s) ?? (await parse(s))] as const)),
  );
  if (hits.size === selected.length) return { tables, cache: 'hit' };
  const written = writeDailyCache(
    cacheFile,
    root,
    stamps.map((stamp) => ({ stamp, table: tables.get(stamp.symbol) as KlineTable })),
  );
  return { tables, cache: written ? 'rebuilt' : 'unwritable' };
}

/**
 * `binance/symbols.csv` (derived summary, shared/data/SOURCES.md §6): symbol -> base_asset.
 * @throws DataError when the header does not start with `symbol,base_asset`.
 */
function parseSymbolsCsv(text: string, file: string): Map<string, string> {
  const lines = splitLines(text);
  if (!lines[0]?.startsWith('symbol,base_asset,')) {
    throw new DataError(
      file,
      `wrong header: expected it to start with "symbol,base_asset,", got ${JSON.stringify(lines[0]?.slice(0, 200) ?? '')}`,
    );
  }
  const out = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const a = line.indexOf(',');
    const b = line.indexOf(',', a + 1);
    if (a <= 0 || b <= a + 1) throw new DataError(file, `line ${i + 1}: expected "symbol,base_asset,..."`);
    out.set(line.slice(0, a), line.slice(a + 1, b));
  }
  return out;
}
