/**
 * A derived on-disk cache of validated hourly kline files (issue 10 item 9b: the hourly backtest's data
 * load): per source file `binance/klines-1h/<SYMBOL>.csv[.gz]`, one binary file holding the validated text
 * (gunzipped, BOM and CR removed) and each row's open time and position, so a later load skips gunzip and
 * the per-row validation of `indexKlineCsv` (src/adapters/data/kline-csv.ts) and maps typed arrays onto the
 * file's bytes.
 *
 * - Derived only: the source file stays the truth. An entry is used only while its source has the same
 *   path, size, mtime and ctime as when it was cached; a corrupt source is never cached (it fails
 *   validation first). A cache file of another format, another source, a wrong length or an unreadable
 *   header is ignored (rewritten), never trusted partly.
 * - Written atomically (temp file + rename) after the source validated; a failed write (read-only
 *   directory, full disk) is ignored.
 * - Location: `$MOMENTUM_REBALANCER_CACHE_DIR` (`off` disables it), else `$XDG_CACHE_HOME/momentum-rebalancer`,
 *   else `node_modules/.cache/momentum-rebalancer` under the package root (the same rule as the daily cache).
 *
 * Layout (little-endian, sections 8-byte aligned): `MRHOURLY`, u32 format version, u32 header length, the
 * header (UTF-8 JSON: source stamp, rows, text length, data offset), then `times` f64[rows], `starts`
 * u32[rows], `ends` u32[rows], the price columns of an intraday backtest (`HourlyColumns`,
 * src/domain/risk/hourly-bars.ts: `open`, `high`, `low`, `closeUnits`, `lowUnits`, f64[rows] each, from
 * `parseHourlyColumns`), the text (Latin-1; validated kline text is ASCII).
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { HourlyColumns } from '../../domain/risk/hourly-bars.ts';
import type { Candle } from '../../domain/types.ts';
import { align8, dataCacheDir, newCacheFile, readCacheFile, writeCacheFile } from './cache-dir.ts';
import { KlineTable, type LazyText } from './kline-csv.ts';

/** Bump when the layout or what is stored changes (an older entry is then rewritten). */
export const HOURLY_CACHE_FORMAT = 2;
/** The column arrays stored after the row index, in this order. */
const COLUMNS = ['open', 'high', 'low', 'closeUnits', 'lowUnits'] as const;
const MAGIC = 'MRHOURLY';

/** Identity of a source file at load time (a cached entry is valid only for the same values). */
export interface HourlySourceStamp {
  /** Absolute path of the source file. */
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

interface Header extends HourlySourceStamp {
  readonly rows: number;
  readonly textLength: number;
  /** Where `times` starts (8-aligned). */
  readonly base: number;
  /** Length of the whole cache file. */
  readonly total: number;
}

/** The read side of a validated kline table that `HourlyKlines` uses (a `KlineTable` fits too). */
export interface HourlyTable {
  readonly length: number;
  /** The validated text (header included, LF line ends): row `i` is `text.slice(starts[i], ends[i])`. */
  readonly text: string;
  /** Open time (UTC ms), start and end offset in {@link text} of each row. */
  readonly times: Float64Array;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  openTimeAt(i: number): number | undefined;
  lowerBound(t: number): number;
  slice(from: number, to: number): Candle[];
  all(): readonly Candle[];
}

/** A cache entry: the validated table and its price columns. */
export interface CachedHourly {
  readonly table: HourlyTable;
  readonly columns: HourlyColumns;
}

/**
 * The cache directory from the environment (module docstring), or null when
 * `MOMENTUM_REBALANCER_CACHE_DIR=off`.
 */
export function defaultHourlyCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  return dataCacheDir(env);
}

/** The source stamp of `file` (absolute), or null when it cannot be stat'ed. */
export function hourlySourceStamp(file: string): HourlySourceStamp | null {
  try {
    const s = statSync(file);
    return { file: path.resolve(file), size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs };
  } catch {
    return null;
  }
}

/** The cache file of source `file` (absolute) in cache directory `dir`. */
export function hourlyCacheFile(dir: string, file: string): string {
  const name = path.basename(file).replace(/\.csv(\.gz)?$/, '');
  return path.join(dir, `hourly-${name}-${createHash('sha256').update(file).digest('hex').slice(0, 16)}.bin`);
}

/**
 * Writes the cache entry of a source that `indexKlineCsv` validated (`table`: its text, open times and row
 * bounds) with the table's price columns (`parseHourlyColumns` of it); atomically (temp file + rename).
 * @returns false when nothing was written (columns of another length, non-ASCII text, or a write error:
 *   swallowed, the cache is an optimisation).
 */
export function writeHourlyCache(
  dir: string,
  stamp: HourlySourceStamp,
  table: Pick<HourlyTable, 'text' | 'times' | 'starts' | 'ends'>,
  columns: HourlyColumns,
): boolean {
  const { text, times, starts, ends } = table;
  const rows = times.length;
  if (COLUMNS.some((name) => columns[name].length !== rows)) return false;
  if (Buffer.byteLength(text, 'latin1') !== Buffer.byteLength(text, 'utf8')) return false;
  const columnBytes = 8 * rows + align8(8 * rows) + COLUMNS.length * 8 * rows;
  const sections = columnBytes + text.length;
  const { buf, base } = newCacheFile(
    MAGIC,
    HOURLY_CACHE_FORMAT,
    (base) => ({ ...stamp, rows, textLength: text.length, base, total: base + sections }) satisfies Header,
    sections,
  );
  const textAt = base + columnBytes;
  new Float64Array(buf.buffer, buf.byteOffset + base, rows).set(times);
  new Uint32Array(buf.buffer, buf.byteOffset + base + 8 * rows, rows).set(starts);
  new Uint32Array(buf.buffer, buf.byteOffset + base + 12 * rows, rows).set(ends);
  COLUMNS.forEach((name, c) => {
    const at = base + 8 * rows + align8(8 * rows) + c * 8 * rows;
    new Float64Array(buf.buffer, buf.byteOffset + at, rows).set(columns[name]);
  });
  buf.write(text, textAt, 'latin1');
  return writeCacheFile(hourlyCacheFile(dir, stamp.file), buf);
}

/**
 * The cached table of the source `stamp` names, when its cache entry exists and was written for the same
 * path, size, mtime and ctime; null otherwise (absent, stale, other format, inconsistent). Never throws.
 */
export function readHourlyCache(dir: string, stamp: HourlySourceStamp): CachedHourly | null {
  const read = readCacheFile<Header>(hourlyCacheFile(dir, stamp.file), MAGIC, HOURLY_CACHE_FORMAT);
  if (read === null) return null;
  const { buf, header: h, headerEnd } = read;
  try {
    if (
      h.file !== stamp.file ||
      h.size !== stamp.size ||
      h.mtimeMs !== stamp.mtimeMs ||
      h.ctimeMs !== stamp.ctimeMs ||
      h.total !== buf.length
    )
      return null;
    const { rows, base, textLength } = h;
    if (!(Number.isInteger(rows) && rows >= 0 && Number.isInteger(base) && base % 8 === 0)) return null;
    const columnsAt = base + 8 * rows + align8(8 * rows);
    const textAt = columnsAt + COLUMNS.length * 8 * rows;
    if (base < headerEnd || textAt + textLength !== buf.length) return null;
    const times = new Float64Array(buf.buffer, buf.byteOffset + base, rows);
    const starts = new Uint32Array(buf.buffer, buf.byteOffset + base + 8 * rows, rows);
    const ends = new Uint32Array(buf.buffer, buf.byteOffset + base + 12 * rows, rows);
    const column = (c: number) =>
      new Float64Array(buf.buffer, buf.byteOffset + columnsAt + c * 8 * rows, rows);
    const columns: HourlyColumns = {
      open: column(0),
      high: column(1),
      low: column(2),
      closeUnits: column(3),
      lowUnits: column(4),
    };
    // the text stays encoded: decoded a row at a time for the candles asked for, whole only on demand
    const text: LazyText = {
      whole: () => buf.toString('latin1', textAt, textAt + textLength),
      range: (from, to) => buf.toString('latin1', textAt + from, textAt + to),
    };
    return { table: new KlineTable(stamp.file, text, times, starts, ends), columns };
  } catch {
    return null;
  }
}
