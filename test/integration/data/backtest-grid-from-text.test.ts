/**
 * Issue 9 step 0 (load speed): `backtestMarketOf` on the bundled `Dataset` lays the day grid out straight
 * from the kline file text (`Dataset.priceRowsBetween`, no `Candle` object per row) and builds a symbol's
 * candles only when `SymbolSeries.candles` is first read. This holds that path to the one it replaced —
 * the grid built from the candles themselves (`buildBacktestMarket` without `priceRowsOf`) — on the real
 * bundled data (data/, 592 files), whole data and a backtest window: every column equal, candles equal.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { backtestMarketOf, gridDaysOf } from '../../../src/app/backtest.ts';
import { type BacktestMarket, buildBacktestMarket } from '../../../src/domain/backtest/market.ts';
import { dayToMs } from '../../../src/domain/time.ts';

let ds: Dataset;
beforeAll(async () => {
  ds = await loadDataset(new URL('../../../data', import.meta.url).pathname);
}, 60_000);

/** The grid built from candles only (the reference: no priceRowsOf). */
function fromCandles(window?: { fromMs: number; toMs: number }): BacktestMarket {
  const { firstDayMs, lastDayMs } = gridDaysOf(ds, window);
  return buildBacktestMarket({
    symbols: ds.symbolList(),
    firstDayMs,
    lastDayMs,
    candlesOf: (s) => ds.candlesBetween(s, firstDayMs, lastDayMs),
    segmentInfoOf: (s) => ds.segmentInfoOf(s),
    rulesOf: (s) => ds.rulesOf(s),
    capsAt: (dayMs, maxAge) => ds.marketCaps.capsAtSync(dayMs, maxAge),
  });
}

/** Index of the first element where two float/int arrays differ (NaN equals NaN), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectSameGrid(lazy: BacktestMarket, eager: BacktestMarket): void {
  expect(lazy.nDays).toBe(eager.nDays);
  expect(lazy.firstDayMs).toBe(eager.firstDayMs);
  expect(firstDifference(lazy.closeByDay, eager.closeByDay)).toBe(-1);
  expect(firstDifference(lazy.segmentByDay, eager.segmentByDay)).toBe(-1);
  expect(lazy.series.length).toBe(592);
  for (let i = 0; i < lazy.series.length; i++) {
    const a = lazy.series[i];
    const b = eager.series[i];
    if (!a || !b) throw new Error(`series ${i} missing`);
    for (const key of [
      'at',
      'atOrBefore',
      'close',
      'openMantissa',
      'closeMantissa',
      'segmentStart',
    ] as const) {
      expect({ symbol: a.info.symbol, key, diff: firstDifference(a[key], b[key]) }).toEqual({
        symbol: a.info.symbol,
        key,
        diff: -1,
      });
    }
  }
  // Candles built on first read are the candles the eager grid holds (a few symbols, all fields).
  for (const symbol of ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'XRPUSDT']) {
    const i = lazy.indexOf.get(symbol) as number;
    expect(lazy.series[i]?.candles).toEqual(eager.series[i]?.candles);
    expect(lazy.series[i]?.candles.length).toBeGreaterThan(0);
  }
  // quoteVolumeByDay reads every candle: equal too.
  expect(firstDifference(lazy.quoteVolumeByDay(), eager.quoteVolumeByDay())).toBe(-1);
}

describe('backtest day grid from the kline text vs from candles (bundled data)', () => {
  it('is identical over the whole data', () => {
    expectSameGrid(backtestMarketOf(ds), fromCandles());
  });

  it('is identical over a backtest window (2023-03-05 → 2024-01-31)', () => {
    const window = { fromMs: dayToMs('2023-03-05'), toMs: dayToMs('2024-01-31') };
    const lazy = backtestMarketOf(ds, window);
    expect(lazy.nDays).toBe(333); // 2023-03-05..2024-01-31 inclusive, counted by hand: 27+30+31+30+31+31+30+31+30+31+31
    expectSameGrid(lazy, fromCandles(window));
  });
});
