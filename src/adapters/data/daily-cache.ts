/**
 * A derived on-disk cache of a data directory's validated daily klines (issue 9 item 0: "keep loading all
 * of it under 1 s"): one binary file per data directory holding, per `klines-1d` file, the validated text
 * and its columns (open times, row offsets, close as a float, open/close × 10^8 as exact mantissas), so a
 * later load skips gunzip, validation and parsing and maps typed arrays onto the file's bytes.
 *
 * - Derived only: the source files stay the truth. An entry is used only while its source file has the
 *   same size, mtime and ctime as when it was cached; any other file is parsed and validated as usual and
 *   the cache rewritten. A file of another format version, another directory, a wrong length or
 *   unreadable header is ignored (rebuilt), never trusted partly.
 * - Written atomically (temp file + rename) after a full load validated every file, so a reader sees a
 *   whole old cache or a whole new one; a failed write (read-only directory, full disk) is ignored.
 * - Location: `$MOMENTUM_REBALANCER_CACHE_DIR` (`off` disables it), else `$XDG_CACHE_HOME/momentum-rebalancer`,
 *   else `node_modules/.cache/momentum-rebalancer` under the package root (outside the tracked files).
 *
 * Layout (little-endian, every section 8-byte aligned): `MRDAILY\0`, u32 format version, u32 header
 * length, the header (UTF-8 JSON: directory, total length, one entry per file), then per entry
 * `times` f64[rows], `close` f64[rows], `openMantissa` f64[rows], `closeMantissa` f64[rows],
 * `starts` u32[rows], `ends` u32[rows], the text (Latin-1; validated kline text is ASCII).
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { align8, dataCacheDir, newCacheFile, readCacheFile, writeCacheFile } from './cache-dir.ts';
import { KlineTable } from './kline-csv.ts';

/** Bump when the layout or what is stored changes (an older cache is then rebuilt). */
export const DAILY_CACHE_FORMAT = 1;
const MAGIC = 'MRDAILY\0';
/** Directories whose daily files total less than this are not cached (parsing them is already quick). */
export const DAILY_CACHE_MIN_BYTES = 4 * 1024 * 1024;

/** Identity of a source file at load time (a cached entry is valid only for the same values). */
export interface SourceStamp {
  readonly symbol: string;
  /** Absolute path of the source file (`<SYMBOL>.csv` or `.csv.gz`). */
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/** Where and whether to cache (see the module docstring for the default). */
export interface DailyCacheOptions {
  /** The cache directory. */
  readonly dir: string;
  /** Smallest total size (bytes) of the daily files for which the cache is used. */
  readonly minBytes: number;
}

interface Entry {
  readonly symbol: string;
  /** File name relative to the data directory. */
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly rows: number;
  readonly off: number;
  readonly textLength: number;
}

interface Header {
  readonly root: string;
  /** Length of the whole file (bytes). */
  readonly total: number;
  /** Where the data section starts (entries' `off` are relative to it). */
  readonly base: number;
  readonly entries: readonly Entry[];
}

/**
 * The default cache options from the environment (module docstring), or null when
 * `MOMENTUM_REBALANCER_CACHE_DIR=off`.
 */
export function defaultDailyCache(env: NodeJS.ProcessEnv = process.env): DailyCacheOptions | null {
  const dir = dataCacheDir(env);
  return dir === null ? null : { dir, minBytes: DAILY_CACHE_MIN_BYTES };
}

/** The cache file of data directory `root` (absolute) in cache directory `dir`. */
export function dailyCacheFile(dir: string, root: string): string {
  return path.join(dir, `daily-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.bin`);
}

const sectionBytes = (rows: number, textLength: number): number =>
  4 * 8 * rows + align8(8 * rows) + align8(textLength);

/**
 * The cached tables of the files in `stamps` whose size, mtime and ctime still match, by symbol (empty
 * when the cache file is absent, unreadable, of another format or directory, or inconsistent). Never throws.
 */
export function readDailyCache(
  cacheFile: string,
  root: string,
  stamps: readonly SourceStamp[],
): Map<string, KlineTable> {
  const out = new Map<string, KlineTable>();
  const read = readCacheFile<Header>(cacheFile, MAGIC, DAILY_CACHE_FORMAT);
  if (read === null) return out;
  const { buf, header, headerEnd } = read;
  try {
    if (header.root !== root || header.total !== buf.length || !Array.isArray(header.entries)) return out;
    const base = header.base;
    const byName = new Map(header.entries.map((e) => [e.name, e]));
    for (const s of stamps) {
      const e = byName.get(path.relative(root, s.file));
      if (
        !e ||
        e.symbol !== s.symbol ||
        e.size !== s.size ||
        e.mtimeMs !== s.mtimeMs ||
        e.ctimeMs !== s.ctimeMs
      ) {
        continue;
      }
      const { rows, off, textLength } = e;
      const at = base + off;
      if (!(Number.isInteger(rows) && rows >= 0 && Number.isInteger(at) && at % 8 === 0 && at >= headerEnd)) {
        return new Map();
      }
      if (at + sectionBytes(rows, textLength) > buf.length) return new Map();
      const f64 = (k: number) => new Float64Array(buf.buffer, buf.byteOffset + at + k * 8 * rows, rows);
      const u32Off = at + 32 * rows;
      const starts = new Uint32Array(buf.buffer, buf.byteOffset + u32Off, rows);
      const ends = new Uint32Array(buf.buffer, buf.byteOffset + u32Off + 4 * rows, rows);
      const textOff = u32Off + align8(8 * rows);
      const text = {
        whole: () => buf.toString('latin1', textOff, textOff + textLength),
        range: (from: number, to: number) => buf.toString('latin1', textOff + from, textOff + to),
      };
      out.set(
        s.symbol,
        new KlineTable(s.file, text, f64(0), starts, ends, {
          close: f64(1),
          openMantissa: f64(2),
          closeMantissa: f64(3),
        }),
      );
    }
  } catch {
    return new Map();
  }
  return out;
}

/**
 * Writes the cache of `root` (every table of `files`, each validated by `indexKlineCsv`) atomically:
 * a temp file in the same directory, then a rename. Computes each table's price columns if not yet done.
 * @returns false when the cache could not be written (the error is swallowed: the cache is an optimisation).
 */
export function writeDailyCache(
  cacheFile: string,
  root: string,
  files: readonly { readonly stamp: SourceStamp; readonly table: KlineTable }[],
): boolean {
  try {
    // before any work: a read-only place (a packaged deployment) must not pay for building the file
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    accessSync(path.dirname(cacheFile), constants.W_OK);
  } catch {
    return false;
  }
  const texts = files.map(({ table }) => table.text);
  const entries: Entry[] = [];
  let off = 0;
  files.forEach(({ stamp, table }, i) => {
    const textLength = (texts[i] as string).length;
    entries.push({
      symbol: stamp.symbol,
      name: path.relative(root, stamp.file),
      size: stamp.size,
      mtimeMs: stamp.mtimeMs,
      ctimeMs: stamp.ctimeMs,
      rows: table.length,
      off,
      textLength,
    });
    off += sectionBytes(table.length, textLength);
  });
  const { buf, base } = newCacheFile(
    MAGIC,
    DAILY_CACHE_FORMAT,
    (base) => ({ root, total: base + off, base, entries }) satisfies Header,
    off,
  );
  files.forEach(({ table }, i) => {
    const e = entries[i] as Entry;
    const at = base + e.off;
    const rows = e.rows;
    const cols = table.priceColumns();
    new Float64Array(buf.buffer, buf.byteOffset + at, rows).set(table.times);
    new Float64Array(buf.buffer, buf.byteOffset + at + 8 * rows, rows).set(cols.close);
    new Float64Array(buf.buffer, buf.byteOffset + at + 16 * rows, rows).set(cols.openMantissa);
    new Float64Array(buf.buffer, buf.byteOffset + at + 24 * rows, rows).set(cols.closeMantissa);
    new Uint32Array(buf.buffer, buf.byteOffset + at + 32 * rows, rows).set(table.starts);
    new Uint32Array(buf.buffer, buf.byteOffset + at + 36 * rows, rows).set(table.ends);
    buf.write(texts[i] as string, at + 32 * rows + align8(8 * rows), 'latin1');
  });
  return writeCacheFile(cacheFile, buf);
}
