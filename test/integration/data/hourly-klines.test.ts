/**
 * Hourly klines (`binance/klines-1h`, shared/data/SOURCES.md §2) through the data adapters: the bundled copy
 * via `Dataset.hourlyCandles` / `loadHourlyKlines`, and hand-made temp directories for laziness and errors.
 * Expected values come from shared/data/SOURCES.md §2 and "Sanity checks" (BTCUSDT 1h 2021-01-01 00:00) and
 * from the raw files (`wc -l`, awk over klines-1h/BTCUSDT.csv for the maintenance gap).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError, type Dataset, loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { HOUR_MS, loadHourlyKlines } from '../../../src/adapters/data/hourly-klines.ts';
import { dayToMs } from '../../../src/domain/time.ts';
import { useTempDirs } from '../../support/temp-dirs.ts';

const BUNDLED = fileURLToPath(new URL('../../../data/', import.meta.url));
const HEADER = 'open_time_ms,open,high,low,close,volume,quote_volume,trades';
const H0 = Date.UTC(2021, 0, 1, 0);

/** A fresh temp dir holding `files` (relative path -> content; Buffer written as is). */
const makeDir = useTempDirs('hourly-test-');
const DAILY = `${HEADER}\n${dayToMs('2021-01-01')},1,2,0.5,1.5,10,,\n`;
const INFO = JSON.stringify({
  timezone: 'UTC',
  serverTime: 1,
  rateLimits: [],
  exchangeFilters: [],
  symbols: [],
});

describe('bundled hourly klines', () => {
  let ds: Dataset;
  beforeAll(async () => {
    ds = await loadDataset(BUNDLED);
  });

  it('has the 39 symbols of SOURCES.md §2', async () => {
    const h = await ds.hourly();
    expect(h.size).toBe(39);
    expect(h.symbols()).toContain('BTCUSDT');
    expect(h.symbols()).toContain('APEUSDT');
    expect(h.has('VENUSDT')).toBe(false);
  });

  it('BTCUSDT 2021-01-01 00:00 = 28923.63/29031.34/28690.17/28995.13, vol 2311.811445 (SOURCES.md "Sanity checks")', async () => {
    expect(await ds.hourlyCandles('BTCUSDT', H0, H0)).toEqual([
      {
        openTime: H0,
        open: '28923.63',
        high: '29031.34',
        low: '28690.17',
        close: '28995.13',
        volume: '2311.811445',
        quoteVolume: null,
        trades: null,
      },
    ]);
  });

  it('windows per SOURCES.md §2: moon pairs to 2022-07-10 23:00 (13,331 rows), soney pairs to 2022-03-21 23:00 (10,667)', async () => {
    const h = await ds.hourly();
    expect(h.candlesOf('BTCUSDT')).toHaveLength(13_331);
    expect(h.coverageOf('BTCUSDT')).toEqual({ firstMs: H0, lastMs: Date.UTC(2022, 6, 10, 23) });
    expect(h.candlesOf('ADAUSDT')).toHaveLength(10_667);
    expect(h.coverageOf('ADAUSDT')).toEqual({ firstMs: H0, lastMs: Date.UTC(2022, 2, 21, 23) });
    // APE 2022-03-17 .. 2022-06-07 (first row 2022-03-17 14:00 in the file)
    expect(h.coverageOf('APEUSDT')?.firstMs).toBe(Date.UTC(2022, 2, 17, 14));
    expect(h.coverageOf('NOPEUSDT')).toBeNull();
  });

  it('keeps the Binance maintenance gap 2021-08-13 02:00–05:00 UTC (SOURCES.md §2)', async () => {
    const c = await ds.hourlyCandles('BTCUSDT', Date.UTC(2021, 7, 13, 0), Date.UTC(2021, 7, 13, 7));
    expect(c.map((x) => new Date(x.openTime).getUTCHours())).toEqual([0, 1, 6, 7]);
  });

  it('range queries: inclusive bounds, unknown symbol or empty range -> []', async () => {
    const c = await ds.hourlyCandles('ETHUSDT', H0 + 1, H0 + 3 * HOUR_MS);
    expect(c.map((x) => x.openTime)).toEqual([H0 + HOUR_MS, H0 + 2 * HOUR_MS, H0 + 3 * HOUR_MS]);
    expect(await ds.hourlyCandles('NOPEUSDT', H0, H0 + HOUR_MS)).toEqual([]);
    expect(await ds.hourlyCandles('ETHUSDT', H0 + HOUR_MS, H0)).toEqual([]);
  });
});

describe('hourly klines: lazy, and validated on first use', () => {
  it('loadDataset does not read hourly files: a corrupt one fails only when its candles are asked for', async () => {
    const dir = makeDir({
      'binance/klines-1d/AAAUSDT.csv': DAILY,
      'binance/exchangeInfo.json': INFO,
      'binance/klines-1h/AAAUSDT.csv.gz': Buffer.from('not gzip at all'),
      'binance/klines-1h/BBBUSDT.csv': `${HEADER}\n${H0},1,2,0.5,1.5,10,,\n${H0 + HOUR_MS},1.5,1.6,1.4,1.55,3,,\n`,
    });
    const ds = await loadDataset(dir); // would throw if it read klines-1h/AAAUSDT.csv.gz
    expect(ds.candleCount('AAAUSDT')).toBe(1);
    expect((await ds.hourlyCandles('BBBUSDT', H0, H0 + HOUR_MS)).map((c) => c.close)).toEqual([
      '1.5',
      '1.55',
    ]);
    await expect(ds.hourlyCandles('AAAUSDT', H0, H0)).rejects.toThrow(
      /AAAUSDT\.csv\.gz: corrupt: not a gzip file/,
    );
  });

  it('a directory without klines-1h has no hourly data (not an error)', async () => {
    const dir = makeDir({ 'binance/klines-1d/AAAUSDT.csv': DAILY, 'binance/exchangeInfo.json': INFO });
    const h = await loadHourlyKlines(dir);
    expect(h.size).toBe(0);
    expect(h.candlesBetween('AAAUSDT', 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it.each([
    [
      'an open time not on the hour',
      `${HEADER}\n${H0 + 60_000},1,2,0.5,1.5,10,,\n`,
      /line 2: open_time_ms \d+ is not a multiple of 3600000 ms/,
    ],
    [
      'a close of 0',
      `${HEADER}\n${H0},1,2,0.5,1.5,10,,\n${H0 + HOUR_MS},1,2,0.5,0.000,10,,\n`,
      /line 3: close "0\.000" is not a positive price \(row open_time 1609462800000 = 2021-01-01T01:00:00\.000Z\)/,
    ],
    [
      'a negative low',
      `${HEADER}\n${H0},1,2,-0.5,1.5,10,,\n`,
      /line 2: low "-0\.5" is not a positive price \(row open_time 1609459200000/,
    ],
    [
      'an infinite volume',
      `${HEADER}\n${H0},1,2,0.5,1.5,1e999,,\n`,
      /line 2: volume "1e999" is not a finite number \(row open_time 1609459200000/,
    ],
  ])(
    '%s in an hourly file is a DataError naming the file, the row and the field',
    async (_what, text, re) => {
      const dir = makeDir({ 'binance/klines-1h/CCCUSDT.csv.gz': gzipSync(text) });
      const h = await loadHourlyKlines(dir);
      let err: unknown;
      try {
        h.candlesBetween('CCCUSDT', 0, Number.MAX_SAFE_INTEGER);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DataError);
      expect((err as DataError).path).toBe(path.join(dir, 'binance', 'klines-1h', 'CCCUSDT.csv.gz'));
      expect((err as DataError).message).toMatch(re);
    },
  );
});
