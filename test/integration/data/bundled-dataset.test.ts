/**
 * The bundled real dataset (data/, gzipped) through `loadDataset`. Expected values come from
 * shared/data/SOURCES.md ("Sanity checks", "Known real-data quirks", §1 coverage, §5 exchangeInfo) and,
 * where stated, from the raw files themselves (grep of shared/data/binance/klines-1d/*.csv and the two
 * exchangeInfo JSON documents).
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { DAY_MS, dayToMs } from '../../../src/domain/time.ts';
import type { Candle } from '../../../src/domain/types.ts';

const BUNDLED = fileURLToPath(new URL('../../../data/', import.meta.url));

let ds: Dataset;
beforeAll(async () => {
  ds = await loadDataset(BUNDLED);
});

async function candleOn(symbol: string, day: string): Promise<Candle | undefined> {
  const t = dayToMs(day);
  const c = await ds.dailyCandles(symbol, t, t);
  expect(c.length).toBeLessThanOrEqual(1);
  return c[0];
}

describe('bundled dataset: contents', () => {
  it('has the 592 daily-kline symbols of shared/data (SOURCES.md §1 + §1b, symbols.csv: 592 rows), sorted, delisted ones included', async () => {
    const symbols = await ds.symbols();
    expect(symbols).toHaveLength(592);
    const names = symbols.map((s) => s.symbol);
    expect(names).toEqual([...names].sort());
    // VENUSDT: delisted 2018-10-19 (SOURCES.md §1), BREAK in both snapshots.
    expect(ds.hasSymbol('VENUSDT')).toBe(true);
    expect(names).toContain('BCCUSDT');
    expect(ds.warnings).toEqual([]);
  });

  it('has 581,720 daily rows in total (SOURCES.md §1 251,728 + §1b 329,992) and coverage 2017-08-17 .. 2026-01-01', async () => {
    let rows = 0;
    for (const s of await ds.symbols()) rows += ds.candleCount(s.symbol);
    expect(rows).toBe(251_728 + 329_992);
    expect(await ds.coverage()).toEqual({
      firstDayMs: dayToMs('2017-08-17'),
      lastDayMs: dayToMs('2026-01-01'),
    });
    expect(ds.firstDayMs).toBe(dayToMs('2017-08-17'));
    expect(ds.lastDayMs).toBe(dayToMs('2026-01-01'));
  });

  it('the broad universe continues after 2022-09-30 (SOURCES.md §1 coverage: 327 / 319 / 364 / 387 / 404 pairs)', async () => {
    // Symbols with a daily candle on the day, as SOURCES.md §1 "Coverage" states (and a grep of the raw
    // files: `grep -l "^<ms>," klines-1d/*.csv | wc -l`); after 2025-06-17 only the hurst pairs (52 files).
    const counts: Array<[string, number]> = [
      ['2022-09-30', 204],
      ['2022-10-01', 327],
      ['2023-01-01', 319],
      ['2024-01-01', 364],
      ['2025-01-01', 387],
      ['2025-06-17', 404],
      ['2025-06-18', 52],
    ];
    for (const [day, n] of counts) {
      const t = dayToMs(day);
      let k = 0;
      for (const s of ds.symbolList()) if (ds.candlesBetween(s.symbol, t, t).length === 1) k++;
      expect(k, day).toBe(n);
    }
    // Delisted in the extension (SOURCES.md §1b: WAVES 2024-06-15, MATIC 2024-09-08; the series end one day
    // early because the partial last day is not taken); FTT's crash of 2022-11-08 is kept as a real move.
    expect(ds.candlesOf('WAVESUSDT').at(-1)?.openTime).toBe(dayToMs('2024-06-15'));
    expect(ds.candlesOf('MATICUSDT').at(-1)?.openTime).toBe(dayToMs('2024-09-08'));
    expect(await candleOn('FTTUSDT', '2022-11-08')).toMatchObject({
      open: '22.08000000',
      close: '5.50000000',
    });
  });

  it('BTCUSDT / ETHUSDT known open/close values (SOURCES.md "Sanity checks")', async () => {
    const known: Array<[string, string, number, number]> = [
      ['BTCUSDT', '2020-01-01', 7195.24, 7200.85],
      ['BTCUSDT', '2021-01-01', 28923.63, 29331.69],
      ['BTCUSDT', '2022-01-01', 46216.93, 47722.65],
      ['BTCUSDT', '2023-01-01', 16541.77, 16616.75],
      ['BTCUSDT', '2024-01-01', 42283.58, 44179.55],
      ['BTCUSDT', '2024-12-31', 92792.05, 93576.0],
      ['ETHUSDT', '2021-01-01', 736.42, 728.91],
    ];
    for (const [symbol, day, open, close] of known) {
      const c = await candleOn(symbol, day);
      expect(c, `${symbol} ${day}`).toBeDefined();
      expect(Number(c?.open), `${symbol} ${day} open`).toBe(open);
      expect(Number(c?.close), `${symbol} ${day} close`).toBe(close);
    }
  });

  it('keeps the source strings exactly (BTCUSDT 2021-01-01 row of klines-1d/BTCUSDT.csv, line 1235)', async () => {
    // 1609459200000,28923.63,29600.0,28624.57,29331.69,54182.925011,1582526989.1618726,1314910
    expect(await candleOn('BTCUSDT', '2021-01-01')).toEqual({
      openTime: 1609459200000,
      open: '28923.63',
      high: '29600.0',
      low: '28624.57',
      close: '29331.69',
      volume: '54182.925011',
      quoteVolume: '1582526989.1618726',
      trades: 1314910,
    });
    // Older (jroc) rows: 8-decimal strings, empty quote_volume/trades -> null (SOURCES.md schema notes).
    expect(await candleOn('BTCUSDT', '2017-08-17')).toEqual({
      openTime: dayToMs('2017-08-17'),
      open: '4261.48000000',
      high: '4485.39000000',
      low: '4200.74000000',
      close: '4285.08000000',
      volume: '795.15037700',
      quoteVolume: null,
      trades: null,
    });
  });

  it('keeps real-data quirks: BTTUSDT negative volume, AUDUSDT close > high (SOURCES.md quirks)', async () => {
    expect((await candleOn('BTTUSDT', '2019-01-31'))?.volume).toBe('-61596941261.09551616');
    for (const day of ['2019-02-04', '2019-02-05', '2019-02-06', '2019-02-12']) {
      expect(Number((await candleOn('BTTUSDT', day))?.volume), day).toBeLessThan(0);
    }
    const aud = await candleOn('AUDUSDT', '2020-11-13');
    expect(aud).toMatchObject({
      open: '0.71859000',
      high: '0.72033000',
      low: '0.71479000',
      close: '0.72216000',
    });
    expect(Number(aud?.close)).toBeGreaterThan(Number(aud?.high));
  });

  it('VENUSDT: delisted series 2018-06-22 .. 2018-10-19 with the 2018-07-24 .. 10-18 halt gap', () => {
    const c = ds.candlesOf('VENUSDT');
    expect(c).toHaveLength(33); // symbols.csv klines_1d_rows = 33
    expect(c[0]?.openTime).toBe(dayToMs('2018-06-22'));
    expect(c.at(-1)?.openTime).toBe(dayToMs('2018-10-19'));
    expect(c.some((x) => x.openTime === dayToMs('2018-08-15'))).toBe(false);
  });

  it('LUNAUSDT: no rows 2022-05-14 .. 2022-05-30 (ticker reuse, SOURCES.md quirks)', async () => {
    const gap = await ds.dailyCandles('LUNAUSDT', dayToMs('2022-05-13'), dayToMs('2022-05-31'));
    expect(gap.map((c) => c.openTime)).toEqual([dayToMs('2022-05-13'), dayToMs('2022-05-31')]);
    expect(Number(gap[0]?.close)).toBe(0.00005);
    expect(Number(gap[1]?.close)).toBe(8.87);
  });
});

describe('bundled dataset: MarketData port', () => {
  it('dailyCandles returns the inclusive range, ascending; unknown symbol or empty range -> []', async () => {
    const from = dayToMs('2021-01-01');
    const to = dayToMs('2021-01-10');
    const c = await ds.dailyCandles('BTCUSDT', from, to);
    expect(c.map((x) => x.openTime)).toEqual(Array.from({ length: 10 }, (_, i) => from + i * DAY_MS));
    // bounds that are not day starts: [01-01 00:00:01, 01-03 23:59] -> 01-02, 01-03
    const mid = await ds.dailyCandles('BTCUSDT', from + 1000, dayToMs('2021-01-03') + DAY_MS - 1);
    expect(mid.map((x) => x.openTime)).toEqual([from + DAY_MS, from + 2 * DAY_MS]);
    expect(await ds.dailyCandles('NOPEUSDT', from, to)).toEqual([]);
    expect(await ds.dailyCandles('BTCUSDT', to, from)).toEqual([]);
    expect(await ds.dailyCandles('BTCUSDT', dayToMs('2030-01-01'), dayToMs('2031-01-01'))).toEqual([]);
    // whole series through the range API equals candlesOf
    const all = ds.candlesOf('ETHUSDT');
    expect(await ds.dailyCandles('ETHUSDT', 0, Number.MAX_SAFE_INTEGER)).toEqual(all);
    expect(ds.candlesOf('NOPEUSDT')).toEqual([]);
  });

  it('every series is strictly ascending and 00:00 UTC aligned', async () => {
    for (const s of await ds.symbols()) {
      const c = ds.candlesOf(s.symbol);
      for (let i = 0; i < c.length; i++) {
        const t = (c[i] as Candle).openTime;
        if (t % DAY_MS !== 0 || (i > 0 && t <= (c[i - 1] as Candle).openTime)) {
          throw new Error(`${s.symbol} row ${i}: ${t}`);
        }
      }
    }
  });

  it('symbols(): base/quote from exchangeInfo, else symbols.csv', async () => {
    const bySymbol = new Map((await ds.symbols()).map((s) => [s.symbol, s]));
    expect(bySymbol.get('BTCUSDT')).toEqual({ symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT' });
    expect(bySymbol.get('VENUSDT')).toEqual({ symbol: 'VENUSDT', baseAsset: 'VEN', quoteAsset: 'USDT' });
    // 0GUSDT (listed 2025-09) is in neither snapshot; symbols.csv gives base_asset 0G.
    expect(bySymbol.get('0GUSDT')).toEqual({ symbol: '0GUSDT', baseAsset: '0G', quoteAsset: 'USDT' });
    // 1000-prefixed or digit tickers are not mangled
    for (const s of bySymbol.values()) expect(`${s.baseAsset}${s.quoteAsset}`).toBe(s.symbol);
  });

  it('symbolRules(BTCUSDT): 2023-09-08 snapshot, MARKET_LOT_SIZE.stepSize is 0 so LOT_SIZE is used (§6)', async () => {
    // exchangeInfo.json, BTCUSDT: LOT_SIZE {minQty 0.00001000, stepSize 0.00001000}, MARKET_LOT_SIZE
    // {minQty 0.00000000, stepSize 0.00000000}, NOTIONAL {minNotional 5.00000000, applyMinToMarket true},
    // PRICE_FILTER tickSize 0.01000000. SOURCES.md §5: tickSize 0.01, stepSize 0.00001, minNotional 5.
    const r = await ds.symbolRules('BTCUSDT');
    expect(r).toEqual({
      symbol: 'BTCUSDT',
      stepSize: '0.00001000',
      minQty: '0.00001000',
      minNotional: '5.00000000',
      tickSize: '0.01000000',
      source: 'exchangeInfo 2023-09-08',
    });
    expect(Number(r.stepSize)).toBe(0.00001);
    expect(Number(r.minNotional)).toBe(5);
  });

  it('symbolRules(PEPEUSDT) per SOURCES.md §5: tickSize 0.00000001, stepSize 1.00, minNotional 5', async () => {
    const r = await ds.symbolRules('PEPEUSDT');
    expect(Number(r.tickSize)).toBe(0.00000001);
    expect(Number(r.stepSize)).toBe(1);
    expect(Number(r.minNotional)).toBe(5);
    expect(r.source).toBe('exchangeInfo 2023-09-08');
  });

  it('symbolRules of a delisted symbol still listed (BREAK) in the 2023 snapshot comes from it', async () => {
    expect((await ds.symbolRules('VENUSDT')).source).toBe('exchangeInfo 2023-09-08');
  });

  it('symbolRules of a symbol no snapshot lists: step 0, minQty 0, minNotional 10, tickSize 0 (§6)', async () => {
    // TRUMPUSDT (listed 2025) has daily klines but is in neither snapshot; NOPEUSDT is unknown altogether.
    for (const symbol of ['TRUMPUSDT', 'NOPEUSDT']) {
      expect(await ds.symbolRules(symbol)).toEqual({
        symbol,
        stepSize: '0',
        minQty: '0',
        minNotional: '10',
        tickSize: '0',
        source: 'default (no snapshot lists it)',
      });
    }
  });

  it('loads both exchangeInfo snapshots, newest first, USDT-only in the bundle (SOURCES.md §5: 456 and 415)', () => {
    expect(ds.snapshots.map((s) => s.day)).toEqual(['2023-09-08', '2022-11-28']);
    expect(ds.snapshots.map((s) => s.symbols.size)).toEqual([456, 415]);
  });

  it('loadDataset with opts.symbols loads only those, warns about unknown ones', async () => {
    const small = await loadDataset(BUNDLED, { symbols: ['ETHUSDT', 'BTCUSDT', 'NOPEUSDT'] });
    expect((await small.symbols()).map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(small.warnings.join('\n')).toMatch(/NOPEUSDT/);
    expect(small.candlesOf('BTCUSDT')).toEqual(ds.candlesOf('BTCUSDT'));
    expect(await small.coverage()).toEqual({
      firstDayMs: dayToMs('2017-08-17'),
      lastDayMs: dayToMs('2026-01-01'),
    });
    expect((await small.symbolRules('BTCUSDT')).minNotional).toBe('5.00000000');
    expect(small.marketCaps.size).toBe(70);
  });
});
