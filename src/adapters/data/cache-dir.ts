/**
 * Where the derived data caches (the validated daily and hourly klines) live: `$MOMENTUM_REBALANCER_CACHE_DIR`
 * (`off` disables caching), else `$XDG_CACHE_HOME/momentum-rebalancer`, else
 * `node_modules/.cache/momentum-rebalancer` under the package root (outside the tracked files).
 */
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../../paths.ts';

/** The cache directory from the environment (module docstring), or null when caching is off. */
export function dataCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const explicit = env.MOMENTUM_REBALANCER_CACHE_DIR;
  if (explicit === 'off') return null;
  if (explicit) return path.resolve(explicit);
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'momentum-rebalancer');
  return path.join(fileURLToPath(PACKAGE_ROOT), 'node_modules', '.cache', 'momentum-rebalancer');
}

/** Rounds a byte count up to a multiple of 8 (the caches' section alignment). */
export const align8 = (n: number): number => (n + 7) & ~7;

/**
 * Reads a cache file of the common layout (little-endian): an 8-character `magic`, u32 format `version`,
 * u32 header length, the UTF-8 JSON header, then 8-byte aligned sections. The buffer is re-aligned to 8
 * bytes when needed (typed-array views over it).
 * @returns the buffer, the parsed header and where the header ends; null when the file is absent or
 *   unreadable, or its magic, version or header length do not fit. Never throws.
 */
export function readCacheFile<H>(
  file: string,
  magic: string,
  version: number,
): { buf: Buffer; header: H; headerEnd: number } | null {
  try {
    let buf = readFileSync(file);
    if (buf.byteOffset % 8 !== 0) {
      const copy = new Uint8Array(buf.length);
      copy.set(buf);
      buf = Buffer.from(copy.buffer);
    }
    if (buf.length < 16 || buf.toString('latin1', 0, 8) !== magic) return null;
    if (buf.readUInt32LE(8) !== version) return null;
    const headerLength = buf.readUInt32LE(12);
    if (16 + headerLength > buf.length) return null;
    const header = JSON.parse(buf.toString('utf8', 16, 16 + headerLength)) as H;
    return { buf, header, headerEnd: 16 + headerLength };
  } catch {
    return null;
  }
}

/**
 * A new cache file of the common layout (see {@link readCacheFile}), zero-filled past its header: the
 * header is `header(base)`, where `base` is where the 8-byte aligned sections start, right after the
 * header (a header names its own end, so it is sized with `header(0)` plus room for the digits of the
 * numbers that depend on `base`); `sectionBytes` bytes of sections follow.
 * @returns the buffer (`base + sectionBytes` bytes) and `base`.
 */
export function newCacheFile(
  magic: string,
  version: number,
  header: (base: number) => unknown,
  sectionBytes: number,
): { buf: Buffer; base: number } {
  let base = align8(16 + Buffer.byteLength(JSON.stringify(header(0)), 'utf8') + 32);
  let json = Buffer.from(JSON.stringify(header(base)), 'utf8');
  while (16 + json.length > base) {
    base = align8(16 + json.length + 32);
    json = Buffer.from(JSON.stringify(header(base)), 'utf8');
  }
  const buf = Buffer.alloc(base + sectionBytes);
  buf.write(magic, 0, 'latin1');
  buf.writeUInt32LE(version, 8);
  buf.writeUInt32LE(json.length, 12);
  json.copy(buf, 16);
  return { buf, base };
}

/**
 * Writes a cache file whole or not at all: its directory made if needed, `buf` written into a temp file of
 * this process next to `file`, then renamed onto `file`; on failure the temp file is removed when it exists.
 * @returns whether `file` now holds `buf`. Never throws.
 */
export function writeCacheFile(file: string, buf: Uint8Array): boolean {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, buf);
    renameSync(tmp, file);
    return true;
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing written
    }
    return false;
  }
}
