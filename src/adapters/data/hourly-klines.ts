/**
 * Hourly klines of a data directory: `binance/klines-1h/<SYMBOL>.csv[.gz]` (the bundled `data/`, gzipped, or
 * `../shared/data`, plain; shared/data/SOURCES.md §2 — 39 USDT pairs, 2021-01-01 .. 2022-03-21 / 2022-07-10).
 * Same normalised schema as the daily files; open times on the hour (UTC ms). Nothing is read when the
 * folder is opened: a symbol's file is read, validated and indexed the first time its candles are asked for,
 * so the daily paths (rebalance, daily backtest) never pay for hourly data.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { HourlyBars, HourlyColumns } from '../../domain/risk/hourly-bars.ts';
import type { Candle } from '../../domain/types.ts';
import { readDataTextSync } from './data-files.ts';
import { parseHourlyColumns, TableHourlyBars } from './hourly-bars.ts';
import {
  defaultHourlyCacheDir,
  type HourlyTable,
  hourlySourceStamp,
  readHourlyCache,
  writeHourlyCache,
} from './hourly-cache.ts';
import { HOUR_MS, indexKlineCsv } from './kline-csv.ts';

export { HOUR_MS } from './kline-csv.ts';

const FILE_RE = /^([A-Z0-9]+)\.csv(\.gz)?$/;

/** The hourly klines available in a data directory, read per symbol on first use and cached. */
export class HourlyKlines {
  private readonly tables = new Map<string, HourlyTable>();
  /** Price columns of each table (from the cache entry, else parsed from the text on first use). */
  private readonly columns = new Map<HourlyTable, HourlyColumns>();
  /** False after a cache entry could not be written (read-only or full cache directory): stop trying. */
  private cacheWrites = true;

  /**
   * @param dir the `klines-1h` folder (informational; may not exist).
   * @param files symbol → file path (plain preferred over `.gz`).
   * @param cacheDir where validated files are cached (src/adapters/data/hourly-cache.ts), or null for no
   *   cache.
   */
  constructor(
    readonly dir: string,
    private readonly files: ReadonlyMap<string, string>,
    private readonly cacheDir: string | null = null,
  ) {}

  /** The symbols with an hourly file, sorted. */
  symbols(): readonly string[] {
    return [...this.files.keys()].sort();
  }

  /** True when `symbol` has an hourly file. */
  has(symbol: string): boolean {
    return this.files.has(symbol);
  }

  /** Number of symbols with an hourly file. */
  get size(): number {
    return this.files.size;
  }

  /**
   * Hourly candles of `symbol` with open time in `[fromMs, toMs]` (UTC ms, inclusive), ascending (binary
   * search); `[]` for a symbol without a file or an empty range. Values are the source strings (prices in
   * the quote asset, `volume` in base units; `quoteVolume` and `trades` are null: §2 sources lack them).
   * The file is read synchronously on first use (~0.2 MB gzipped), then cached.
   * @throws DataError naming the file (and line / open time / field) when it is unreadable or corrupt: bad
   *   gzip, wrong header, malformed or unsorted rows, an open time not on the hour, a price <= 0, a
   *   non-finite number.
   */
  candlesBetween(symbol: string, fromMs: number, toMs: number): readonly Candle[] {
    const t = this.table(symbol);
    if (!t || !(toMs >= fromMs)) return [];
    const from = t.lowerBound(fromMs);
    const to = t.lowerBound(Math.floor(toMs) + 1);
    return from >= to ? [] : t.slice(from, to);
  }

  /**
   * The rows of {@link candlesBetween} as `HourlyBars` (src/domain/risk/hourly-bars.ts: open times, price
   * columns and candles on demand, no candle built here); null for a symbol without a file or an empty
   * range. Errors as {@link candlesBetween}.
   */
  barsBetween(symbol: string, fromMs: number, toMs: number): HourlyBars | null {
    const t = this.table(symbol);
    if (!t || !(toMs >= fromMs)) return null;
    const from = t.lowerBound(fromMs);
    const to = t.lowerBound(Math.floor(toMs) + 1);
    return from >= to ? null : new TableHourlyBars(t, from, to - from, () => this.columnsOf(t));
  }

  private columnsOf(t: HourlyTable): HourlyColumns {
    let c = this.columns.get(t);
    if (c === undefined) {
      c = parseHourlyColumns(t.text, t.starts);
      this.columns.set(t, c);
    }
    return c;
  }

  /** The whole hourly series of `symbol` (cached, shared — do not mutate); `[]` without a file. Errors as {@link candlesBetween}. */
  candlesOf(symbol: string): readonly Candle[] {
    return this.table(symbol)?.all() ?? [];
  }

  /**
   * First and last open time (UTC ms) of `symbol`'s hourly series, or null without a file or rows. Reads the
   * file (errors as {@link candlesBetween}).
   */
  coverageOf(symbol: string): { readonly firstMs: number; readonly lastMs: number } | null {
    const t = this.table(symbol);
    const first = t?.openTimeAt(0);
    const last = t?.openTimeAt(t.length - 1);
    return first === undefined || last === undefined ? null : { firstMs: first, lastMs: last };
  }

  private table(symbol: string): HourlyTable | null {
    const hit = this.tables.get(symbol);
    if (hit) return hit;
    const file = this.files.get(symbol);
    if (!file) return null;
    // the derived cache first (same path, size, mtime, ctime), else read + validate, then cache it
    const stamp = this.cacheDir === null ? null : hourlySourceStamp(file);
    const cached = stamp === null ? null : readHourlyCache(this.cacheDir as string, stamp);
    let table: HourlyTable | null = cached?.table ?? null;
    if (cached !== null) this.columns.set(cached.table, cached.columns);
    if (table === null) {
      const text = readDataTextSync(file);
      table = indexKlineCsv(text, file, HOUR_MS);
      if (stamp !== null && this.cacheWrites)
        this.cacheWrites = writeHourlyCache(this.cacheDir as string, stamp, table, this.columnsOf(table));
    }
    this.tables.set(symbol, table);
    return table;
  }
}

/**
 * Opens the hourly klines of a data directory of the shared layout: lists `<dir>/binance/klines-1h`
 * (`<SYMBOL>.csv` or `<SYMBOL>.csv.gz`, the plain one wins when both exist) without reading any file. A
 * missing folder gives an empty set (daily-only directories stay valid).
 * @param dir the data directory (e.g. the bundled `data/` or `../shared/data`).
 * @param cacheDir the derived cache of validated hourly files (`hourly-cache.ts`; default from the
 *   environment, `MOMENTUM_REBALANCER_CACHE_DIR=off` disables it), or null for none.
 */
export async function loadHourlyKlines(
  dir: string,
  cacheDir: string | null = defaultHourlyCacheDir(),
): Promise<HourlyKlines> {
  const folder = path.join(path.resolve(dir), 'binance', 'klines-1h');
  return new HourlyKlines(folder, (await listHourlyKlineFiles(folder)) ?? new Map(), cacheDir);
}

/**
 * The files of a `klines-1h` folder, without reading them: symbol → path of `<SYMBOL>.csv`, else of
 * `<SYMBOL>.csv.gz` (the plain one wins when both exist); other names are passed over.
 * @param folder e.g. `<data dir>/binance/klines-1h`. @returns null when the folder cannot be listed.
 */
export async function listHourlyKlineFiles(folder: string): Promise<Map<string, string> | null> {
  let names: string[];
  try {
    names = (await readdir(folder)).sort();
  } catch {
    return null;
  }
  const files = new Map<string, string>();
  for (const name of names) {
    const m = FILE_RE.exec(name);
    if (!m) continue;
    const symbol = m[1] as string;
    if (!m[2] || !files.has(symbol)) files.set(symbol, path.join(folder, name));
  }
  return files;
}
