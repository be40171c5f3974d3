/**
 * The bundled copy (data/, written by scripts/bundle-data.mjs) against its source, shared/data
 * (../shared/data relative to the repo root): CSVs byte-identical after gunzip, exchangeInfo = the
 * USDT-quoted subset with every kept object unchanged, sha256 list in data/SOURCES.md, size budget.
 * Skipped (with the reason in the suite name) when ../shared/data is not present.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLED = path.join(REPO, 'data');
const SHARED = path.resolve(REPO, '../shared/data');
const haveShared = existsSync(path.join(SHARED, 'binance', 'klines-1d'));

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

describe('bundled data/: layout and size', () => {
  it('is at most 30 MB (issue 9 step 0) and has only gzipped data files plus SOURCES.md', () => {
    expect(dirBytes(BUNDLED)).toBeLessThanOrEqual(30 * 1024 * 1024);
    // shared/data/SOURCES.md: 592 daily files (§1 + §1b), 39 hourly files (§2)
    const klines = readdirSync(path.join(BUNDLED, 'binance', 'klines-1d'));
    expect(klines).toHaveLength(592);
    expect(klines.every((f) => f.endsWith('.csv.gz'))).toBe(true);
    const hourly = readdirSync(path.join(BUNDLED, 'binance', 'klines-1h'));
    expect(hourly).toHaveLength(39);
    expect(hourly.every((f) => f.endsWith('.csv.gz'))).toBe(true);
    expect(readdirSync(path.join(BUNDLED, 'binance')).sort()).toEqual([
      'exchangeInfo-2022-11-28.json.gz',
      'exchangeInfo.json.gz',
      'klines-1d',
      'klines-1h',
      'symbols.csv.gz',
    ]);
    expect(readdirSync(path.join(BUNDLED, 'marketcap'))).toEqual([
      'cmc_monthly_top200_2020-01_to_2025-10.csv.gz',
    ]);
    const sources = readFileSync(path.join(BUNDLED, 'SOURCES.md'), 'utf8');
    expect(sources).toMatch(/node scripts\/bundle-data\.mjs/);
    expect(sources).toMatch(/klines-1h/);
    expect(sources).toMatch(/closes-1d/); // says the close-only series are not bundled
  });
});

describe.skipIf(!haveShared)(
  `bundled data/ equals shared/data${haveShared ? '' : ` — SKIPPED: ${SHARED} not found (the shared source copy is not on this machine)`}`,
  () => {
    it('every daily and hourly kline file is byte-identical after gunzip (592 + 39), and the listings are the same', () => {
      for (const folder of ['klines-1d', 'klines-1h']) {
        const shared = readdirSync(path.join(SHARED, 'binance', folder)).sort();
        const bundled = readdirSync(path.join(BUNDLED, 'binance', folder)).sort();
        expect(bundled).toEqual(shared.map((f) => `${f}.gz`));
        for (const f of shared) {
          const a = readFileSync(path.join(SHARED, 'binance', folder, f));
          const b = gunzipSync(readFileSync(path.join(BUNDLED, 'binance', folder, `${f}.gz`)));
          if (!a.equals(b)) throw new Error(`${folder}/${f} differs`);
        }
      }
    });

    it('CMC top-200 file and symbols.csv are byte-identical after gunzip', () => {
      for (const rel of ['marketcap/cmc_monthly_top200_2020-01_to_2025-10.csv', 'binance/symbols.csv']) {
        const a = readFileSync(path.join(SHARED, rel));
        const b = gunzipSync(readFileSync(path.join(BUNDLED, `${rel}.gz`)));
        expect(a.equals(b), rel).toBe(true);
      }
    });

    it('exchangeInfo: same top-level fields, symbols = the USDT-quoted originals, unchanged and in order', () => {
      for (const f of ['exchangeInfo.json', 'exchangeInfo-2022-11-28.json']) {
        const orig = JSON.parse(readFileSync(path.join(SHARED, 'binance', f), 'utf8'));
        const bund = JSON.parse(
          gunzipSync(readFileSync(path.join(BUNDLED, 'binance', `${f}.gz`))).toString('utf8'),
        );
        expect(Object.keys(bund)).toEqual([
          'timezone',
          'serverTime',
          'rateLimits',
          'exchangeFilters',
          'symbols',
        ]);
        expect(Object.keys(bund)).toEqual(Object.keys(orig));
        for (const k of ['timezone', 'serverTime', 'rateLimits', 'exchangeFilters'])
          expect(bund[k], k).toEqual(orig[k]);
        const usdt = orig.symbols.filter((s: { quoteAsset: string }) => s.quoteAsset === 'USDT');
        expect(bund.symbols).toEqual(usdt);
        expect(bund.symbols.length).toBeGreaterThan(400);
      }
    });

    it('data/SOURCES.md lists the sha256 of every original', () => {
      const sources = readFileSync(path.join(BUNDLED, 'SOURCES.md'), 'utf8');
      const files = [
        ...readdirSync(path.join(SHARED, 'binance', 'klines-1d')).map((f) => `binance/klines-1d/${f}`),
        ...readdirSync(path.join(SHARED, 'binance', 'klines-1h')).map((f) => `binance/klines-1h/${f}`),
        'binance/exchangeInfo.json',
        'binance/exchangeInfo-2022-11-28.json',
        'binance/symbols.csv',
        'marketcap/cmc_monthly_top200_2020-01_to_2025-10.csv',
      ];
      for (const rel of files) {
        const sha = createHash('sha256')
          .update(readFileSync(path.join(SHARED, rel)))
          .digest('hex');
        if (!sources.includes(`| \`${rel}\` |`) || !sources.includes(sha))
          throw new Error(`${rel}: ${sha} not listed`);
      }
      // shared/data/SOURCES.md §5 states these two
      expect(sources).toContain('80388e94fd4085c1fce7094476a34e6eca5295b0d93fed27dd72fab126c1d564');
      expect(sources).toContain('73a375c75c938d0cc7187241677932246306870585b837fbed8d0a784ddbba8d');
    });

    it('the reader gives the same candles, rules and caps from both directories', async () => {
      const symbols = ['BTCUSDT', 'ETHUSDT', 'VENUSDT', 'BTTUSDT', 'LUNAUSDT', 'AUDUSDT'];
      const [a, b] = await Promise.all([loadDataset(SHARED, { symbols }), loadDataset(BUNDLED, { symbols })]);
      expect(await a.symbols()).toEqual(await b.symbols());
      for (const s of symbols) {
        expect(a.candlesOf(s), s).toEqual(b.candlesOf(s));
        expect(await a.symbolRules(s), s).toEqual(await b.symbolRules(s));
      }
      const day = Date.UTC(2024, 11, 1);
      expect(await a.marketCaps.capsAt(day, 45)).toEqual(await b.marketCaps.capsAt(day, 45));
      expect(await a.coverage()).toEqual(await b.coverage());
    });
  },
);
