/**
 * A backtest lays out only the days it reads (`backtestWindow`: from `from − lookback_days − 1` to `to`);
 * listing ages and §2 segments still come from the whole series (segment starts before the window are
 * negative day indices). The results must be identical to those on the whole data, for both engines, and
 * the fast universe must still agree with `evaluateUniverse` (which, given the splits and first open time,
 * accepts windowed candles by contract).
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import {
  type BacktestMarket,
  backtestMarketOf,
  backtestWindow,
  runBacktest,
} from '../../../src/app/backtest.ts';
import { ReferenceUniverse } from '../../../src/app/backtest-reference.ts';
import { settingsFrom } from '../../../src/compose/settings.ts';
import { loadConfig } from '../../../src/config/loader.ts';
import { FastUniverse } from '../../../src/domain/backtest/fast-universe.ts';
import { dayToMs } from '../../../src/domain/time.ts';

const DATA = fileURLToPath(new URL('../../../data/', import.meta.url));
let dataset: Dataset;
let full: BacktestMarket;

beforeAll(async () => {
  dataset = await loadDataset(DATA);
  full = backtestMarketOf(dataset);
});

const PERIODS: [string, string, number][] = [
  ['2021-01-01', '2021-03-31', 7],
  ['2021-01-21', '2021-02-20', 3], // COCOS's new segment starts 2021-01-23, inside the window
  ['2022-06-01', '2022-07-15', 14], // LUNA's new segment (2022-05-31) starts just before the window
];

describe.each(PERIODS)('windowed market %s .. %s (lookback %i)', (from, to, L) => {
  it('same results as on the whole data (fast and reference engines)', () => {
    const settings = settingsFrom(
      loadConfig({
        env: {},
        overrides: { strategy: { lookback_days: String(L), top_n: '5' }, universe: { min_age_days: '20' } },
      }).config,
    );
    const window = backtestWindow(from, to, L);
    const win = backtestMarketOf(dataset, window);
    expect(win.firstDayMs).toBe(window.fromMs);
    expect(win.nDays).toBeLessThan(full.nDays / 10);
    for (const engine of ['fast', 'reference'] as const) {
      const a = runBacktest(full, { settings, from, to, engine }).result;
      const b = runBacktest(win, { settings, from, to, engine }).result;
      expect(b.trades).toEqual(a.trades);
      expect(b.rejected).toEqual(a.rejected);
      expect(b.equity).toEqual(a.equity);
      expect(b.benchmark_equity).toEqual(a.benchmark_equity);
      expect(b.holdings).toEqual(a.holdings);
      expect(b.metrics).toEqual(a.metrics);
    }
  });

  it('the fast universe decides as evaluateUniverse on the windowed candles, every day', () => {
    const params = {
      quoteAsset: 'USDT',
      lookbackDays: L,
      minAgeDays: 20,
      minMarketCap: 0,
      minQuoteVolume: 1e6,
      exclude: [],
      include: [],
      mode: 'momentum' as const,
    };
    const win = backtestMarketOf(dataset, backtestWindow(from, to, L));
    const fast = new FastUniverse(win, params);
    const ref = new ReferenceUniverse(win, params);
    for (let d = win.dayIndex(dayToMs(from)); d <= win.dayIndex(dayToMs(to)); d++) {
      expect(fast.select(d, Number.POSITIVE_INFINITY), win.date(d)).toEqual(
        ref.select(d, Number.POSITIVE_INFINITY),
      );
    }
  });
});
