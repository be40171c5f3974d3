/**
 * One symbol's hourly candles as an intraday backtest reads them (strategy-semantics.md §10): open times,
 * price columns for the one-sided float screens (bar-screen.ts) and the exit signals, and a `Candle` only
 * for the rows the exact rule looks at. A data adapter can serve it straight from a file's text (hundreds
 * of thousands of rows, of which a backtest prices a few tens of thousands exactly); a `Candle[]` fits
 * through {@link hourlyBarsOfCandles}.
 */
import { priceMantissa8 } from '../backtest/exact.ts';
import type { Candle } from '../types.ts';

/** Per-row columns of {@link HourlyBars} (row `k` of each is candle `k`). */
export interface HourlyColumns {
  /** `Number(open)`, `Number(high)`, `Number(low)` of each candle (correctly rounded doubles), quote per base. */
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  /**
   * Close and low times 10^8 as exact integer doubles below 2^53 (`priceMantissa8`), NaN where the text has
   * more than 8 decimals or is too large: the exact units of the exit signals (`exitSignalSeriesOfUnits`).
   */
  readonly closeUnits: Float64Array;
  readonly lowUnits: Float64Array;
}

/** {@link HourlyColumns} for `n` candles, every value 0 (to be filled row by row). */
export function emptyHourlyColumns(n: number): HourlyColumns {
  return {
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    closeUnits: new Float64Array(n),
    lowUnits: new Float64Array(n),
  };
}

/** A symbol's hourly candles, ascending by open time (see the module docstring). */
export interface HourlyBars {
  /** Number of candles. */
  readonly length: number;
  /** Open time of candle `k` (UTC ms, on the hour), strictly ascending in `k`. */
  openTime(k: number): number;
  /** Candle `k` with its source strings (built on each call; the exact rule's input). */
  candle(k: number): Candle;
  /** The columns of every candle (computed on first call, then the same object). */
  columns(): HourlyColumns;
}

/** {@link HourlyBars} over candles already built (tests, small windows): the columns parsed from their strings. */
export function hourlyBarsOfCandles(candles: readonly Candle[]): HourlyBars {
  let columns: HourlyColumns | null = null;
  return {
    length: candles.length,
    openTime: (k) => (candles[k] as Candle).openTime,
    candle: (k) => candles[k] as Candle,
    columns: () => {
      if (columns === null) {
        const n = candles.length;
        columns = emptyHourlyColumns(n);
        for (let k = 0; k < n; k++) {
          const c = candles[k] as Candle;
          const low = Number(c.low);
          columns.open[k] = Number(c.open);
          columns.high[k] = Number(c.high);
          columns.low[k] = low;
          columns.closeUnits[k] = priceMantissa8(c.close, Number(c.close));
          columns.lowUnits[k] = priceMantissa8(c.low, low);
        }
      }
      return columns;
    },
  };
}
