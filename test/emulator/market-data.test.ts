/**
 * Market-data endpoints at the emulator clock, checked against the raw CSV rows (read here with zlib,
 * independently of the emulator's readers) and rest-api.md's response shapes:
 * - data/binance/klines-1d/BTCUSDT.csv.gz: 2021-01-01 open 28923.63 high 29600 low 28624.57 close
 *   29331.69 volume 54182.925011 quote 1582526989.1618726 trades 1314910; 2021-01-02 open 29331.7 volume
 *   129993.873362 quote 4073842163.6715407 trades 2245922;
 * - the clock/price model, partial candles, aggregation and replicas of docs/emulator.md;
 * - data/binance/klines-1h/BTCUSDT.csv.gz (bundled since 2026-12-03, byte-identical to
 *   ../shared/data/binance/klines-1h/BTCUSDT.csv): 2021-01-02 04:00 o 29351.95 h 29396 l 29220 c 29349.63
 *   v 988.71107; 05:00 o 29349.63 c 29589.99 v 2778.878231.
 * The daily price model (no hourly candle for the symbol) is checked on a view of the bundle without its
 * klines-1h folder (`dailyOnlyBundledDataset`); the hourly model on the bundle itself (last describe).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/adapters/data/bundled-dataset.ts';
import { dec } from '../../src/domain/decimal.ts';
import { EmulatorConfigError, type RunningEmulator, startEmulator } from '../../src/emulator/server.ts';
import { at, BUNDLED_DIR, dailyOnlyBundledDataset, manualClock, pub } from './support.ts';

const DAY = 86_400_000;

/** Rows of a daily CSV: [openTime, open, high, low, close, volume, quoteVolume, trades]. */
function csvRows(symbol: string): string[][] {
  const text = gunzipSync(
    readFileSync(path.join(BUNDLED_DIR, 'binance/klines-1d', `${symbol}.csv.gz`)),
  ).toString();
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
}
const f8 = (s: Parameters<typeof dec>[0]) => dec(s).toFixed(8);
const down8 = (d: ReturnType<typeof dec>) => d.toDecimalPlaces(8, 1).toFixed(8);

const clock = manualClock(at('2021-01-02T06:00:00Z'));
let emu: RunningEmulator;
const btc = csvRows('BTCUSDT');
const row = (ms: number) => btc.find((r) => Number(r[0]) === ms) as string[];

beforeAll(async () => {
  emu = await startEmulator({ dataset: await dailyOnlyBundledDataset(), now: clock.now });
});
afterAll(() => emu.close());

/** GET /api/v3/klines of BTCUSDT with `params` on the suite's emulator. */
const btcKlines = (params: Record<string, string | number>) =>
  pub(emu.baseUrl, '/api/v3/klines', { symbol: 'BTCUSDT', ...params });

describe('clock and prices', () => {
  it('default clock: asOf 00:00 UTC + real elapsed time; asOf defaults to the last day of the data', async () => {
    const e = await startEmulator({
      dataset: await dailyOnlyBundledDataset(),
      asOf: '2021-01-02',
      accounts: [],
    });
    try {
      const t = (await pub(e.baseUrl, '/api/v3/time')).body.serverTime;
      expect(t).toBeGreaterThanOrEqual(at('2021-01-02T00:00:00Z'));
      expect(t).toBeLessThan(at('2021-01-02T00:00:10Z'));
      expect(e.asOf).toBe('2021-01-02');
    } finally {
      await e.close();
    }
    const d = await startEmulator({ dataset: await dailyOnlyBundledDataset(), accounts: [] });
    expect(d.asOf).toBe('2026-01-01'); // last row of the bundled daily files (data/SOURCES.md)
    await d.close();
  });

  it('options outside the data or without keys are refused with EmulatorConfigError', async () => {
    const ds = await dailyOnlyBundledDataset();
    await expect(startEmulator({ dataset: ds, asOf: '2017-08-16' })).rejects.toThrow(
      'asOf 2017-08-16 is outside the data (2017-08-17 .. 2026-01-01)',
    );
    await expect(startEmulator({ dataset: ds, asOf: '2021-02-30' })).rejects.toBeInstanceOf(
      EmulatorConfigError,
    );
    await expect(startEmulator({ dataset: ds, accounts: [{ apiKey: 'k' }] })).rejects.toThrow(
      'accounts[0] needs a secret or an ed25519PublicKeyPem',
    );
    await expect(
      startEmulator({ dataset: ds, accounts: [{ apiKey: 'k', secret: 's', balances: { USDT: '-1' } }] }),
    ).rejects.toThrow('balance of USDT must be a decimal ≥ 0');
  });

  it('the price is the open of the current daily candle (no hourly data for the symbol)', async () => {
    expect((await pub(emu.baseUrl, '/api/v3/ticker/price', { symbol: 'BTCUSDT' })).body).toEqual({
      symbol: 'BTCUSDT',
      price: '29331.70000000',
    });
    expect((await pub(emu.baseUrl, '/api/v3/avgPrice', { symbol: 'BTCUSDT' })).body).toEqual({
      mins: 5,
      price: '29331.70000000',
      closeTime: clock.now(),
    });
  });

  it('a listed symbol without a candle today is BREAK and priced at its last close (VENUSDT 2018-10-19: 0.0001)', async () => {
    const all = (await pub(emu.baseUrl, '/api/v3/ticker/price')).body as { symbol: string; price: string }[];
    expect(all.find((p) => p.symbol === 'VENUSDT')).toEqual({ symbol: 'VENUSDT', price: '0.00010000' });
    const info = await pub(emu.baseUrl, '/api/v3/exchangeInfo', { symbol: 'VENUSDT' });
    expect(info.body.symbols[0].status).toBe('BREAK');
    // listed = every USDT symbol whose first daily candle opened on or before 2021-01-02
    const ds = await dailyOnlyBundledDataset();
    const day = at('2021-01-02T00:00:00Z');
    const listed = ds.symbolList().filter((s) => (ds.candlesOf(s.symbol)[0]?.openTime ?? Infinity) <= day);
    expect(all.map((p) => p.symbol)).toEqual(listed.map((s) => s.symbol));
  });
});

describe('klines (rest-api.md "Kline/Candlestick data")', () => {
  it('complete candles are the CSV rows; the current one is partial, scaled by the elapsed fraction', async () => {
    const r = await btcKlines({ interval: '1d', limit: 2 });
    const d1 = row(at('2021-01-01T00:00:00Z'));
    expect(r.body[0]).toEqual([
      at('2021-01-01T00:00:00Z'),
      f8(d1[1] as string),
      f8(d1[2] as string),
      f8(d1[3] as string),
      f8(d1[4] as string),
      '54182.92501100',
      at('2021-01-02T00:00:00Z') - 1,
      '1582526989.16187260',
      1314910,
      '0.00000000',
      '0.00000000',
      '0',
    ]);
    // 06:00 = 0.25 of the day: 129993.873362 × 0.25 = 32498.4683405; 4073842163.6715407 × 0.25;
    // floor(2245922 × 0.25) = 561480; open = close = high = low = 29331.7 (the price all day without hourly data)
    expect(r.body[1]).toEqual([
      at('2021-01-02T00:00:00Z'),
      '29331.70000000',
      '29331.70000000',
      '29331.70000000',
      '29331.70000000',
      '32498.46834050',
      at('2021-01-03T00:00:00Z') - 1,
      down8(dec('4073842163.6715407').times('0.25')),
      561480,
      '0.00000000',
      '0.00000000',
      '0',
    ]);
  });

  it('1w and 1M aggregate the daily rows (Monday-aligned weeks, calendar months)', async () => {
    const agg = (from: number, to: number) => {
      const rows = btc.filter((x) => Number(x[0]) >= from && Number(x[0]) < to);
      const sum = (k: number) => rows.reduce((a, x) => a.plus(x[k] as string), dec(0));
      return [
        from,
        f8(rows[0]?.[1] as string),
        f8(rows.reduce((m, x) => (dec(x[2] as string).gt(m) ? dec(x[2] as string) : m), dec(0))),
        f8(rows.reduce((m, x) => (dec(x[3] as string).lt(m) ? dec(x[3] as string) : m), dec('1e12'))),
        f8(rows[rows.length - 1]?.[4] as string),
        down8(sum(5)),
        to - 1,
        down8(sum(6)),
        rows.reduce((a, x) => a + Number(x[7]), 0),
        '0.00000000',
        '0.00000000',
        '0',
      ];
    };
    const w = await btcKlines({ interval: '1w', endTime: at('2020-12-27T00:00:00Z'), limit: 1 });
    // 2020-12-21 is a Monday
    expect(w.body).toEqual([agg(at('2020-12-21T00:00:00Z'), at('2020-12-28T00:00:00Z'))]);
    const m = await btcKlines({ interval: '1M', startTime: at('2020-12-01T00:00:00Z'), limit: 1 });
    expect(m.body).toEqual([agg(at('2020-12-01T00:00:00Z'), at('2021-01-01T00:00:00Z'))]);
    const d3 = await btcKlines({ interval: '3d', limit: 5 });
    for (const k of d3.body) expect(k[0] % (3 * DAY)).toBe(0);
    expect(d3.body.at(-1)[0]).toBeLessThanOrEqual(clock.now());
  });

  it('startTime gives the oldest candles from it, endTime the newest up to it; nothing after the clock', async () => {
    const s = await btcKlines({ interval: '1d', startTime: at('2020-12-30T12:00:00Z'), limit: 2 });
    expect(s.body.map((k: number[]) => k[0])).toEqual([
      at('2020-12-31T00:00:00Z'),
      at('2021-01-01T00:00:00Z'),
    ]);
    const e = await btcKlines({ interval: '1d', endTime: at('2020-12-30T00:00:00Z'), limit: 2 });
    expect(e.body.map((k: number[]) => k[0])).toEqual([
      at('2020-12-29T00:00:00Z'),
      at('2020-12-30T00:00:00Z'),
    ]);
    const future = await btcKlines({ interval: '1d', startTime: at('2021-01-01T00:00:00Z') });
    expect(future.body).toHaveLength(2);
    const dflt = await btcKlines({ interval: '1d' });
    expect(dflt.body).toHaveLength(500); // default limit
  });

  it('intervals without data are empty; timeZone 0 / +00:00 is accepted, other offsets are -1130', async () => {
    for (const interval of ['1s', '1m', '15m', '1h', '4h', '12h']) {
      expect((await btcKlines({ interval })).body).toEqual([]);
    }
    for (const timeZone of ['0', '+00:00', '-0']) {
      const r = await btcKlines({ interval: '1d', limit: 1, timeZone });
      expect(r.status).toBe(200);
    }
    const tz = await btcKlines({ interval: '1d', timeZone: '8' });
    expect(tz.body).toEqual({ code: -1130, msg: "Data sent for parameter 'timeZone' is not valid." });
    const ui = await pub(emu.baseUrl, '/api/v3/uiKlines', { symbol: 'BTCUSDT', interval: '1d', limit: 3 });
    const k = await btcKlines({ interval: '1d', limit: 3 });
    expect(ui.body).toEqual(k.body);
  });
});

describe('tickers, order book', () => {
  it('24hr at 2021-01-02 00:00: the window is exactly the 2021-01-01 candle', async () => {
    const c = manualClock(at('2021-01-02T00:00:00Z'));
    const e = await startEmulator({ dataset: await dailyOnlyBundledDataset(), now: c.now, accounts: [] });
    try {
      const r = await pub(e.baseUrl, '/api/v3/ticker/24hr', { symbol: 'BTCUSDT' });
      // change 29331.7 − 28923.63 = 408.07; 408.07 / 28923.63 × 100 = 1.41083… → "1.411"
      expect(r.body).toMatchObject({
        symbol: 'BTCUSDT',
        priceChange: '408.07000000',
        priceChangePercent: '1.411',
        weightedAvgPrice: down8(dec('1582526989.1618726').div('54182.925011')),
        prevClosePrice: '28923.63000000', // close of 2020-12-31
        lastPrice: '29331.70000000',
        openPrice: '28923.63000000',
        highPrice: '29600.00000000',
        lowPrice: '28624.57000000',
        volume: '54182.92501100',
        quoteVolume: '1582526989.16187260',
        openTime: at('2021-01-01T00:00:00Z'),
        closeTime: at('2021-01-02T00:00:00Z'),
        firstId: 0,
        lastId: 1314909,
        count: 1314910,
      });
      const mini = await pub(e.baseUrl, '/api/v3/ticker/24hr', { symbols: '["BTCUSDT"]', type: 'MINI' });
      expect(Object.keys(mini.body[0])).toEqual([
        'symbol',
        'openPrice',
        'highPrice',
        'lowPrice',
        'lastPrice',
        'volume',
        'quoteVolume',
        'openTime',
        'closeTime',
        'firstId',
        'lastId',
        'count',
      ]);
      const rolling = await pub(e.baseUrl, '/api/v3/ticker', { symbol: 'BTCUSDT', windowSize: '1d' });
      expect(rolling.body).toMatchObject({ openTime: at('2021-01-01T00:00:00Z'), volume: '54182.92501100' });
      const bad = await pub(e.baseUrl, '/api/v3/ticker', { symbol: 'BTCUSDT', windowSize: '1d2h' });
      expect(bad.body.code).toBe(-1130);
    } finally {
      await e.close();
    }
  });

  it('depth: best bid < price < best ask, one tick (0.01) apart; level qty floor_step(10000 / p) = 0.34092', async () => {
    const r = await pub(emu.baseUrl, '/api/v3/depth', { symbol: 'BTCUSDT', limit: 3 });
    expect(r.headers.get('x-mbx-used-weight-1m')).not.toBeNull();
    expect(r.body).toEqual({
      lastUpdateId: Math.floor(clock.now() / 1000),
      bids: [
        ['29331.69000000', '0.34092000'],
        ['29331.68000000', '0.34092000'],
        ['29331.67000000', '0.34092000'],
      ],
      asks: [
        ['29331.71000000', '0.34092000'],
        ['29331.72000000', '0.34092000'],
        ['29331.73000000', '0.34092000'],
      ],
    });
    const book = await pub(emu.baseUrl, '/api/v3/ticker/bookTicker', { symbol: 'BTCUSDT' });
    expect(book.body).toEqual({
      symbol: 'BTCUSDT',
      bidPrice: '29331.69000000',
      bidQty: '0.34092000',
      askPrice: '29331.71000000',
      askQty: '0.34092000',
    });
  });
});

describe('exchangeInfo', () => {
  it('serves the snapshot filters unchanged, the supported order types and SPOT permission sets', async () => {
    const ds = await dailyOnlyBundledDataset();
    const r = await pub(emu.baseUrl, '/api/v3/exchangeInfo', { symbols: '["BTCUSDT","ETHUSDT"]' });
    expect(r.body.timezone).toBe('UTC');
    expect(r.body.serverTime).toBe(clock.now());
    const b = r.body.symbols[0];
    expect(b).toMatchObject({
      symbol: 'BTCUSDT',
      status: 'TRADING',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      baseAssetPrecision: 8,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'TAKE_PROFIT'],
      allowTrailingStop: true,
      quoteOrderQtyMarketAllowed: true,
      isSpotTradingAllowed: true,
      permissions: [],
      permissionSets: [['SPOT']],
    });
    expect(b.filters).toEqual(ds.snapshots[0]?.symbols.get('BTCUSDT')?.filters);
    expect(r.body.symbols[1].symbol).toBe('ETHUSDT');
  });

  it('permissions, symbolStatus and showPermissionSets filter and shape the list', async () => {
    expect(
      (await pub(emu.baseUrl, '/api/v3/exchangeInfo', { permissions: '["MARGIN"]' })).body.symbols,
    ).toEqual([]);
    const spot = await pub(emu.baseUrl, '/api/v3/exchangeInfo', { permissions: 'SPOT' });
    const br = await pub(emu.baseUrl, '/api/v3/exchangeInfo', { symbolStatus: 'BREAK' });
    const tr = await pub(emu.baseUrl, '/api/v3/exchangeInfo', { symbolStatus: 'TRADING' });
    expect(br.body.symbols.every((s: { status: string }) => s.status === 'BREAK')).toBe(true);
    expect(br.body.symbols.length + tr.body.symbols.length).toBe(spot.body.symbols.length);
    const hidden = await pub(emu.baseUrl, '/api/v3/exchangeInfo', {
      symbol: 'BTCUSDT',
      showPermissionSets: 'false',
    });
    expect(hidden.body.symbols[0].permissionSets).toEqual([]);
  });
});

describe('replica symbols (docs/emulator.md): padding the TRADING universe for load tests', () => {
  it('symbols: 300 adds <BASE>R1USDT replicas of the first TRADING symbols, with the same candles and filters', async () => {
    const ds = await dailyOnlyBundledDataset();
    const c = manualClock(at('2021-01-02T06:00:00Z'));
    const e = await startEmulator({ dataset: ds, now: c.now, symbols: 300, accounts: [] });
    try {
      const day = at('2021-01-02T00:00:00Z');
      const trading = ds
        .symbolList()
        .filter((s) => ds.candlesBetween(s.symbol, day, day).length === 1)
        .map((s) => s.baseAsset);
      expect(e.tradingSymbols).toBe(300);
      const info = await pub(e.baseUrl, '/api/v3/exchangeInfo', { symbolStatus: 'TRADING' });
      const names: string[] = info.body.symbols.map((s: { symbol: string }) => s.symbol);
      const replicas = names.filter((n) => !ds.hasSymbol(n));
      expect(replicas).toEqual(
        trading
          .slice(0, 300 - trading.length)
          .map((b) => `${b}R1USDT`)
          .sort(),
      );
      const first = trading[0] as string;
      const [real, copy] = await Promise.all(
        [`${first}USDT`, `${first}R1USDT`].map((symbol) =>
          pub(e.baseUrl, '/api/v3/klines', { symbol, interval: '1d', limit: 10 }),
        ),
      );
      expect(copy?.body).toEqual(real?.body);
      const r = info.body.symbols.find((s: { symbol: string }) => s.symbol === `${first}R1USDT`);
      expect(r.baseAsset).toBe(`${first}R1`);
      expect(r.filters).toEqual(
        info.body.symbols.find((s: { symbol: string }) => s.symbol === `${first}USDT`).filters,
      );
    } finally {
      await e.close();
    }
  });
});

describe('hourly data (the bundled data/binance/klines-1h)', () => {
  it('the price is the open of the current hour; 1h/4h/1d klines are built from the hourly rows', async () => {
    const ds = await loadDataset(BUNDLED_DIR, { symbols: ['BTCUSDT'] });
    const c = manualClock(at('2021-01-02T05:30:00Z'));
    const e = await startEmulator({ dataset: ds, now: c.now, accounts: [] });
    try {
      expect((await pub(e.baseUrl, '/api/v3/ticker/price', { symbol: 'BTCUSDT' })).body.price).toBe(
        '29349.63000000',
      );
      const h = await pub(e.baseUrl, '/api/v3/klines', { symbol: 'BTCUSDT', interval: '1h', limit: 2 });
      // 05:00 is half over: v = 2778.878231 × 0.5 = 1389.4391155; quote = v × close (no quote volume
      // in the hourly files, strategy-semantics §4 rule 6) × 0.5; no trade counts → 0
      expect(h.body[1]).toEqual([
        at('2021-01-02T05:00:00Z'),
        '29349.63000000',
        '29349.63000000',
        '29349.63000000',
        '29349.63000000',
        '1389.43911550',
        at('2021-01-02T06:00:00Z') - 1,
        down8(dec('2778.878231').times('29589.99').times('0.5')),
        0,
        '0.00000000',
        '0.00000000',
        '0',
      ]);
      // The 04:00 hour of the CSV: openTime, open, high, low, close.
      const ohlc0400 = [
        at('2021-01-02T04:00:00Z'),
        '29351.95000000',
        '29396.00000000',
        '29220.00000000',
        '29349.63000000',
      ];
      expect(h.body[0].slice(0, 6)).toEqual([...ohlc0400, '988.71107000']);
      const h4 = await pub(e.baseUrl, '/api/v3/klines', { symbol: 'BTCUSDT', interval: '4h', limit: 1 });
      // 04:00 complete + 05:00 partial: volume 988.71107 + 1389.4391155
      expect(h4.body[0].slice(0, 6)).toEqual([...ohlc0400, '2378.15018550']);
      const d = await pub(e.baseUrl, '/api/v3/klines', { symbol: 'BTCUSDT', interval: '1d', limit: 1 });
      // partial day: open 29331.7, close = current price 29349.63, high/low = max/min of the two
      expect(d.body[0].slice(1, 5)).toEqual([
        '29331.70000000',
        '29349.63000000',
        '29331.70000000',
        '29349.63000000',
      ]);
    } finally {
      await e.close();
    }
  });
});
