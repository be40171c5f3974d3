/**
 * The hourly candles an intraday backtest needs (strategy-semantics.md §10; issue 10 item 3), read through
 * the data bundle's hourly loader ({@link HourlyKlines}, `<dir>/binance/klines-1h/<SYMBOL>.csv[.gz]`,
 * shared/data/SOURCES.md §2; open times on the hour, UTC ms), with the check that the data covers the
 * backtest's window.
 */
import type { HourlyBars } from '../../domain/risk/hourly-bars.ts';
import type { Candle } from '../../domain/types.ts';
import { DataError } from './data-error.ts';
import type { HourlyKlines } from './hourly-klines.ts';

const DAY_MS = 86_400_000;

/**
 * Hourly data missing or corrupt for an intraday backtest (a {@link DataError}; the backtest CLI exits 66,
 * EX_NOINPUT, before anything is recorded).
 */
export class HourlyDataError extends DataError {
  override readonly name = 'HourlyDataError';
}

/**
 * The hourly candles of every symbol of `klines` with open time before `toMs + 1 day` (earlier ones
 * included: exit signals read a symbol's last candles, §4 row 9 reads D − 1), after checking that together
 * they cover every day of `[fromMs, toMs]` — as `HourlyBars` (src/domain/risk/hourly-bars.ts), served from
 * the files' text: no `Candle` is built here, an intraday backtest builds those it prices exactly.
 * @param klines the hourly klines of the data directory (`Dataset.hourly()` / `loadHourlyKlines`).
 * @param fromMs the backtest's first day (00:00 UTC ms).
 * @param toMs last day of the backtest (00:00 UTC ms).
 * @returns symbol → its bars, ascending (symbols without a candle in the window are left out).
 * @throws HourlyDataError (exit 66) naming the folder when it holds no hourly file, or naming the window
 *   and the data's coverage when some day of the window has no hourly candle of any symbol; DataError
 *   (from {@link HourlyKlines}) naming a corrupt file.
 */
export function loadHourlyBars(klines: HourlyKlines, fromMs: number, toMs: number): Map<string, HourlyBars> {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const window = `${day(fromMs)} .. ${day(toMs)}`;
  if (klines.size === 0)
    throw new HourlyDataError(
      klines.dir,
      `no hourly klines: a backtest with an intraday rule on ([risk] / [signals] exit_signal) needs binance/klines-1h/<SYMBOL>.csv[.gz] for ${window} (e.g. --data ../shared/data)`,
    );
  const endMs = toMs + DAY_MS;
  const out = new Map<string, HourlyBars>();
  // days of [fromMs, toMs] with a candle of some symbol (index = day − fromMs's day)
  const nDays = Math.max(0, Math.floor((toMs - fromMs) / DAY_MS) + 1);
  const covered = new Uint8Array(nDays);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const symbol of klines.symbols()) {
    // coverage from the open times only: no candle is built for rows after the window
    const coverage = klines.coverageOf(symbol);
    if (coverage !== null) {
      first = Math.min(first, coverage.firstMs);
      last = Math.max(last, coverage.lastMs);
    }
    const bars = klines.barsBetween(symbol, Number.NEGATIVE_INFINITY, endMs - 1);
    if (bars === null) continue;
    for (let k = 0; k < bars.length; k++) {
      const d = Math.floor((bars.openTime(k) - fromMs) / DAY_MS);
      if (d >= 0 && d < nDays) covered[d] = 1;
    }
    out.set(symbol, bars);
  }
  for (let d = 0; d < nDays; d++) {
    if (covered[d] === 0) {
      const t = fromMs + d * DAY_MS;
      const coverage = Number.isFinite(first) ? `${day(first)} .. ${day(last)}` : 'none';
      throw new HourlyDataError(
        klines.dir,
        `no hourly candle of any symbol on ${day(t)}: an intraday backtest of ${window} needs hourly data for every day (the hourly data covers ${coverage}; choose --from/--to inside it)`,
      );
    }
  }
  return out;
}

/**
 * {@link loadHourlyBars} as `Candle` arrays (every candle of the window built: for tests and small
 * windows; same checks and errors).
 */
export function loadHourlyWindow(
  klines: HourlyKlines,
  fromMs: number,
  toMs: number,
): Map<string, readonly Candle[]> {
  const out = new Map<string, readonly Candle[]>();
  for (const symbol of loadHourlyBars(klines, fromMs, toMs).keys())
    out.set(symbol, klines.candlesBetween(symbol, Number.NEGATIVE_INFINITY, toMs + DAY_MS - 1));
  return out;
}
