/**
 * Writing files of a data directory (the layout of data/SOURCES.md) so that an interrupted writer leaves
 * every file valid: each file is written whole to a temporary sibling, flushed, then renamed over the
 * target (rename is atomic within a directory on POSIX file systems). Readers never see a half-written
 * file; a killed writer leaves at most a temporary file, which the loaders ignore (its name does not
 * match `<SYMBOL>.csv[.gz]`) and {@link removeStaleTempFiles} deletes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Candle } from '../../domain/types.ts';
import { DataError } from './data-error.ts';
import { locateFile, readDataText } from './data-files.ts';
import { indexKlineCsv, KLINE_HEADER, type KlineTable } from './kline-csv.ts';

/** Suffix of the temporary files of {@link writeFileAtomic}: `.<name>.<random>.partial`. */
const TEMP_RE = /^\..+\.[0-9a-f]{12}\.partial$/;

/**
 * Writes `content` to `file` atomically: a temporary sibling `.<name>.<random>.partial` is written,
 * fsync'ed and renamed over `file`. Creates the parent directory when missing (unless `opts.dirExists`).
 * @throws DataError naming the file when the directory is not writable or the disk is full (the
 *   temporary file is removed; `file` keeps its previous content).
 */
export async function writeFileAtomic(
  file: string,
  content: string | Uint8Array,
  opts: { readonly dirExists?: boolean } = {},
): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    if (!opts.dirExists) await mkdir(dir, { recursive: true });
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new DataError(file, `cannot write: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Deletes the temporary files an interrupted {@link writeFileAtomic} left in `dir` (not recursive).
 * @returns how many were removed (0 when `dir` does not exist).
 */
export async function removeStaleTempFiles(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  const stale = names.filter((n) => TEMP_RE.test(n));
  await Promise.all(stale.map((n) => rm(path.join(dir, n), { force: true })));
  return stale.length;
}

/**
 * One kline row as written: Binance's strings unchanged (see {@link klineCsvLine}) — a {@link Candle}
 * whose quote-asset volume and number of trades are always known.
 */
export interface KlineRow extends Candle {
  readonly quoteVolume: string;
  readonly trades: number;
}

/** The CSV line of a row (`open_time_ms,open,high,low,close,volume,quote_volume,trades`, no newline). */
export function klineCsvLine(r: KlineRow): string {
  return `${r.openTime},${r.open},${r.high},${r.low},${r.close},${r.volume},${r.quoteVolume},${r.trades}`;
}

/** An existing kline file of a data directory, validated. */
export interface ExistingKlineFile {
  /** Where it is stored: `<SYMBOL>.csv` or `<SYMBOL>.csv.gz`. */
  readonly file: string;
  /** Its text (gunzipped), normalised to LF, ending with a newline. */
  readonly text: string;
  /** Its rows, indexed. */
  readonly table: KlineTable;
}

/**
 * Reads and validates the kline file of `plainPath` (`…/<SYMBOL>.csv`, or its `.gz` form; the plain one
 * wins, as the loaders read it). Null when neither exists.
 * @param intervalMs the candle interval, ms (alignment check of `indexKlineCsv`).
 * @throws DataError naming the file, line and field when it exists but is corrupt.
 */
export async function readKlineFile(
  plainPath: string,
  intervalMs: number,
): Promise<ExistingKlineFile | null> {
  const file = await locateFile(plainPath);
  if (file === null) return null;
  const raw = await readDataText(file);
  const table = indexKlineCsv(raw, file, intervalMs);
  let text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  if (text.includes('\r')) text = text.replace(/\r\n/g, '\n');
  if (!text.endsWith('\n')) text += '\n';
  return { file, text, table };
}

/**
 * Writes the kline file `file` atomically: `existingText` (a validated file's text ending in a newline,
 * or null for a new file: the header is written) followed by `rows`. The result is validated with the
 * loaders' own parser before anything is written, so a file that would not load is never written.
 * A name ending in `.gz` is gzip-compressed. The folder must exist.
 * @param intervalMs the candle interval, ms.
 * @throws DataError naming the file, line and field when the result would not be valid (rows out of
 *   order, overlapping the existing ones, misaligned, non-positive prices), or when it cannot be written.
 */
export async function writeKlineFile(
  file: string,
  existingText: string | null,
  rows: readonly KlineRow[],
  intervalMs: number,
): Promise<void> {
  const parts: string[] = [existingText ?? `${KLINE_HEADER}\n`];
  for (const r of rows) parts.push(`${klineCsvLine(r)}\n`);
  const text = parts.join('');
  indexKlineCsv(text, file, intervalMs);
  await writeFileAtomic(file, file.endsWith('.gz') ? gzipSync(text) : text, { dirExists: true });
}
