/**
 * Parser of the normalised daily-kline CSV (shared/data/SOURCES.md "Normalised kline schema"):
 *
 *     open_time_ms,open,high,low,close,volume,quote_volume,trades
 *     1609459200000,28923.63,29600.0,28624.57,29331.69,54182.925011,1582526989.1618726,1314910
 *
 * Loading is split in two for speed: {@link indexKlineCsv} validates the whole file at load time (one
 * sticky regex per row, no per-field allocations) and records each row's open time and position;
 * `Candle` objects are built from the text (split-based) only when a range or the series is asked for.
 */
import { lowerBoundOf } from '../../domain/series.ts';
import { DAY_MS, msToDay } from '../../domain/time.ts';
import type { Candle } from '../../domain/types.ts';
import { DataError } from './data-error.ts';

/** The header every `klines-1d/<SYMBOL>.csv` starts with. */
export const KLINE_HEADER = 'open_time_ms,open,high,low,close,volume,quote_volume,trades';

/** A decimal as the sources write it (sign allowed: BTTUSDT has negative volumes; no quoting). */
const NUM = '-?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?';
/** One well-formed row, anchored at `lastIndex`, ending at a newline or the end of the text. */
const ROW_RE = new RegExp(`\\d{1,16},(?:${NUM},){5}(?:${NUM})?,\\d*(?=\\n|$)`, 'y');
const NUM_RE = new RegExp(`^${NUM}$`);

/**
 * A validated daily-kline file: the text plus, per row, its open time (UTC ms) and position. Rows are
 * strictly ascending by open time, each aligned to 00:00 UTC. Candles are materialised on demand; the
 * whole series once (then cached).
 */
export class KlineTable {
  /** Number of rows (candles). */
  readonly length: number;
  private cache: readonly Candle[] | undefined;

  /** @internal use {@link indexKlineCsv}. */
  constructor(
    /** The file the rows came from. */
    readonly file: string,
    private readonly text: string,
    private readonly times: Float64Array,
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
  ) {
    this.length = times.length;
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
      const out: Candle[] = new Array(this.length);
      for (let i = 0; i < this.length; i++) out[i] = this.candleAt(i);
      this.cache = out;
    }
    return this.cache;
  }

  private candleAt(i: number): Candle {
    // Fields are sliced straight from the file text between commas (the row was validated when indexed:
    // exactly 8 fields): no row string and no array per candle, which matters for 250k candles.
    const t = this.text;
    const end = this.ends[i] as number;
    const c1 = t.indexOf(',', this.starts[i] as number);
    const c2 = t.indexOf(',', c1 + 1);
    const c3 = t.indexOf(',', c2 + 1);
    const c4 = t.indexOf(',', c3 + 1);
    const c5 = t.indexOf(',', c4 + 1);
    const c6 = t.indexOf(',', c5 + 1);
    const c7 = t.indexOf(',', c6 + 1);
    return {
      openTime: this.times[i] as number,
      open: t.slice(c1 + 1, c2),
      high: t.slice(c2 + 1, c3),
      low: t.slice(c3 + 1, c4),
      close: t.slice(c4 + 1, c5),
      volume: t.slice(c5 + 1, c6),
      quoteVolume: c7 === c6 + 1 ? null : t.slice(c6 + 1, c7),
      trades: end === c7 + 1 ? null : +t.slice(c7 + 1, end),
    };
  }
}

/**
 * Validates a daily-kline file and indexes its rows (see {@link KlineTable}). Checks: the header is
 * exactly {@link KLINE_HEADER}; every row has 8 fields; `open_time_ms` is an integer (UTC ms) aligned to
 * 00:00 UTC and strictly greater than the previous row's; open/high/low/close/volume are decimals;
 * quote_volume is empty or a decimal; trades is empty or an integer. Market plausibility is NOT checked:
 * real quirks (negative volume, close > high — shared/data/SOURCES.md) load as they are.
 * LF or CRLF line ends; a UTF-8 BOM is ignored.
 * @param file the path, for error messages.
 * @throws DataError naming the file and line on a wrong header, a malformed row or an unsorted/duplicate row.
 */
export function indexKlineCsv(text: string, file: string): KlineTable {
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
  let prev = Number.NEGATIVE_INFINITY;
  let p = headerEnd < 0 ? n : headerEnd + 1;
  for (let r = 0; p < n; r++) {
    let e = t.indexOf('\n', p);
    if (e < 0) e = n;
    ROW_RE.lastIndex = p;
    if (!ROW_RE.test(t) || ROW_RE.lastIndex !== e) {
      throw new DataError(file, `line ${r + 2}: ${diagnoseRow(t.slice(p, e))}`);
    }
    let ms = 0;
    for (let i = p; ; i++) {
      const c = t.charCodeAt(i);
      if (c === 44) break;
      ms = ms * 10 + (c - 48);
    }
    if (!Number.isSafeInteger(ms)) throw new DataError(file, `line ${r + 2}: open_time_ms is too large`);
    if (ms % DAY_MS !== 0) {
      throw new DataError(
        file,
        `line ${r + 2}: open_time_ms ${ms} is not 00:00 UTC (${new Date(ms).toISOString()})`,
      );
    }
    if (ms <= prev) {
      throw new DataError(
        file,
        `line ${r + 2}: open_time_ms ${ms} (${msToDay(ms)}) is not after the previous row (${msToDay(prev)}): rows must be strictly ascending`,
      );
    }
    prev = ms;
    times[r] = ms;
    starts[r] = p;
    ends[r] = e;
    p = e + 1;
  }
  return new KlineTable(file, t, times, starts, ends);
}

/** Why a row failed {@link ROW_RE} (only on the error path). */
function diagnoseRow(line: string): string {
  if (line === '') return 'empty line';
  const f = line.split(',');
  if (f.length !== 8) return `expected 8 fields, got ${f.length}: ${JSON.stringify(line.slice(0, 200))}`;
  if (!/^\d{1,16}$/.test(f[0] as string)) return `open_time_ms ${JSON.stringify(f[0])} is not an integer`;
  const names = ['open', 'high', 'low', 'close', 'volume'];
  for (let k = 1; k <= 5; k++) {
    if (!NUM_RE.test(f[k] as string)) return `${names[k - 1]} ${JSON.stringify(f[k])} is not a number`;
  }
  if (f[6] !== '' && !NUM_RE.test(f[6] as string))
    return `quote_volume ${JSON.stringify(f[6])} is not a number`;
  if (!/^\d*$/.test(f[7] as string)) return `trades ${JSON.stringify(f[7])} is not an integer`;
  return `malformed row ${JSON.stringify(line.slice(0, 200))}`;
}

/**
 * Parses a daily-kline file into candles (values as the source strings; empty quote_volume/trades -> null).
 * Same checks and errors as {@link indexKlineCsv}.
 */
export function parseKlineCsv(text: string, file: string): Candle[] {
  return indexKlineCsv(text, file).slice(0, Number.POSITIVE_INFINITY);
}
