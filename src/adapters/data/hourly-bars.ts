/**
 * The `HourlyBars` of a validated hourly kline table (src/domain/risk/hourly-bars.ts; the table of
 * `HourlyKlines`, read from the file or the hourly cache): rows `[from, from + length)` served from the
 * file's text — open times from the table's index, the price columns of the whole table (stored in the
 * hourly cache, else parsed from the text on first use), a `Candle` only for a row asked for. An intraday
 * backtest builds no candle for the hours it proves quiet with doubles (issue 10 item 9b).
 */
import { priceMantissa8 } from '../../domain/backtest/exact.ts';
import { emptyHourlyColumns, type HourlyBars, type HourlyColumns } from '../../domain/risk/hourly-bars.ts';
import type { Candle } from '../../domain/types.ts';
import type { HourlyTable } from './hourly-cache.ts';
import { rowCommas } from './kline-csv.ts';

/**
 * The `HourlyColumns` of every row of a validated kline text (8 fields per row, prices > 0): open, high and
 * low as `Number` of their text, close and low as `priceMantissa8` units (NaN where not exact at 8 decimals).
 * @param text the validated text; @param starts each row's first character in it.
 */
export function parseHourlyColumns(text: string, starts: ArrayLike<number>): HourlyColumns {
  const n = starts.length;
  const cols = emptyHourlyColumns(n);
  const c = new Int32Array(5);
  for (let k = 0; k < n; k++) {
    rowCommas(text, starts[k] as number, c);
    const lowText = text.slice((c[2] as number) + 1, c[3]);
    const closeText = text.slice((c[3] as number) + 1, c[4]);
    const low = Number(lowText);
    cols.open[k] = Number(text.slice((c[0] as number) + 1, c[1]));
    cols.high[k] = Number(text.slice((c[1] as number) + 1, c[2]));
    cols.low[k] = low;
    cols.closeUnits[k] = priceMantissa8(closeText, Number(closeText));
    cols.lowUnits[k] = priceMantissa8(lowText, low);
  }
  return cols;
}

/** {@link HourlyBars} over rows of an {@link HourlyTable} (see the module docstring). */
export class TableHourlyBars implements HourlyBars {
  private cols: HourlyColumns | null = null;

  /**
   * @param table a validated table (rows ascending, on the hour; 8 fields per row).
   * @param from first row; @param length number of rows (`from + length <= table.length`).
   * @param tableColumns the columns of the whole table (cached by the caller; views are taken).
   */
  constructor(
    private readonly table: HourlyTable,
    private readonly from: number,
    readonly length: number,
    private readonly tableColumns: () => HourlyColumns,
  ) {}

  /** See {@link HourlyBars.openTime}. */
  openTime(k: number): number {
    return this.table.times[this.from + k] as number;
  }

  /** See {@link HourlyBars.candle}. */
  candle(k: number): Candle {
    const i = this.from + k;
    return this.table.slice(i, i + 1)[0] as Candle;
  }

  /** See {@link HourlyBars.columns}: views of the table's columns. */
  columns(): HourlyColumns {
    if (this.cols === null) {
      const all = this.tableColumns();
      const a = this.from;
      const b = this.from + this.length;
      this.cols = {
        open: all.open.subarray(a, b),
        high: all.high.subarray(a, b),
        low: all.low.subarray(a, b),
        closeUnits: all.closeUnits.subarray(a, b),
        lowUnits: all.lowUnits.subarray(a, b),
      };
    }
    return this.cols;
  }
}
