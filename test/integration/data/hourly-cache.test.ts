/**
 * The derived cache of validated hourly files (src/adapters/data/hourly-cache.ts) through
 * `loadHourlyKlines` on real files in temp directories: a cached load answers exactly as an uncached one
 * (the bundled BTCUSDT year, and a hand-made CRLF file with a BOM); a changed source is read again; a
 * corrupt source is never cached (the DataError stays); a damaged cache file is ignored.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../../src/adapters/data/data-error.ts';
import { hourlyCacheFile } from '../../../src/adapters/data/hourly-cache.ts';
import { HOUR_MS, loadHourlyKlines } from '../../../src/adapters/data/hourly-klines.ts';

const BUNDLED_BTC = fileURLToPath(new URL('../../../data/binance/klines-1h/BTCUSDT.csv.gz', import.meta.url));
const HEADER = 'open_time_ms,open,high,low,close,volume,quote_volume,trades';
const H0 = Date.UTC(2021, 0, 1, 0);

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
function tempRoot(): { data: string; cache: string; folder: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'hourly-cache-test-'));
  roots.push(root);
  const folder = path.join(root, 'data', 'binance', 'klines-1h');
  mkdirSync(folder, { recursive: true });
  return { data: path.join(root, 'data'), cache: path.join(root, 'cache'), folder };
}

describe('hourly cache (derived; the source file stays the truth)', () => {
  it('the bundled BTCUSDT hourly file: the cached load equals the uncached one, candle for candle', async () => {
    const { data, cache, folder } = tempRoot();
    copyFileSync(BUNDLED_BTC, path.join(folder, 'BTCUSDT.csv.gz'));
    const plain = (await loadHourlyKlines(data, null)).candlesOf('BTCUSDT');
    const first = (await loadHourlyKlines(data, cache)).candlesOf('BTCUSDT'); // validates, writes the cache
    expect(readdirSync(cache)).toHaveLength(1);
    const cached = await loadHourlyKlines(data, cache); // reads the cache
    expect(cached.coverageOf('BTCUSDT')).toEqual({
      firstMs: (plain[0] as { openTime: number }).openTime,
      lastMs: (plain[plain.length - 1] as { openTime: number }).openTime,
    });
    // SOURCES.md "Sanity checks": BTCUSDT 1h 2021-01-01 00:00 opens at 28923.63
    expect(cached.candlesBetween('BTCUSDT', H0, H0)[0]?.open).toBe('28923.63');
    expect(first).toEqual(plain);
    expect(cached.candlesOf('BTCUSDT')).toEqual(plain);
    expect(cached.candlesBetween('BTCUSDT', H0 + 5 * HOUR_MS, H0 + 9 * HOUR_MS)).toEqual(plain.slice(5, 10));
    // the price columns stored in the entry (format 2) = those parsed from the text, row for row
    const fromText = (await loadHourlyKlines(data, null)).barsBetween('BTCUSDT', H0, H0 + 999 * HOUR_MS);
    const fromCache = cached.barsBetween('BTCUSDT', H0, H0 + 999 * HOUR_MS);
    expect(fromCache?.length).toBe(plain.filter((c) => c.openTime <= H0 + 999 * HOUR_MS).length);
    expect(fromCache?.columns()).toEqual(fromText?.columns());
    // the file's first row: open 28923.63, close 28995.13 (in 1e-8 units)
    expect(fromCache?.columns().open[0]).toBe(28923.63);
    expect(fromCache?.columns().closeUnits[0]).toBe(2899513000000);
    expect(fromCache?.candle(7)).toEqual(plain[7]);
  });

  it('a CRLF file with a BOM and empty optional fields reads back the same from the cache', async () => {
    const { data, cache, folder } = tempRoot();
    const text = `\ufeff${HEADER}\r\n${H0},1,2,0.5,1.5,10,,\r\n${H0 + HOUR_MS},1.5,2.5,1.25,2,-3,7.5,42\r\n`;
    writeFileSync(path.join(folder, 'AAAUSDT.csv'), text);
    const plain = (await loadHourlyKlines(data, null)).candlesOf('AAAUSDT');
    expect(plain.map((c) => [c.close, c.quoteVolume, c.trades])).toEqual([
      ['1.5', null, null],
      ['2', '7.5', 42],
    ]);
    (await loadHourlyKlines(data, cache)).candlesOf('AAAUSDT');
    expect((await loadHourlyKlines(data, cache)).candlesOf('AAAUSDT')).toEqual(plain);
  });

  it('a source changed after caching is read again (size / mtime / ctime differ)', async () => {
    const { data, cache, folder } = tempRoot();
    const file = path.join(folder, 'AAAUSDT.csv');
    writeFileSync(file, `${HEADER}\n${H0},1,2,0.5,1.5,10,,\n`);
    expect((await loadHourlyKlines(data, cache)).candlesOf('AAAUSDT').map((c) => c.close)).toEqual(['1.5']);
    writeFileSync(file, `${HEADER}\n${H0},1,2,0.5,1.75,10,,\n${H0 + HOUR_MS},1,2,0.5,1.5,10,,\n`);
    expect((await loadHourlyKlines(data, cache)).candlesOf('AAAUSDT').map((c) => c.close)).toEqual([
      '1.75',
      '1.5',
    ]);
  });

  it('a corrupt source is never cached: every load throws the DataError naming it', async () => {
    const { data, cache, folder } = tempRoot();
    const file = path.join(folder, 'CCCUSDT.csv.gz');
    writeFileSync(file, gzipSync(`${HEADER}\n${H0 + 60_000},1,2,0.5,1.5,10,,\n`));
    for (let k = 0; k < 2; k++) {
      const h = await loadHourlyKlines(data, cache);
      expect(() => h.candlesOf('CCCUSDT')).toThrow(DataError);
      expect(() => h.candlesOf('CCCUSDT')).toThrow(
        /line 2: open_time_ms \d+ is not a multiple of 3600000 ms/,
      );
    }
    expect(() => readdirSync(cache)).toThrow(); // nothing written, not even the folder
  });

  it('a damaged cache file (truncated, or garbage) is ignored and rewritten', async () => {
    const { data, cache, folder } = tempRoot();
    const file = path.join(folder, 'AAAUSDT.csv');
    writeFileSync(file, `${HEADER}\n${H0},1,2,0.5,1.5,10,,\n${H0 + HOUR_MS},1,2,0.5,1.25,10,,\n`);
    (await loadHourlyKlines(data, cache)).candlesOf('AAAUSDT');
    const entry = hourlyCacheFile(cache, file);
    const good = readFileSync(entry);
    truncateSync(entry, good.length - 3);
    expect((await loadHourlyKlines(data, cache)).candlesOf('AAAUSDT').map((c) => c.close)).toEqual([
      '1.5',
      '1.25',
    ]);
    expect(readFileSync(entry)).toEqual(good); // rewritten whole
    writeFileSync(entry, Buffer.alloc(good.length, 0x41));
    expect((await loadHourlyKlines(data, cache)).candlesOf('AAAUSDT').map((c) => c.close)).toEqual([
      '1.5',
      '1.25',
    ]);
  });

  it('a cache directory that cannot be written (a file in its place) costs nothing but the cache', async () => {
    const { data, cache, folder } = tempRoot();
    writeFileSync(cache, 'not a directory');
    writeFileSync(path.join(folder, 'AAAUSDT.csv'), `${HEADER}\n${H0},1,2,0.5,1.5,10,,\n`);
    writeFileSync(path.join(folder, 'BBBUSDT.csv'), `${HEADER}\n${H0},1,2,0.5,2.5,10,,\n`);
    const h = await loadHourlyKlines(data, cache);
    expect(h.candlesOf('AAAUSDT').map((c) => c.close)).toEqual(['1.5']);
    expect(h.candlesOf('BBBUSDT').map((c) => c.close)).toEqual(['2.5']);
    expect(readFileSync(cache, 'utf8')).toBe('not a directory');
  });
});
