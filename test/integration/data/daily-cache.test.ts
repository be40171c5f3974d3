/**
 * The daily cache of `loadDataset` (src/adapters/data/daily-cache.ts), on temp copies of real bundled files
 * (`data/binance/klines-1d`, gzipped) and a cache directory of its own (threshold 0 so a small copy is
 * cached): a cached load gives exactly what parsing the source gives (every candle string, open time, price
 * column); a changed source file is re-read; a corrupt, truncated, foreign-format or other-directory cache
 * is ignored and rebuilt; a corrupt source file still fails loudly; an unwritable cache directory costs
 * nothing but the cache.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataError, type Dataset, loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { DAILY_CACHE_FORMAT, dailyCacheFile } from '../../../src/adapters/data/daily-cache.ts';
import { useTempDirs } from '../../support/temp-dirs.ts';

const BUNDLED = fileURLToPath(new URL('../../../data/', import.meta.url));
/** Real symbols with long histories, a delisting and odd price strings (few files keep the test quick). */
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'LUNAUSDT', 'SHIBUSDT', 'PEPEUSDT', 'FTTUSDT'];

const makeDir = useTempDirs('daily-cache-');
const temp = (): string => makeDir({});

/** A data directory holding copies of the bundled daily files of {@link SYMBOLS} and the exchangeInfo. */
function copyData(): string {
  const root = temp();
  const klines = path.join(root, 'binance', 'klines-1d');
  mkdirSync(klines, { recursive: true });
  const bundledKlines = path.join(BUNDLED, 'binance', 'klines-1d');
  const names = readdirSync(bundledKlines).filter((n) => SYMBOLS.includes(n.replace(/\.csv(\.gz)?$/, '')));
  expect(names.length).toBe(SYMBOLS.length);
  for (const n of names) copyFileSync(path.join(bundledKlines, n), path.join(klines, n));
  copyFileSync(
    path.join(BUNDLED, 'binance', 'exchangeInfo.json.gz'),
    path.join(root, 'binance', 'exchangeInfo.json.gz'),
  );
  return root;
}

/** Everything a backtest reads from the daily klines, as plain values. */
function snapshot(ds: Dataset): unknown {
  return ds.symbolList().map(({ symbol }) => {
    const rows = ds.priceRowsBetween(symbol, ds.firstDayMs, ds.lastDayMs);
    return {
      symbol,
      candles: ds.candlesOf(symbol),
      segments: ds.segmentInfoOf(symbol),
      close: Array.from(rows?.columns.close ?? []),
      openMantissa: Array.from(rows?.columns.openMantissa ?? []),
      closeMantissa: Array.from(rows?.columns.closeMantissa ?? []),
      closeText: rows ? Array.from({ length: rows.length }, (_, k) => rows.closeAt(k)) : [],
    };
  });
}

describe('loadDataset daily cache', () => {
  const root = copyData();
  const cacheDir = temp();
  const cache = { dir: cacheDir, minBytes: 0 };
  const parsed = () => loadDataset(root, { cache: null });

  it('is written on the first load and then gives exactly the parsed values', async () => {
    const reference = await parsed();
    expect(reference.dailyCache).toBe('off');
    const first = await loadDataset(root, { cache });
    expect(first.dailyCache).toBe('rebuilt');
    const second = await loadDataset(root, { cache });
    expect(second.dailyCache).toBe('hit');
    // a hand-checked row: the first BTCUSDT candle of the bundled file (data/binance/klines-1d/BTCUSDT.csv.gz)
    expect(second.candlesOf('BTCUSDT')[0]).toEqual(reference.candlesOf('BTCUSDT')[0]);
    expect(second.candleCount('BTCUSDT')).toBeGreaterThan(2000);
    expect(snapshot(second)).toEqual(snapshot(reference));
    expect(snapshot(first)).toEqual(snapshot(reference));
  });

  it('re-reads a source file that changed since it was cached', async () => {
    const file = path.join(root, 'binance', 'klines-1d', 'FTTUSDT.csv');
    const header = 'open_time_ms,open,high,low,close,volume,quote_volume,trades';
    // a plain file wins over the .gz: a two-row FTTUSDT, cached, then rewritten with three other rows
    writeFileSync(
      file,
      `${header}\n1704067200000,1.0,2.0,0.5,1.5,10,15.5,7\n1704153600000,1.5,1.6,1.4,1.55,3,,\n`,
    );
    try {
      expect((await loadDataset(root, { cache })).dailyCache).toBe('rebuilt');
      const cached = await loadDataset(root, { cache });
      expect(cached.dailyCache).toBe('hit');
      expect(cached.candlesOf('FTTUSDT').map((c) => c.close)).toEqual(['1.5', '1.55']);
      writeFileSync(
        file,
        `${header}\n1704067200000,1.0,2.0,0.5,2.5,10,15.5,7\n1704153600000,1.5,1.6,1.4,2.75,3,,\n1704240000000,2.75,3,2,3.125,1,,\n`,
      );
      const ds = await loadDataset(root, { cache });
      expect(ds.dailyCache).toBe('rebuilt');
      expect(ds.candlesOf('FTTUSDT').map((c) => c.close)).toEqual(['2.5', '2.75', '3.125']);
      // 3.125 × 10^8 = 312500000, exactly
      expect(
        Array.from(ds.priceRowsBetween('FTTUSDT', 0, Date.UTC(2030, 0, 1))?.columns.closeMantissa ?? []),
      ).toEqual([250000000, 275000000, 312500000]);
      const again = await loadDataset(root, { cache });
      expect(again.dailyCache).toBe('hit');
      expect(snapshot(again)).toEqual(snapshot(await parsed()));
    } finally {
      rmSync(file);
    }
  });

  it('still fails loudly on a corrupt source file (a cached entry never masks it)', async () => {
    await loadDataset(root, { cache });
    const file = path.join(root, 'binance', 'klines-1d', 'FTTUSDT.csv');
    writeFileSync(
      file,
      'open_time_ms,open,high,low,close,volume,quote_volume,trades\n1704067200000,1.0,2.0,0.5,-1.5,10,15.5,7\n',
    );
    try {
      const err = await loadDataset(root, { cache }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as DataError).message).toMatch(
        /FTTUSDT\.csv.*line 2.*close "-1\.5" is not a positive price/,
      );
    } finally {
      rmSync(file);
    }
  });

  const damage: [string, (buf: Buffer) => Buffer][] = [
    ['truncated', (b) => b.subarray(0, Math.floor(b.length / 2))],
    ['garbage', (b) => Buffer.alloc(b.length, 0x41)],
    [
      'another format version',
      (b) => {
        const c = Buffer.from(b);
        c.writeUInt32LE(DAILY_CACHE_FORMAT + 1, 8);
        return c;
      },
    ],
    [
      'an unparsable header',
      (b) => {
        const c = Buffer.from(b);
        c.write('}}}}', 16, 'latin1');
        return c;
      },
    ],
    ['empty', () => Buffer.alloc(0)],
  ];
  for (const [what, hurt] of damage) {
    it(`ignores and rebuilds a cache file that is ${what}`, async () => {
      await loadDataset(root, { cache });
      const file = dailyCacheFile(cacheDir, root);
      writeFileSync(file, hurt(readFileSync(file)));
      const ds = await loadDataset(root, { cache });
      expect(ds.dailyCache).toBe('rebuilt');
      expect(snapshot(ds)).toEqual(snapshot(await parsed()));
      expect((await loadDataset(root, { cache })).dailyCache).toBe('hit');
    });
  }

  it("ignores another directory's cache file (same file names and contents, other path and stamps)", async () => {
    const other = copyData();
    await loadDataset(other, { cache });
    copyFileSync(dailyCacheFile(cacheDir, other), dailyCacheFile(cacheDir, root));
    const ds = await loadDataset(root, { cache });
    expect(ds.dailyCache).toBe('rebuilt');
    expect(snapshot(ds)).toEqual(snapshot(await parsed()));
  });

  it('loads normally when the cache directory cannot be written', async () => {
    const notADir = path.join(temp(), 'plain-file');
    writeFileSync(notADir, 'x');
    const ds = await loadDataset(root, { cache: { dir: notADir, minBytes: 0 } });
    expect(ds.dailyCache).toBe('unwritable');
    expect(snapshot(ds)).toEqual(snapshot(await parsed()));
  });

  it('is not used below its size threshold, nor for a subset of symbols', async () => {
    const fresh = temp();
    expect((await loadDataset(root, { cache: { dir: fresh, minBytes: 1e12 } })).dailyCache).toBe('off');
    expect(
      (await loadDataset(root, { cache: { dir: fresh, minBytes: 0 }, symbols: ['BTCUSDT'] })).dailyCache,
    ).toBe('off');
    expect(readdirSync(fresh)).toEqual([]);
  });
});
