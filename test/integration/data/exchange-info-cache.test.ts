/**
 * The exchangeInfo cache (src/adapters/data/exchange-info-cache.ts) on a temp copy of the real bundled
 * snapshot (`data/binance/exchangeInfo.json.gz`, gunzipped: 746 KB, above the cache's 512 KB threshold):
 * the cached snapshot equals the parsed one symbol by symbol (assets, status, every filter field), and so
 * do the §6 rules derived from it; a changed source is re-parsed (a corrupt one still fails loudly, and is
 * not served from the stale cache); a corrupt or truncated cache file is ignored and rewritten.
 */
import { readdirSync, readFileSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/adapters/data/data-error.ts';
import { parseExchangeInfo, rulesFromSnapshots } from '../../../src/adapters/data/exchange-info.ts';
import { exchangeInfoCacheFile, loadExchangeInfo } from '../../../src/adapters/data/exchange-info-cache.ts';
import { useTempDirs } from '../../support/temp-dirs.ts';

const BUNDLED = fileURLToPath(new URL('../../../data/binance/exchangeInfo.json.gz', import.meta.url));
const makeDir = useTempDirs('exchange-info-cache-');

/** A plain copy of the bundled snapshot in a temp directory, and a cache directory of its own. */
function setUp(): { file: string; text: string; cacheDir: string } {
  const text = gunzipSync(readFileSync(BUNDLED)).toString('utf8');
  const file = path.join(makeDir({}), 'exchangeInfo.json');
  writeFileSync(file, text);
  return { file, text, cacheDir: makeDir({}) };
}

/** Every symbol of a snapshot as plain values, in iteration order. */
const plain = (snap: Awaited<ReturnType<typeof loadExchangeInfo>>) => ({
  file: snap.file,
  serverTimeMs: snap.serverTimeMs,
  day: snap.day,
  size: snap.symbols.size,
  symbols: [...snap.symbols.entries()].map(([k, s]) => [
    k,
    { ...s, filters: s.filters.map((f) => ({ ...f })) },
  ]),
});

describe('loadExchangeInfo cache', () => {
  it('writes the cache on the first load, then serves exactly the parsed snapshot and the same §6 rules', async () => {
    const { file, text, cacheDir } = setUp();
    const parsed = parseExchangeInfo(text, file);
    const first = await loadExchangeInfo(file, cacheDir);
    expect(readdirSync(cacheDir)).toEqual([
      path.basename(exchangeInfoCacheFile(cacheDir, path.resolve(file))),
    ]);
    const cached = await loadExchangeInfo(file, cacheDir);
    // The cached snapshot is not the parsed Map (it reads filters lazily), yet holds the same values.
    expect(cached.symbols).not.toBeInstanceOf(Map);
    expect(plain(first)).toEqual(plain(parsed));
    expect(plain(cached)).toEqual(plain(parsed));
    expect(cached.symbols.has('BTCUSDT')).toBe(true);
    expect(cached.symbols.get('NOSUCHUSDT')).toBeUndefined();
    for (const symbol of ['BTCUSDT', 'ETHUSDT', 'SHIBUSDT', 'NOSUCHUSDT']) {
      expect(rulesFromSnapshots(symbol, [cached])).toEqual(rulesFromSnapshots(symbol, [parsed]));
    }
    // Spot check against the file itself (independent of our parser): BTCUSDT's LOT_SIZE stepSize.
    const btc = (JSON.parse(text).symbols as { symbol: string; filters: { filterType: string }[] }[]).find(
      (s) => s.symbol === 'BTCUSDT',
    );
    expect(cached.symbols.get('BTCUSDT')?.filters).toEqual(btc?.filters);
  });

  it('re-parses a changed source file, and a corrupt changed source fails loudly instead of using the cache', async () => {
    const { file, text, cacheDir } = setUp();
    await loadExchangeInfo(file, cacheDir);
    const doc = JSON.parse(text) as { serverTime: number; symbols: { symbol: string; status: string }[] };
    const btc = doc.symbols.find((s) => s.symbol === 'BTCUSDT') as { status: string };
    btc.status = 'BREAK';
    writeFileSync(file, JSON.stringify(doc));
    expect((await loadExchangeInfo(file, cacheDir)).symbols.get('BTCUSDT')?.status).toBe('BREAK');
    // Same size and mtime as the cached file would not be enough: the ctime changes with every write.
    writeFileSync(file, `${'x'.repeat(600_000)}`);
    await expect(loadExchangeInfo(file, cacheDir)).rejects.toBeInstanceOf(DataError);
  });

  it('ignores a corrupt or truncated cache file and rewrites it', async () => {
    const { file, text, cacheDir } = setUp();
    const parsed = parseExchangeInfo(text, file);
    await loadExchangeInfo(file, cacheDir);
    const cacheFile = exchangeInfoCacheFile(cacheDir, path.resolve(file));
    const size = readFileSync(cacheFile).length;
    truncateSync(cacheFile, size - 100);
    expect(plain(await loadExchangeInfo(file, cacheDir))).toEqual(plain(parsed));
    expect(readFileSync(cacheFile).length).toBe(size);
    writeFileSync(cacheFile, 'MREXINF\0garbage');
    expect(plain(await loadExchangeInfo(file, cacheDir))).toEqual(plain(parsed));
    expect(readFileSync(cacheFile).length).toBe(size);
    // A touched source (same bytes, new mtime) is re-parsed and the cache rewritten for the new stamp.
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(plain(await loadExchangeInfo(file, cacheDir))).toEqual(plain(parsed));
  });

  it('never caches when the cache is off (null) or the file is small', async () => {
    const { file, cacheDir } = setUp();
    await loadExchangeInfo(file, null);
    await loadExchangeInfo(BUNDLED, cacheDir);
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});
