/**
 * A derived cache of parsed exchangeInfo snapshots (src/adapters/data/exchange-info.ts), in the cache
 * directory of the daily klines (src/adapters/data/cache-dir.ts). A full `GET /api/v3/exchangeInfo` document
 * is 3-4 MB of JSON (2,000+ symbols, each with order types, permissions and filters); a backtest reads the
 * rules of a few hundred USDT symbols. The cache keeps what {@link ExchangeSymbol} holds: the symbol names,
 * base/quote assets and statuses in its header, each symbol's `filters` as its own JSON text, parsed on the
 * first `get` of that symbol. Reading it costs a few ms instead of ~40-70 ms of `JSON.parse` per file.
 *
 * A cache entry is used only while its source file has the same size, mtime and ctime; otherwise the source
 * is parsed (and validated) as before and the cache rewritten. Files smaller than
 * {@link EXCHANGE_INFO_CACHE_MIN_BYTES} on disk (the bundled gzipped copies) are always parsed.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { msToDay } from '../../domain/time.ts';
import { newCacheFile, readCacheFile, writeCacheFile } from './cache-dir.ts';
import { DataError } from './data-error.ts';
import { readDataText } from './data-files.ts';
import {
  type ExchangeFilter,
  type ExchangeInfoSnapshot,
  type ExchangeSymbol,
  parseExchangeInfo,
} from './exchange-info.ts';

/** Bump when the layout or what is stored changes (an older cache is then rebuilt). */
export const EXCHANGE_INFO_CACHE_FORMAT = 1;
const MAGIC = 'MREXINF\0';
/** Source files smaller than this (bytes on disk) are parsed every time (parsing them is already quick). */
export const EXCHANGE_INFO_CACHE_MIN_BYTES = 512 * 1024;

interface Header {
  /** Absolute path of the source file, and its identity when the cache was written. */
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly serverTimeMs: number;
  /** Per symbol, in document order: `[symbol, baseAsset, quoteAsset, status or null]`. */
  readonly symbols: readonly (readonly [string, string, string, string | null])[];
  /** `ends[i]`: byte offset (from the data section's start) where symbol `i`'s filters JSON ends. */
  readonly ends: readonly number[];
  /** Where the data section starts in the file. */
  readonly base: number;
}

/** The cache file of exchangeInfo document `file` (absolute) in cache directory `dir`. */
export function exchangeInfoCacheFile(dir: string, file: string): string {
  return path.join(dir, `exchange-info-${createHash('sha256').update(file).digest('hex').slice(0, 16)}.bin`);
}

/**
 * Loads one exchangeInfo snapshot: from the cache in `cacheDir` when it matches the file's size, mtime and
 * ctime, else by reading and parsing the file ({@link parseExchangeInfo}) and then writing the cache
 * (best effort: a cache that cannot be written is ignored). `cacheDir` null: always parsed, nothing written.
 * The snapshot is the same either way (same symbols, assets, statuses and filters; `file` as given).
 * @throws DataError when the file cannot be read or is not an exchangeInfo document (nothing is cached then).
 */
export async function loadExchangeInfo(file: string, cacheDir: string | null): Promise<ExchangeInfoSnapshot> {
  if (cacheDir === null) return parseExchangeInfo(await readDataText(file), file);
  const st = await stat(file).catch((err: Error) => {
    throw new DataError(file, `cannot read: ${err.message}`, { cause: err });
  });
  if (st.size < EXCHANGE_INFO_CACHE_MIN_BYTES) return parseExchangeInfo(await readDataText(file), file);
  const abs = path.resolve(file);
  const cacheFile = exchangeInfoCacheFile(cacheDir, abs);
  const cached = readExchangeInfoCache(cacheFile, abs, file, st);
  if (cached) return cached;
  const snapshot = parseExchangeInfo(await readDataText(file), file);
  writeExchangeInfoCache(cacheFile, abs, st, snapshot);
  return snapshot;
}

/** The file identity a cache entry is valid for. */
interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/**
 * The snapshot stored in `cacheFile` for source `abs` (reported as `file`), or null when the cache is
 * absent, unreadable, of another format or source, stale (size/mtime/ctime differ) or inconsistent.
 * Never throws.
 */
function readExchangeInfoCache(
  cacheFile: string,
  abs: string,
  file: string,
  st: FileStamp,
): ExchangeInfoSnapshot | null {
  const read = readCacheFile<Header>(cacheFile, MAGIC, EXCHANGE_INFO_CACHE_FORMAT);
  if (!read) return null;
  const { buf, header: h } = read;
  if (h.file !== abs || h.size !== st.size || h.mtimeMs !== st.mtimeMs || h.ctimeMs !== st.ctimeMs)
    return null;
  if (!Array.isArray(h.symbols) || !Array.isArray(h.ends) || h.symbols.length !== h.ends.length) return null;
  if (typeof h.serverTimeMs !== 'number' || !Number.isFinite(h.serverTimeMs)) return null;
  const last = h.ends.length > 0 ? (h.ends[h.ends.length - 1] as number) : 0;
  if (!Number.isInteger(h.base) || h.base + last !== buf.length) return null;
  return {
    file,
    serverTimeMs: h.serverTimeMs,
    day: msToDay(h.serverTimeMs),
    symbols: new CachedSymbols(h, buf),
  };
}

/** Writes the cache of `snapshot` (source `abs` with identity `st`). Never throws. */
function writeExchangeInfoCache(
  cacheFile: string,
  abs: string,
  st: FileStamp,
  snapshot: ExchangeInfoSnapshot,
): void {
  const symbols: [string, string, string, string | null][] = [];
  const parts: Buffer[] = [];
  const ends: number[] = [];
  let end = 0;
  for (const s of snapshot.symbols.values()) {
    symbols.push([s.symbol, s.baseAsset, s.quoteAsset, s.status ?? null]);
    const b = Buffer.from(JSON.stringify(s.filters), 'utf8');
    parts.push(b);
    end += b.length;
    ends.push(end);
  }
  const { buf, base } = newCacheFile(
    MAGIC,
    EXCHANGE_INFO_CACHE_FORMAT,
    (base) =>
      ({
        file: abs,
        size: st.size,
        mtimeMs: st.mtimeMs,
        ctimeMs: st.ctimeMs,
        serverTimeMs: snapshot.serverTimeMs,
        symbols,
        ends,
        base,
      }) satisfies Header,
    end,
  );
  let off = base;
  for (const p of parts) {
    p.copy(buf, off);
    off += p.length;
  }
  writeCacheFile(cacheFile, buf);
}

/**
 * The symbols of a cached snapshot, by name: assets and status from the header, `filters` parsed from the
 * symbol's JSON text on first access (then kept).
 */
class CachedSymbols implements ReadonlyMap<string, ExchangeSymbol> {
  private readonly index = new Map<string, number>();
  private readonly built: (ExchangeSymbol | undefined)[];

  constructor(
    private readonly h: Header,
    private readonly buf: Buffer,
  ) {
    h.symbols.forEach((s, i) => {
      this.index.set(s[0], i);
    });
    this.built = new Array(h.symbols.length);
  }

  get size(): number {
    return this.index.size;
  }

  get(symbol: string): ExchangeSymbol | undefined {
    const i = this.index.get(symbol);
    return i === undefined ? undefined : this.at(i);
  }

  has(symbol: string): boolean {
    return this.index.has(symbol);
  }

  private at(i: number): ExchangeSymbol {
    let s = this.built[i];
    if (!s) {
      const [symbol, baseAsset, quoteAsset, status] = this.h.symbols[i] as Header['symbols'][number];
      const start = this.h.base + (i === 0 ? 0 : (this.h.ends[i - 1] as number));
      const end = this.h.base + (this.h.ends[i] as number);
      const filters = JSON.parse(this.buf.toString('utf8', start, end)) as ExchangeFilter[];
      s = { symbol, baseAsset, quoteAsset, status: status ?? undefined, filters };
      this.built[i] = s;
    }
    return s;
  }

  *entries(): MapIterator<[string, ExchangeSymbol]> {
    for (const [symbol, i] of this.index) yield [symbol, this.at(i)];
  }

  keys(): MapIterator<string> {
    return this.index.keys();
  }

  *values(): MapIterator<ExchangeSymbol> {
    for (const i of this.index.values()) yield this.at(i);
  }

  [Symbol.iterator](): MapIterator<[string, ExchangeSymbol]> {
    return this.entries();
  }

  forEach(cb: (value: ExchangeSymbol, key: string, map: ReadonlyMap<string, ExchangeSymbol>) => void): void {
    for (const [k, v] of this.entries()) cb(v, k, this);
  }
}
