/**
 * Parser of the normalised kline CSV, daily or hourly (shared/data/SOURCES.md "Normalised kline schema"):
 *
 *     open_time_ms,open,high,low,close,volume,quote_volume,trades
 *     1609459200000,28923.63,29600.0,28624.57,29331.69,54182.925011,1582526989.1618726,1314910
 *
 * Loading is split in two for speed: {@link indexKlineCsv} validates the whole file at load time (one
 * sticky regex per row, no per-field allocations) and records each row's open time and position;
 * `Candle` objects are built from the text (split-based) only when a range or the series is asked for.
 */
import { priceMantissa8 } from '../../domain/backtest/exact.ts';
import type { PriceColumns } from '../../domain/backtest/market.ts';
import { lowerBoundOf } from '../../domain/series.ts';
import { DAY_MS, msToDay } from '../../domain/time.ts';
import type { Candle } from '../../domain/types.ts';
import { DataError } from './data-error.ts';

/** The header every `klines-1d/<SYMBOL>.csv` and `klines-1h/<SYMBOL>.csv` starts with. */
export const KLINE_HEADER = 'open_time_ms,open,high,low,close,volume,quote_volume,trades';

/** A decimal as the sources write it (sign allowed: BTTUSDT has negative volumes; no quoting). */
const NUM = '-?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?';
/** A decimal > 0: no sign, and a digit 1-9 in the mantissa (in the integer part, or else in the fraction). */
const POSITIVE = '(?:0*[1-9]\\d*(?:\\.\\d*)?|0*\\.\\d*[1-9]\\d*)(?:[eE][-+]?\\d+)?';
/**
 * One well-formed row, anchored at `lastIndex`, ending at a newline or the end of the text: open time,
 * four positive prices, volume, optional quote volume, optional trades.
 */
const ROW_RE = new RegExp(`\\d{1,16},(?:${POSITIVE},){4}${NUM},(?:${NUM})?,\\d*(?=\\n|$)`, 'y');
const NUM_RE = new RegExp(`^${NUM}$`);
const POSITIVE_RE = new RegExp(`^${POSITIVE}$`);
/** Rows longer than this may hold a digit run `Number()` turns into ±Infinity (1.8e308 has 309 digits). */
const MAX_PLAIN_ROW = 300;
/** One hour in ms (the open-time grid of hourly klines). */
export const HOUR_MS = 3_600_000;
const NUMERIC_FIELDS = ['open', 'high', 'low', 'close', 'volume', 'quote_volume'] as const;

/** A kline file's text kept encoded until used: decoded whole, or one row (character range) at a time. */
export interface LazyText {
  whole(): string;
  range(from: number, to: number): string;
}

/**
 * The positions of the first `out.length` commas at or after `from` in `text`, into `out` (`out[j]`: the
 * `j + 1`-th comma; field `j + 1` of a row starting at `from` lies between `out[j] + 1` and `out[j + 1]`).
 * For rows already validated (8 fields, 7 commas): no check that the commas exist.
 * @returns `out`.
 */
export function rowCommas(text: string, from: number, out: Int32Array): Int32Array {
  let c = text.indexOf(',', from);
  out[0] = c;
  for (let j = 1; j < out.length; j++) {
    c = text.indexOf(',', c + 1);
    out[j] = c;
  }
  return out;
}

/** Scratch of {@link rowCommas} for the five commas before `quote_volume` (open … volume). */
const PRICE_COMMAS = new Int32Array(5);
/** Scratch of {@link rowCommas} for all seven commas of a row. */
const ROW_COMMAS = new Int32Array(7);

/**
 * A validated kline file: the text plus, per row, its open time (UTC ms) and position. Rows are strictly
 * ascending by open time, each aligned to the interval (00:00 UTC for daily files, the hour for hourly ones).
 * Candles are materialised on demand; the whole series once (then cached).
 */
export class KlineTable {
  /** Number of rows (candles). */
  readonly length: number;
  private cache: readonly Candle[] | undefined;
  private textOrLoader: string | LazyText;
  private columns: PriceColumns | undefined;
  /** Where the row {@link rowSource} last returned starts and ends in the string it returned. */
  private rowStart = 0;
  private rowEnd = 0;

  /**
   * @internal use {@link indexKlineCsv} (or the daily cache, src/adapters/data/daily-cache.ts, which hands
   * in the text as a {@link LazyText} decoded on demand and the price columns it stored).
   */
  constructor(
    /** The file the rows came from. */
    readonly file: string,
    text: string | LazyText,
    /** Open time (UTC ms) of each row. */
    readonly times: Float64Array,
    /** Offset in the text of each row's first character. */
    readonly starts: Uint32Array,
    /** Offset in the text of each row's end (its newline, or the text's length). */
    readonly ends: Uint32Array,
    columns?: PriceColumns,
  ) {
    this.length = times.length;
    this.textOrLoader = text;
    this.columns = columns;
  }

  /** The validated file text (header included; LF line ends, no BOM): rows are `text.slice(starts[i], ends[i])`. */
  get text(): string {
    if (typeof this.textOrLoader !== 'string') this.textOrLoader = this.textOrLoader.whole();
    return this.textOrLoader;
  }

  /**
   * The string holding row `i` (the whole text once decoded, else just that row, decoded alone), with
   * {@link rowStart}/{@link rowEnd} set to the row's bounds in it.
   */
  private rowSource(i: number): string {
    const s = this.starts[i] as number;
    const e = this.ends[i] as number;
    const src = this.textOrLoader;
    if (typeof src === 'string') {
      this.rowStart = s;
      this.rowEnd = e;
      return src;
    }
    this.rowStart = 0;
    this.rowEnd = e - s;
    return src.range(s, e);
  }

  /**
   * Float and exact columns of every row's open/close (see `PriceColumns`, src/domain/backtest/market.ts):
   * computed from the text on first call (one pass), or those the daily cache stored.
   */
  priceColumns(): PriceColumns {
    if (!this.columns) {
      const n = this.length;
      const close = new Float64Array(n);
      const openMantissa = new Float64Array(n);
      const closeMantissa = new Float64Array(n);
      const t = this.text;
      const c = PRICE_COMMAS;
      for (let i = 0; i < n; i++) {
        rowCommas(t, this.starts[i] as number, c);
        const openText = t.slice((c[0] as number) + 1, c[1]);
        const closeText = t.slice((c[3] as number) + 1, c[4]);
        const cl = Number(closeText);
        close[i] = cl;
        closeMantissa[i] = priceMantissa8(closeText, cl);
        openMantissa[i] = priceMantissa8(openText, Number(openText));
      }
      this.columns = { close, openMantissa, closeMantissa };
    }
    return this.columns;
  }

  /** Open time (UTC ms) of row `i` (0-based); undefined outside `[0, length)`. */
  openTimeAt(i: number): number | undefined {
    return this.times[i];
  }

  /** Index of the first row with open time `>= t` (`length` when none). */
  lowerBound(t: number): number {
    return lowerBoundOf(this.times, t);
  }

  /** The candles of rows `[from, to)` (fresh array; from the cache when the series is materialised). */
  slice(from: number, to: number): Candle[] {
    if (this.cache) return this.cache.slice(from, to);
    const out: Candle[] = [];
    for (let i = Math.max(0, from); i < Math.min(to, this.length); i++) out.push(this.candleAt(i));
    return out;
  }

  /** The whole series, ascending (materialised once and cached; shared — do not mutate). */
  all(): readonly Candle[] {
    if (!this.cache) {
      void this.text; // one decode of the whole text rather than one per row
      const out: Candle[] = new Array(this.length);
      for (let i = 0; i < this.length; i++) out[i] = this.candleAt(i);
      this.cache = out;
    }
    return this.cache;
  }

  /**
   * Rows `[from, to)` read field by field from the text, without building candles (row `k` is row
   * `from + k`; open/close are the source strings, sliced on each call), with their {@link priceColumns}
   * (views, not copies). Shape of `PriceRows` (src/domain/backtest/market.ts), for laying a backtest's day
   * grid out.
   */
  priceRows(
    from: number,
    to: number,
  ): {
    readonly length: number;
    openTimeAt(k: number): number;
    openAt(k: number): string;
    closeAt(k: number): string;
    readonly columns: PriceColumns;
  } {
    const lo = Math.max(0, from);
    const length = Math.max(0, Math.min(to, this.length) - lo);
    const { times } = this;
    const all = this.priceColumns();
    const columns: PriceColumns = {
      close: all.close.subarray(lo, lo + length),
      openMantissa: all.openMantissa.subarray(lo, lo + length),
      closeMantissa: all.closeMantissa.subarray(lo, lo + length),
    };
    return {
      length,
      columns,
      openTimeAt: (k) => times[lo + k] as number,
      openAt: (k) => {
        const t = this.rowSource(lo + k);
        const c1 = t.indexOf(',', this.rowStart);
        return t.slice(c1 + 1, t.indexOf(',', c1 + 1));
      },
      closeAt: (k) => {
        const t = this.rowSource(lo + k);
        let c = t.indexOf(',', this.rowStart);
        c = t.indexOf(',', c + 1);
        c = t.indexOf(',', c + 1);
        c = t.indexOf(',', c + 1);
        return t.slice(c + 1, t.indexOf(',', c + 1));
      },
    };
  }

  private candleAt(i: number): Candle {
    // Fields are sliced straight from the file text between commas (the row was validated when indexed:
    // exactly 8 fields): no row string and no array per candle, which matters for 250k candles.
    const t = this.rowSource(i);
    const end = this.rowEnd;
    const c = rowCommas(t, this.rowStart, ROW_COMMAS);
    const c6 = c[5] as number;
    const c7 = c[6] as number;
    return {
      openTime: this.times[i] as number,
      open: t.slice((c[0] as number) + 1, c[1]),
      high: t.slice((c[1] as number) + 1, c[2]),
      low: t.slice((c[2] as number) + 1, c[3]),
      close: t.slice((c[3] as number) + 1, c[4]),
      volume: t.slice((c[4] as number) + 1, c6),
      quoteVolume: c7 === c6 + 1 ? null : t.slice(c6 + 1, c7),
      trades: end === c7 + 1 ? null : +t.slice(c7 + 1, end),
    };
  }
}

/**
 * Validates a kline file and indexes its rows (see {@link KlineTable}). Checks: the header is exactly
 * {@link KLINE_HEADER}; every row has 8 fields; `open_time_ms` is an integer (UTC ms) aligned to the
 * interval (00:00 UTC for `DAY_MS`, the hour for {@link HOUR_MS}) and strictly greater than the previous
 * row's; open/high/low/close/volume are finite decimals; quote_volume is empty or a finite decimal; trades is
 * empty or an integer; open/high/low/close are > 0 (issue 14 item 2: a price <= 0 would rank as an infinite
 * return or value a book at 0). Other market plausibility is NOT checked: real quirks (negative volume, close
 * > high — shared/data/SOURCES.md "Known real-data quirks") load as they are.
 * LF or CRLF line ends; a UTF-8 BOM is ignored.
 * @param file the path, for error messages.
 * @param intervalMs the candle interval in ms: `DAY_MS` (default, `klines-1d`) or {@link HOUR_MS} (`klines-1h`).
 * @throws DataError naming the file and line on a wrong header, a malformed row or an unsorted/duplicate
 *   row; for a non-positive price or a non-finite number, the file, the line, the row's open time (UTC ms
 *   and ISO) and the field.
 */
export function indexKlineCsv(text: string, file: string, intervalMs: number = DAY_MS): KlineTable {
  let t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (t.includes('\r')) t = t.replace(/\r\n/g, '\n');
  const headerEnd = t.indexOf('\n');
  const header = headerEnd < 0 ? t : t.slice(0, headerEnd);
  if (header !== KLINE_HEADER) {
    throw new DataError(
      file,
      `wrong header: expected "${KLINE_HEADER}", got ${header === '' ? 'an empty first line' : JSON.stringify(header.slice(0, 200))}`,
    );
  }
  const n = t.length;
  let rows = 0;
  for (let p = headerEnd; p >= 0 && p < n - 1; p = t.indexOf('\n', p + 1)) rows++;
  const times = new Float64Array(rows);
  const starts = new Uint32Array(rows);
  const ends = new Uint32Array(rows);
  const alignment = intervalMs === DAY_MS ? '00:00 UTC' : `a multiple of ${intervalMs} ms`;
  let prev = Number.NEGATIVE_INFINITY;
  let longRow = false;
  let p = headerEnd < 0 ? n : headerEnd + 1;
  for (let r = 0; p < n; r++) {
    let e = t.indexOf('\n', p);
    if (e < 0) e = n;
    ROW_RE.lastIndex = p;
    if (!ROW_RE.test(t) || ROW_RE.lastIndex !== e) {
      throw new DataError(file, `line ${r + 2}: ${diagnoseRow(t.slice(p, e), intervalMs)}`);
    }
    let ms = 0;
    let i = p;
    for (; ; i++) {
      const c = t.charCodeAt(i);
      if (c === 44) break;
      ms = ms * 10 + (c - 48);
    }
    if (!Number.isSafeInteger(ms)) throw new DataError(file, `line ${r + 2}: open_time_ms is too large`);
    if (ms % intervalMs !== 0) {
      throw new DataError(
        file,
        `line ${r + 2}: open_time_ms ${ms} is not ${alignment} (${new Date(ms).toISOString()})`,
      );
    }
    if (ms <= prev) {
      throw new DataError(
        file,
        `line ${r + 2}: open_time_ms ${ms} (${describeTime(ms, intervalMs)}) is not after the previous row (${describeTime(prev, intervalMs)}): rows must be strictly ascending`,
      );
    }
    if (e - p > MAX_PLAIN_ROW) longRow = true;
    prev = ms;
    times[r] = ms;
    starts[r] = p;
    ends[r] = e;
    p = e + 1;
  }
  // Finite: only an exponent or a very long digit run can overflow to ±Infinity; check those files row by row.
  const body = headerEnd < 0 ? n : headerEnd;
  if (longRow || t.indexOf('e', body) >= 0 || t.indexOf('E', body) >= 0) {
    for (let r = 0; r < rows; r++) {
      const f = t.slice(starts[r], ends[r]).split(',');
      for (let k = 0; k < NUMERIC_FIELDS.length; k++) {
        const v = f[k + 1] as string;
        if (v !== '' && !Number.isFinite(Number(v))) {
          const ms = times[r] as number;
          throw new DataError(
            file,
            `line ${r + 2}: ${NUMERIC_FIELDS[k]} ${JSON.stringify(v.slice(0, 40))} is not a finite number (row open_time ${ms} = ${describeTime(ms, intervalMs)})`,
          );
        }
      }
    }
  }
  return new KlineTable(file, t, times, starts, ends);
}

/** `YYYY-MM-DD` for daily rows, the ISO instant for others. */
function describeTime(ms: number, intervalMs: number): string {
  return intervalMs === DAY_MS ? msToDay(ms) : new Date(ms).toISOString();
}

/** Why a row failed {@link ROW_RE} (only on the error path). */
function diagnoseRow(line: string, intervalMs: number): string {
  if (line === '') return 'empty line';
  const f = line.split(',');
  if (f.length !== 8) return `expected 8 fields, got ${f.length}: ${JSON.stringify(line.slice(0, 200))}`;
  if (!/^\d{1,16}$/.test(f[0] as string)) return `open_time_ms ${JSON.stringify(f[0])} is not an integer`;
  const row = ` (row open_time ${f[0]})`;
  const names = ['open', 'high', 'low', 'close', 'volume'];
  for (let k = 1; k <= 5; k++) {
    if (!NUM_RE.test(f[k] as string))
      return `${names[k - 1]} ${JSON.stringify((f[k] as string).slice(0, 40))} is not a number${row}`;
  }
  if (f[6] !== '' && !NUM_RE.test(f[6] as string))
    return `quote_volume ${JSON.stringify((f[6] as string).slice(0, 40))} is not a number${row}`;
  if (!/^\d*$/.test(f[7] as string))
    return `trades ${JSON.stringify((f[7] as string).slice(0, 40))} is not an integer${row}`;
  for (let k = 1; k <= 4; k++) {
    if (!POSITIVE_RE.test(f[k] as string)) {
      const ms = Number(f[0]);
      return `${names[k - 1]} ${JSON.stringify(f[k])} is not a positive price (row open_time ${ms} = ${describeTime(ms, intervalMs)})`;
    }
  }
  return `malformed row ${JSON.stringify(line.slice(0, 200))}`;
}

/**
 * Parses a kline file into candles (values as the source strings; empty quote_volume/trades -> null).
 * Same checks and errors as {@link indexKlineCsv}.
 * @param intervalMs `DAY_MS` (default) or {@link HOUR_MS}.
 */
export function parseKlineCsv(text: string, file: string, intervalMs: number = DAY_MS): Candle[] {
  return indexKlineCsv(text, file, intervalMs).slice(0, Number.POSITIVE_INFINITY);
}
