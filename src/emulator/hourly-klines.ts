/**
 * Hourly klines of a data directory (`binance/klines-1h/<SYMBOL>.csv[.gz]`, the shared layout:
 * shared/data/SOURCES.md §2 — 39 USDT pairs, 2021-01 .. 2022-07; the bundled `data/` has none). Same
 * normalised schema as the daily files (`open_time_ms,open,high,low,close,volume,quote_volume,trades`),
 * open times aligned to the hour. `dataset.loadDataset` reads daily files only, so the emulator reads these
 * itself: the folder is listed at start, and a symbol's file is read (synchronously, ~1 MB) the first time
 * its hourly candles are needed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../adapters/data/data-error.ts';
import { splitLines } from '../adapters/data/data-files.ts';
import { listHourlyKlineFiles } from '../adapters/data/hourly-klines.ts';
import { KLINE_HEADER } from '../adapters/data/kline-csv.ts';
import type { Candle } from '../domain/types.ts';

/** One hour in ms. */
export const HOUR_MS = 3_600_000;

/** The hourly klines available in a data directory, loaded per symbol on first use. */
export class HourlyKlines {
  private readonly cache = new Map<string, readonly Candle[]>();

  /** @param files symbol → file path (plain preferred over `.gz`). */
  constructor(private readonly files: ReadonlyMap<string, string>) {}

  /** No hourly data at all. */
  static empty(): HourlyKlines {
    return new HourlyKlines(new Map());
  }

  /**
   * Lists `<dataDir>/binance/klines-1h`; a missing folder gives {@link empty}. Files are not read yet.
   */
  static async open(dataDir: string): Promise<HourlyKlines> {
    const files = await listHourlyKlineFiles(path.join(dataDir, 'binance', 'klines-1h'));
    return files === null ? HourlyKlines.empty() : new HourlyKlines(files);
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
   * The hourly candles of `symbol`, ascending by open time (UTC ms, hour-aligned); `[]` when it has no
   * file. Read and validated on first use, then cached.
   * @throws DataError for a wrong header, a malformed row, an open time not on the hour, or unsorted rows.
   */
  series(symbol: string): readonly Candle[] {
    const hit = this.cache.get(symbol);
    if (hit) return hit;
    const file = this.files.get(symbol);
    if (!file) return [];
    let buf = readFileSync(file);
    if (file.endsWith('.gz')) buf = gunzipSync(buf);
    const candles = parseHourly(buf.toString('utf8'), file);
    this.cache.set(symbol, candles);
    return candles;
  }
}

const NUM = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Parses an hourly kline CSV (see {@link HourlyKlines.series} for the checks). */
export function parseHourly(text: string, file: string): Candle[] {
  const lines = splitLines(text);
  if (lines[0] !== KLINE_HEADER) {
    throw new DataError(file, `wrong header: expected "${KLINE_HEADER}"`);
  }
  const out: Candle[] = [];
  let prev = Number.NEGATIVE_INFINITY;
  for (let i = 1; i < lines.length; i++) {
    const f = (lines[i] as string).split(',');
    const t = Number(f[0]);
    const ok =
      f.length === 8 &&
      Number.isSafeInteger(t) &&
      t % HOUR_MS === 0 &&
      [1, 2, 3, 4, 5].every((k) => NUM.test(f[k] as string)) &&
      (f[6] === '' || NUM.test(f[6] as string)) &&
      /^\d*$/.test(f[7] as string);
    if (!ok) throw new DataError(file, `line ${i + 1}: malformed hourly row ${JSON.stringify(lines[i])}`);
    if (t <= prev)
      throw new DataError(file, `line ${i + 1}: open_time_ms ${t} is not after the previous row`);
    prev = t;
    out.push({
      openTime: t,
      open: f[1] as string,
      high: f[2] as string,
      low: f[3] as string,
      close: f[4] as string,
      volume: f[5] as string,
      quoteVolume: f[6] === '' ? null : (f[6] as string),
      trades: f[7] === '' ? null : Number(f[7]),
    });
  }
  return out;
}
