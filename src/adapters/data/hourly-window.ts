/**
 * The hourly candles an intraday backtest needs (strategy-semantics.md §10; issue 10 item 3): reads
 * `<dir>/binance/klines-1h/<SYMBOL>.csv` or `.csv.gz` (the shared layout, shared/data/SOURCES.md §2; same
 * normalised schema as the daily files, open times on the hour, UTC ms) and checks that the data covers
 * the backtest's window. A minimal reader for the backtest until the bundled hourly loader lands.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Candle } from '../../domain/types.ts';
import { DataError } from './data-error.ts';
import { readDataText, splitLines } from './data-files.ts';
import { KLINE_HEADER } from './kline-csv.ts';

const HOUR_MS = 3_600_000;

/**
 * Hourly data missing or corrupt for an intraday backtest (a {@link DataError}; the backtest CLI exits 66,
 * EX_NOINPUT, before anything is recorded).
 */
export class HourlyDataError extends DataError {
  override readonly name = 'HourlyDataError';
}
const FILE_RE = /^([A-Z0-9]+)\.csv(\.gz)?$/;
const NUM = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Parses one hourly kline file (header {@link KLINE_HEADER}; ascending open times on the hour; prices > 0).
 * @throws DataError naming the file and line on a wrong header or a malformed / unsorted row.
 */
export function parseHourlyCsv(text: string, file: string): Candle[] {
  const lines = splitLines(text);
  if (lines[0] !== KLINE_HEADER) throw new HourlyDataError(file, `wrong header: expected "${KLINE_HEADER}"`);
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
      [1, 2, 3, 4].every((k) => Number(f[k]) > 0) &&
      (f[6] === '' || NUM.test(f[6] as string));
    if (!ok) throw new HourlyDataError(file, `line ${i + 1}: malformed hourly row ${JSON.stringify(lines[i])}`);
    if (t <= prev) throw new HourlyDataError(file, `line ${i + 1}: open_time_ms ${t} is not after the previous row`);
    prev = t;
    out.push({
      openTime: t,
      open: f[1] as string,
      high: f[2] as string,
      low: f[3] as string,
      close: f[4] as string,
      volume: f[5] as string,
      quoteVolume: f[6] === '' ? null : (f[6] as string),
      trades: f[7] === '' || f[7] === undefined ? null : Number(f[7]),
    });
  }
  return out;
}

/**
 * Loads the hourly candles of every symbol of `<dir>/binance/klines-1h` with open time before
 * `toMs + 1 day` (earlier ones included: exit signals read a symbol's last candles, §4 row 9 reads D − 1),
 * and checks that together they cover every day of `[fromMs, toMs]`.
 * @param dir the data directory (e.g. `../shared/data`).
 * @param fromMs the backtest's first day (00:00 UTC ms).
 * @param toMs last day of the backtest (00:00 UTC ms).
 * @returns symbol → ascending hourly candles (symbols without a candle in the window are left out).
 * @throws DataError (exit 66) naming the folder when it does not exist or holds no hourly file, naming the
 *   window and the data's coverage when some day of the window has no hourly candle of any symbol, or
 *   naming a corrupt file.
 */
export async function loadHourlyWindow(
  dir: string,
  fromMs: number,
  toMs: number,
): Promise<Map<string, Candle[]>> {
  const folder = path.join(path.resolve(dir), 'binance', 'klines-1h');
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const window = `${day(fromMs)} .. ${day(toMs)}`;
  let names: string[];
  try {
    names = (await readdir(folder)).sort();
  } catch {
    throw new HourlyDataError(
      folder,
      `no hourly klines: a backtest with an intraday rule on ([risk] / [signals] exit_signal) needs binance/klines-1h/<SYMBOL>.csv[.gz] for ${window} (e.g. --data ../shared/data)`,
    );
  }
  const files = new Map<string, string>();
  for (const name of names) {
    const m = FILE_RE.exec(name);
    if (m && (!m[2] || !files.has(m[1] as string))) files.set(m[1] as string, path.join(folder, name));
  }
  if (files.size === 0)
    throw new HourlyDataError(folder, `holds no <SYMBOL>.csv[.gz] hourly file; an intraday backtest of ${window} needs them`);
  const endMs = toMs + 86_400_000;
  const out = new Map<string, Candle[]>();
  const days = new Set<number>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const [symbol, file] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const all = parseHourlyCsv(await readDataText(file), file);
    if (all.length > 0) {
      first = Math.min(first, (all[0] as Candle).openTime);
      last = Math.max(last, (all[all.length - 1] as Candle).openTime);
    }
    const inWindow = all.filter((c) => c.openTime < endMs);
    if (inWindow.length === 0) continue;
    for (const c of inWindow) if (c.openTime >= fromMs) days.add(c.openTime - (c.openTime % 86_400_000));
    out.set(symbol, inWindow);
  }
  for (let t = fromMs; t <= toMs; t += 86_400_000) {
    if (!days.has(t)) {
      const coverage = Number.isFinite(first) ? `${day(first)} .. ${day(last)}` : 'none';
      throw new HourlyDataError(
        folder,
        `no hourly candle of any symbol on ${day(t)}: an intraday backtest of ${window} needs hourly data for every day (the hourly data covers ${coverage}; choose --from/--to inside it)`,
      );
    }
  }
  return out;
}
