/** File access for data directories: every file may be stored as `<name>` or `<name>.gz`. */
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DataError } from './data-error.ts';

/**
 * The path under which `plainPath` is stored: `plainPath` itself when it is a file, else `plainPath.gz`
 * when that is a file, else null (the plain file wins when both exist).
 */
export async function locateFile(plainPath: string): Promise<string | null> {
  for (const p of [plainPath, `${plainPath}.gz`]) {
    try {
      if ((await stat(p)).isFile()) return p;
    } catch {
      // absent: try the next candidate
    }
  }
  return null;
}

/** True when `p` exists and is a directory. */
export async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Reads a text file (UTF-8), gunzipping it when its name ends in `.gz`. Reads are async (many run in
 * parallel); decompression is synchronous.
 * @throws DataError when the file cannot be read or is not valid gzip.
 */
export async function readDataText(file: string): Promise<string> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    throw new DataError(file, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  return decodeDataFile(buf, file);
}

/**
 * Synchronous {@link readDataText} (for lazily loaded files read on first use from a synchronous accessor).
 * @throws DataError when the file cannot be read or is not valid gzip.
 */
export function readDataTextSync(file: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new DataError(file, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  return decodeDataFile(buf, file);
}

/** Gunzips `buf` when `file` ends in `.gz`, then decodes UTF-8. @throws DataError on bad gzip. */
function decodeDataFile(buf: Buffer, file: string): string {
  if (file.endsWith('.gz')) {
    if (buf.length < 2 || buf[0] !== 0x1f || buf[1] !== 0x8b) {
      throw new DataError(file, 'corrupt: not a gzip file (bad magic bytes)');
    }
    try {
      // Synchronous on purpose: the async zlib round trips cost more than they save on this workload
      // (measured: 284 small files, 2 vCPUs that do not run two busy threads in parallel at full speed).
      buf = gunzipSync(buf);
    } catch (err) {
      throw new DataError(file, `corrupt gzip: ${(err as Error).message}`, { cause: err });
    }
  }
  return buf.toString('utf8');
}

/** Splits a text file into lines (LF or CRLF; BOM dropped; one trailing newline ignored). */
export function splitLines(text: string): string[] {
  let t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (t.includes('\r')) t = t.replace(/\r\n/g, '\n');
  const lines = t.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
