/**
 * No look-ahead: whatever happens after day D cannot change anything decided or valued up to D. A copy of
 * the bundled real data has every candle after D perturbed (prices × a pseudo-random factor in [0.3, 3],
 * volumes changed, every 5th candle after D deleted — which also creates and removes §2 splits after D);
 * the backtest over a period that runs past D must give identical trades, rejections, equity and holdings
 * up to D on both datasets (and different ones after D, so the perturbation does bite).
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import {
  type BacktestEngine,
  type BacktestMarket,
  backtestMarketOf,
  runBacktest,
} from '../../../src/app/backtest.ts';
import type { BacktestResult } from '../../../src/app/backtest-result.ts';
import { settingsFrom } from '../../../src/compose/settings.ts';
import { loadConfig, type Overrides } from '../../../src/config/loader.ts';
import { buildBacktestMarket } from '../../../src/domain/backtest/market.ts';
import { dayToMs } from '../../../src/domain/time.ts';
import type { Candle } from '../../../src/domain/types.ts';
import { findSegmentSplits } from '../../../src/domain/universe/segments.ts';

const DATA = fileURLToPath(new URL('../../../data/', import.meta.url));
const D = '2021-03-15';

let dataset: Dataset;
let original: BacktestMarket;
let perturbed: BacktestMarket;

function perturb(candles: readonly Candle[], afterMs: number, seed: number): Candle[] {
  let x = seed;
  const rand = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const out: Candle[] = [];
  candles.forEach((c, k) => {
    if (c.openTime <= afterMs) {
      out.push(c);
      return;
    }
    if (k % 5 === 0) return; // deleted
    const f = 0.3 + 2.7 * rand();
    const p = (s: string) => (Number(s) * f).toFixed(8);
    out.push({
      ...c,
      open: p(c.open),
      high: p(c.high),
      low: p(c.low),
      close: p(c.close),
      volume: (Number(c.volume) * (0.1 + rand())).toFixed(4),
      quoteVolume: c.quoteVolume === null ? null : (Number(c.quoteVolume) * (0.1 + rand())).toFixed(4),
    });
  });
  return out;
}

beforeAll(async () => {
  dataset = await loadDataset(DATA);
  original = backtestMarketOf(dataset);
  const afterMs = dayToMs(D);
  const candles = new Map(
    dataset.symbolList().map((s, i) => [s.symbol, perturb(dataset.candlesOf(s.symbol), afterMs, 1 + i)]),
  );
  perturbed = buildBacktestMarket({
    symbols: dataset.symbolList(),
    firstDayMs: dataset.firstDayMs,
    lastDayMs: dataset.lastDayMs,
    candlesOf: (s) => candles.get(s) ?? [],
    segmentInfoOf: (s) => {
      const c = candles.get(s) ?? [];
      return { firstOpenTime: c[0]?.openTime ?? null, splits: findSegmentSplits(c) };
    },
    rulesOf: (s) => dataset.rulesOf(s),
    capsAt: (ms, age) => dataset.marketCaps.capsAtSync(ms, age),
  });
});

const upTo = (r: BacktestResult) => ({
  trades: r.trades.filter((t) => t.date <= D),
  rejected: r.rejected.filter((t) => t.date <= D),
  equity: r.equity.filter((p) => p.date <= D),
  btc: r.benchmark_equity.btc_hold.filter((p) => p.date <= D),
  ew: r.benchmark_equity.equal_weight.filter((p) => p.date <= D),
  holdings: r.holdings.filter((p) => p.date <= D),
});

const CASES: [string, Overrides, BacktestEngine][] = [
  ['defaults (full, daily), fast engine', {}, 'fast'],
  [
    'delta, min_quote_volume, min_market_cap, every 2 days, fast engine',
    {
      portfolio: { rebalance_mode: 'delta' },
      universe: { min_quote_volume: '2000000', min_market_cap: '100000000' },
      strategy: { rebalance_every_days: '2' },
    },
    'fast',
  ],
  ['defaults, reference engine (the domain functions)', { strategy: { top_n: '5' } }, 'reference'],
];

describe.each(CASES)('no look-ahead: %s', (_name, over, engine) => {
  it(`perturbing every candle after ${D} changes nothing up to ${D}`, () => {
    const settings = settingsFrom(loadConfig({ env: {}, overrides: over }).config);
    const from = '2021-02-01';
    const to = engine === 'reference' ? '2021-03-25' : '2021-04-30';
    const a = runBacktest(original, { settings, from, to, engine }).result;
    const b = runBacktest(perturbed, { settings, from, to, engine }).result;
    const pa = upTo(a);
    const pb = upTo(b);
    expect(pa.trades.length).toBeGreaterThan(0);
    expect(pa.equity.length).toBe(44); // 2021-01-31 .. 2021-03-15: 1 + 28 + 15 days
    expect(pb).toEqual(pa);
    // ... and the perturbation does change what comes after D.
    expect(b.equity.filter((p) => p.date > D)).not.toEqual(a.equity.filter((p) => p.date > D));
  });
});
