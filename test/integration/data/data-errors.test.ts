/**
 * `loadDataset` on hand-made temp directories: DataError cases (missing directory / files, corrupt gzip,
 * wrong header, malformed or unsorted rows), `<name>` vs `<name>.gz`, optional files, and the
 * strategy-semantics.md §6 rule branches that the real snapshots do not exercise.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError, loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { parseKlineCsv } from '../../../src/adapters/data/kline-csv.ts';
import { dayToMs } from '../../../src/domain/time.ts';
import type { SymbolRules } from '../../../src/domain/types.ts';
import { useTempDirs } from '../../support/temp-dirs.ts';

const BUNDLED = fileURLToPath(new URL('../../../data/', import.meta.url));
const HEADER = 'open_time_ms,open,high,low,close,volume,quote_volume,trades';
const D1 = dayToMs('2024-01-01');
const D2 = dayToMs('2024-01-02');
const GOOD = `${HEADER}\n${D1},1.0,2.0,0.5,1.5,10,15.5,7\n${D2},1.5,1.6,1.4,1.55,3,,\n`;

type Filter = Record<string, unknown>;
const sym = (symbol: string, filters: Filter[], baseAsset = symbol.replace(/USDT$/, '')) => ({
  symbol,
  status: 'TRADING',
  baseAsset,
  quoteAsset: 'USDT',
  filters,
});
const info = (serverTime: number, symbols: unknown[]) =>
  JSON.stringify({ timezone: 'UTC', serverTime, rateLimits: [], exchangeFilters: [], symbols });
const AAA_FILTERS: Filter[] = [
  { filterType: 'PRICE_FILTER', minPrice: '0.01', maxPrice: '1000', tickSize: '0.01' },
  { filterType: 'LOT_SIZE', minQty: '0.1', maxQty: '1000', stepSize: '0.1' },
  {
    filterType: 'NOTIONAL',
    minNotional: '5',
    applyMinToMarket: true,
    maxNotional: '1e6',
    applyMaxToMarket: false,
  },
];

/** A fresh temp dir holding `files` (relative path -> content; Buffer written as is). */
const makeDir = useTempDirs('dataset-test-');

const minimal = (extra: Record<string, string | Buffer> = {}): Record<string, string | Buffer> => ({
  'binance/klines-1d/AAAUSDT.csv': GOOD,
  'binance/exchangeInfo.json': info(Date.UTC(2023, 8, 8, 15), [sym('AAAUSDT', AAA_FILTERS)]),
  ...extra,
});

async function loadError(dir: string): Promise<DataError> {
  try {
    await loadDataset(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error(`loadDataset(${dir}) did not throw`);
}

describe('loadDataset: candles with non-positive prices or non-finite numbers (issue 14 item 2, data side)', () => {
  // A fixture directory whose second daily file has one bad row (row 2, 2024-01-02 = 1704153600000); the
  // error names the file, the row (line and open_time) and the field, and nothing is loaded.
  it.each([
    [
      'a close of 0',
      '1,2,0.5,0,10,,',
      /line 3: close "0" is not a positive price \(row open_time 1704153600000 = 2024-01-02\)/,
    ],
    [
      'an open of 0.00000000',
      '0.00000000,2,0.5,1.5,10,,',
      /line 3: open "0\.00000000" is not a positive price \(row open_time 1704153600000/,
    ],
    ['a negative close', '1,2,0.5,-1.5,10,,', /line 3: close "-1\.5" is not a positive price/],
    ['a negative zero high', '1,-0,0.5,1.5,10,,', /line 3: high "-0" is not a positive price/],
    ['a low of 0e5', '1,2,0e5,1.5,10,,', /line 3: low "0e5" is not a positive price/],
    [
      'an infinite high (1e999)',
      '1,1e999,0.5,1.5,10,,',
      /line 3: high "1e999" is not a finite number \(row open_time 1704153600000/,
    ],
    [
      'an infinite quote_volume (400 digits)',
      `1,2,0.5,1.5,10,${'9'.repeat(400)},`,
      /line 3: quote_volume "9{40}" is not a finite number/,
    ],
    [
      'NaN as a close',
      '1,2,0.5,NaN,10,,',
      /line 3: close "NaN" is not a number \(row open_time 1704153600000\)/,
    ],
    [
      'Infinity as a volume',
      '1,2,0.5,1.5,Infinity,,',
      /line 3: volume "Infinity" is not a number \(row open_time 1704153600000\)/,
    ],
  ])('%s is a DataError naming the file, the row and the field', async (_what, row, re) => {
    const text = `${HEADER}\n${D1},1,2,0.5,1.5,10,,\n${D2},${row}\n`;
    const dir = makeDir(minimal({ 'binance/klines-1d/BADUSDT.csv.gz': gzipSync(text) }));
    const err = await loadError(dir);
    expect(err.path).toBe(path.join(dir, 'binance', 'klines-1d', 'BADUSDT.csv.gz'));
    expect(err.message).toContain(`${path.join(dir, 'binance', 'klines-1d', 'BADUSDT.csv.gz')}: line 3: `);
    expect(err.message).toMatch(re);
  });

  it('real quirks still load: negative volume (BTTUSDT) and close > high (AUDUSDT), SOURCES.md quirks', async () => {
    const text = `${HEADER}\n${D1},1,2,0.5,2.5,-61596941261.09551616,,\n`;
    const ds = await loadDataset(makeDir(minimal({ 'binance/klines-1d/BTTUSDT.csv': text })));
    expect(ds.candlesOf('BTTUSDT')[0]).toMatchObject({
      volume: '-61596941261.09551616',
      close: '2.5',
      high: '2',
    });
  });
});

describe('loadDataset: DataError', () => {
  it('missing directory: names it and the expected layout', async () => {
    const dir = path.join(tmpdir(), 'definitely-not-here-3141592653');
    const err = await loadError(dir);
    expect(err.path).toBe(dir);
    expect(err.message).toContain(dir);
    expect(err.message).toMatch(/not found/);
    expect(err.message).toMatch(/expected layout: <dir>\/binance\/klines-1d\/<SYMBOL>\.csv\[\.gz\]/);
  });

  it('wrong layout (no binance/klines-1d): says what layout is expected', async () => {
    const dir = makeDir({ 'klines/AAAUSDT.csv': GOOD });
    const err = await loadError(dir);
    expect(err.path).toBe(path.join(dir, 'binance', 'klines-1d'));
    expect(err.message).toMatch(/missing daily-kline folder/);
    expect(err.message).toMatch(/expected layout/);
  });

  it('pointing at the binance/ folder itself gets a hint', async () => {
    const dir = makeDir(minimal());
    const err = await loadError(path.join(dir, 'binance'));
    expect(err.message).toMatch(/pass its parent directory/);
  });

  it('empty klines-1d folder', async () => {
    const dir = makeDir({ 'binance/klines-1d/README': 'x', 'binance/exchangeInfo.json': info(1, []) });
    expect((await loadError(dir)).message).toMatch(/no <SYMBOL>\.csv or <SYMBOL>\.csv\.gz files/);
  });

  it('missing exchangeInfo.json', async () => {
    const dir = makeDir({ 'binance/klines-1d/AAAUSDT.csv': GOOD });
    const err = await loadError(dir);
    expect(err.path).toBe(path.join(dir, 'binance', 'exchangeInfo.json'));
    expect(err.message).toMatch(/missing required file/);
  });

  it('corrupt gzip (bad magic, truncated stream)', async () => {
    const bad = makeDir(minimal({ 'binance/klines-1d/BBBUSDT.csv.gz': 'this is not gzip' }));
    const e1 = await loadError(bad);
    expect(e1.path).toBe(path.join(bad, 'binance', 'klines-1d', 'BBBUSDT.csv.gz'));
    expect(e1.message).toMatch(/BBBUSDT\.csv\.gz: corrupt: not a gzip file/);
    const gz = gzipSync(GOOD);
    const truncated = makeDir(
      minimal({ 'binance/klines-1d/BBBUSDT.csv.gz': gz.subarray(0, gz.length - 12) }),
    );
    expect((await loadError(truncated)).message).toMatch(/BBBUSDT\.csv\.gz: corrupt gzip/);
  });

  it('wrong header', async () => {
    const dir = makeDir(
      minimal({ 'binance/klines-1d/BBBUSDT.csv': GOOD.replace('open_time_ms', 'timestamp') }),
    );
    const err = await loadError(dir);
    expect(err.path).toMatch(/BBBUSDT\.csv$/);
    expect(err.message).toMatch(/BBBUSDT\.csv: wrong header: expected "open_time_ms,open,high/);
  });

  it.each([
    [
      'non-numeric open_time',
      `${HEADER}\n2024-01-01,1,2,0.5,1.5,10,,\n`,
      /line 2: open_time_ms "2024-01-01" is not an integer/,
    ],
    [
      'unsorted rows',
      `${HEADER}\n${D2},1,2,0.5,1.5,10,,\n${D1},1,2,0.5,1.5,10,,\n`,
      /line 3: .*not after the previous row/,
    ],
    [
      'duplicate rows',
      `${HEADER}\n${D1},1,2,0.5,1.5,10,,\n${D1},1,2,0.5,1.5,10,,\n`,
      /line 3: .*strictly ascending/,
    ],
    ['a missing field', `${HEADER}\n${D1},1,2,0.5,1.5,10,\n`, /line 2: expected 8 fields, got 7/],
    ['a non-numeric price', `${HEADER}\n${D1},1,abc,0.5,1.5,10,,\n`, /line 2: high "abc" is not a number/],
    ['an empty close', `${HEADER}\n${D1},1,2,0.5,,10,,\n`, /line 2: close "" is not a number/],
    [
      'a fractional trades count',
      `${HEADER}\n${D1},1,2,0.5,1.5,10,,1.5\n`,
      /line 2: trades "1.5" is not an integer/,
    ],
    [
      'an open time that is not 00:00 UTC',
      `${HEADER}\n${D1 + 3_600_000},1,2,0.5,1.5,10,,\n`,
      /line 2: .*is not 00:00 UTC/,
    ],
    [
      'an empty line inside',
      `${HEADER}\n${D1},1,2,0.5,1.5,10,,\n\n${D2},1,2,0.5,1.5,10,,\n`,
      /line 3: empty line/,
    ],
  ])('a kline file with %s', async (_what, text, re) => {
    const dir = makeDir(minimal({ 'binance/klines-1d/BBBUSDT.csv.gz': gzipSync(text) }));
    const err = await loadError(dir);
    expect(err.path).toBe(path.join(dir, 'binance', 'klines-1d', 'BBBUSDT.csv.gz'));
    expect(err.message).toMatch(re);
    expect(() => parseKlineCsv(text, 'x.csv')).toThrow(DataError);
  });

  it('corrupt exchangeInfo (not JSON, no symbols)', async () => {
    const a = makeDir(minimal({ 'binance/exchangeInfo.json': '{"symbols": [' }));
    expect((await loadError(a)).message).toMatch(/exchangeInfo\.json: corrupt: not valid JSON/);
    const b = makeDir(minimal({ 'binance/exchangeInfo.json': '{"serverTime": 1}' }));
    expect((await loadError(b)).message).toMatch(/no "symbols" array/);
  });

  it('corrupt CMC file (wrong header) and symbols.csv (wrong header)', async () => {
    const a = makeDir(
      minimal({ 'marketcap/cmc_monthly_top200_2020-01_to_2025-10.csv': 'rank,coin\n1,BTC\n' }),
    );
    expect((await loadError(a)).message).toMatch(/cmc_monthly_top200_2020-01_to_2025-10\.csv: wrong header/);
    const b = makeDir(minimal({ 'binance/symbols.csv.gz': gzipSync('sym,base\nAAAUSDT,AAA\n') }));
    expect((await loadError(b)).message).toMatch(/symbols\.csv\.gz: wrong header/);
  });
});

describe('loadDataset: files, formats and optional parts', () => {
  it('reads plain and gzipped files alike; the plain one wins when both exist', async () => {
    const plainBetter = GOOD.replace(',1.5,10,15.5,7', ',1.5,99,15.5,7');
    const dir = makeDir(
      minimal({
        'binance/klines-1d/AAAUSDT.csv': plainBetter,
        'binance/klines-1d/AAAUSDT.csv.gz': gzipSync(GOOD),
        'binance/klines-1d/CCCUSDT.csv.gz': gzipSync(GOOD.replace(/\n/g, '\r\n')), // CRLF tolerated
      }),
    );
    const ds = await loadDataset(dir);
    expect(ds.candlesOf('AAAUSDT')[0]?.volume).toBe('99');
    expect(ds.candlesOf('CCCUSDT')).toEqual([
      {
        openTime: D1,
        open: '1.0',
        high: '2.0',
        low: '0.5',
        close: '1.5',
        volume: '10',
        quoteVolume: '15.5',
        trades: 7,
      },
      {
        openTime: D2,
        open: '1.5',
        high: '1.6',
        low: '1.4',
        close: '1.55',
        volume: '3',
        quoteVolume: null,
        trades: null,
      },
    ]);
  });

  it('missing CMC file: empty market caps and a warning, no error', async () => {
    const ds = await loadDataset(makeDir(minimal()));
    expect(ds.marketCaps.size).toBe(0);
    expect((await ds.marketCaps.capsAt(D1, 45)).size).toBe(0);
    expect(ds.warnings.join('\n')).toMatch(/cmc_monthly_top200_2020-01_to_2025-10\.csv\[\.gz\] not found/);
  });

  it('base asset: exchangeInfo, else symbols.csv, else the name minus a known quote suffix', async () => {
    const dir = makeDir(
      minimal({
        'binance/klines-1d/0GUSDT.csv': GOOD,
        'binance/klines-1d/FOOUSDT.csv': GOOD,
        'binance/symbols.csv': 'symbol,base_asset,is_leveraged_token\n0GUSDT,0G,0\n',
      }),
    );
    const ds = await loadDataset(dir);
    expect(await ds.symbols()).toEqual([
      { symbol: '0GUSDT', baseAsset: '0G', quoteAsset: 'USDT' },
      { symbol: 'AAAUSDT', baseAsset: 'AAA', quoteAsset: 'USDT' },
      { symbol: 'FOOUSDT', baseAsset: 'FOO', quoteAsset: 'USDT' },
    ]);
  });

  it('a header-only kline file loads as a known symbol without candles', async () => {
    const ds = await loadDataset(makeDir(minimal({ 'binance/klines-1d/EMPTYUSDT.csv': `${HEADER}\n` })));
    expect(ds.hasSymbol('EMPTYUSDT')).toBe(true);
    expect(ds.candlesOf('EMPTYUSDT')).toEqual([]);
    expect((await ds.symbols()).map((s) => s.symbol)).toEqual(['AAAUSDT']);
    expect(await ds.coverage()).toEqual({ firstDayMs: D1, lastDayMs: D2 });
  });
});

describe('symbolRules: strategy-semantics.md §6 branches', () => {
  /** The §6 rules of `symbol` as read from the exchangeInfo snapshot of `snapshotDay` (its `source`). */
  const rulesFrom = (symbol: string, snapshotDay: string, rules: Omit<SymbolRules, 'symbol' | 'source'>) => ({
    symbol,
    ...rules,
    source: `exchangeInfo ${snapshotDay}`,
  });
  it('MARKET_LOT_SIZE.stepSize > 0 wins (with its minQty); NOTIONAL without applyMinToMarket falls to MIN_NOTIONAL / 0', async () => {
    const dir = makeDir(
      minimal({
        'binance/exchangeInfo.json': info(Date.UTC(2023, 8, 8), [
          sym('MKTUSDT', [
            { filterType: 'LOT_SIZE', minQty: '0.001', maxQty: '9', stepSize: '0.001' },
            { filterType: 'MARKET_LOT_SIZE', minQty: '0.01', maxQty: '9', stepSize: '0.01' },
            { filterType: 'NOTIONAL', minNotional: '5', applyMinToMarket: false },
          ]),
          sym('LEGUSDT', [
            { filterType: 'PRICE_FILTER', tickSize: '0.0001' },
            { filterType: 'LOT_SIZE', minQty: '1', stepSize: '1' },
            { filterType: 'MARKET_LOT_SIZE', minQty: '0', stepSize: '0.00000000' },
            { filterType: 'MIN_NOTIONAL', minNotional: '10.00000000', applyToMarket: true },
          ]),
          sym('OFFUSDT', [
            { filterType: 'LOT_SIZE', minQty: '1', stepSize: '1' },
            { filterType: 'MIN_NOTIONAL', minNotional: '10', applyToMarket: false },
          ]),
        ]),
      }),
    );
    const ds = await loadDataset(dir);
    const mkt = { stepSize: '0.01', minQty: '0.01', minNotional: '0', tickSize: '0' };
    expect(await ds.symbolRules('MKTUSDT')).toEqual(rulesFrom('MKTUSDT', '2023-09-08', mkt));
    expect(await ds.symbolRules('LEGUSDT')).toMatchObject({
      stepSize: '1',
      minQty: '1',
      minNotional: '10.00000000',
      tickSize: '0.0001',
    });
    expect((await ds.symbolRules('OFFUSDT')).minNotional).toBe('0');
  });

  it('newest snapshot listing the symbol: a symbol only in the 2022-11-28 snapshot gets its legacy MIN_NOTIONAL', async () => {
    // No USDT symbol of the real data is listed only in the 2022 snapshot (checked: every USDT symbol of
    // exchangeInfo-2022-11-28.json is also in exchangeInfo.json), so drop BTCUSDT from the real 2023
    // snapshot and keep the real 2022 one: BTCUSDT 2022-11-28 has MIN_NOTIONAL 10.00000000 applyToMarket
    // (shared/data/SOURCES.md §5), LOT_SIZE stepSize 0.00001000, MARKET_LOT_SIZE stepSize 0.00000000.
    const read = (f: string) =>
      JSON.parse(gunzipSync(readFileSync(path.join(BUNDLED, 'binance', f))).toString());
    const y2023 = read('exchangeInfo.json.gz');
    y2023.symbols = y2023.symbols.filter((s: { symbol: string }) => s.symbol !== 'BTCUSDT');
    const dir = makeDir({
      'binance/klines-1d/BTCUSDT.csv': GOOD,
      'binance/exchangeInfo.json': JSON.stringify(y2023),
      'binance/exchangeInfo-2022-11-28.json.gz': readFileSync(
        path.join(BUNDLED, 'binance', 'exchangeInfo-2022-11-28.json.gz'),
      ),
    });
    const ds = await loadDataset(dir);
    const btc2022 = {
      stepSize: '0.00001000',
      minQty: '0.00001000',
      minNotional: '10.00000000',
      tickSize: '0.01000000',
    };
    expect(await ds.symbolRules('BTCUSDT')).toEqual(rulesFrom('BTCUSDT', '2022-11-28', btc2022));
    // ETHUSDT is in both: the newer (2023, NOTIONAL 5) wins over the 2022 MIN_NOTIONAL 10.
    expect(await ds.symbolRules('ETHUSDT')).toMatchObject({
      source: 'exchangeInfo 2023-09-08',
      minNotional: '5.00000000',
    });
  });
});
