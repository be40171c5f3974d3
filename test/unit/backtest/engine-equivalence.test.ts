/**
 * The fast engine (float ranking columns, exact bigint book: src/domain/backtest/) against the reference
 * engine (evaluateUniverse + rankUniverse + planSells/planBuys + SimExchange + applyFill, decimal.js:
 * src/app/backtest-reference.ts) on the bundled real data: whole backtests, benchmarks included, must give
 * the same trades and rejections (every decimal string), the same equity floats on every day for the
 * strategy and both benchmarks (exact decimals, then one correct rounding), and — for the floats that are not
 * equity — holdings values and metrics equal to 1e-12 relative (the fast book forms the per-fill notional
 * and fee floats and the holdings values in float arithmetic from its exact factors; the reference rounds
 * its exact decimals once).
 *
 * The periods cover token swaps (COCOS ×1000 on 2021-01-23, held through its halt with the include list;
 * LUNA → Terra 2.0 on 2022-05-31), every filter, both modes, slippage, odd fee rates, cash buffer and band.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { type BacktestMarket, backtestMarketOf, runBacktest } from '../../../src/app/backtest.ts';
import { ReferenceBook, ReferenceUniverse } from '../../../src/app/backtest-reference.ts';
import type { BacktestMetrics, HoldingsPoint } from '../../../src/app/backtest-result.ts';
import { settingsFrom } from '../../../src/compose/settings.ts';
import { loadConfig, type Overrides } from '../../../src/config/loader.ts';
import { simulate } from '../../../src/domain/backtest/simulate.ts';
import { dayToMs } from '../../../src/domain/time.ts';
import { fullRebalanceBook, MOMENTUM_7D_ALL_PAIRS } from '../../support/backtest-params.ts';

const DATA = fileURLToPath(new URL('../../../data/', import.meta.url));
let market: BacktestMarket;

beforeAll(async () => {
  market = backtestMarketOf(await loadDataset(DATA));
});

const settings = (o: Overrides) => settingsFrom(loadConfig({ env: {}, overrides: o }).config);

const CASES: [string, Overrides, string, string][] = [
  ['defaults: momentum top 10, full, daily', {}, '2021-01-01', '2021-03-31'],
  [
    'delta, band 0.1, cash buffer 0.05, top 5, every 3 days, slippage 3.7 bps, fee 0.00075',
    {
      strategy: { top_n: '5', rebalance_every_days: '3' },
      portfolio: { rebalance_mode: 'delta', band: '0.1', cash_buffer: '0.05' },
      execution: { slippage_bps: '3.7', fee_rate: '0.00075' },
    },
    '2020-06-01',
    '2020-09-30',
  ],
  [
    'reversal, L = 14, min_quote_volume 1e6, top 8, slippage 10 bps (LUNA swap)',
    {
      strategy: { mode: 'reversal', lookback_days: '14', top_n: '8' },
      universe: { min_quote_volume: '1000000' },
      execution: { slippage_bps: '10' },
    },
    '2022-04-15',
    '2022-07-15',
  ],
  [
    'COCOS held through its ×1000 swap (include list, full)',
    {
      strategy: { top_n: '3', lookback_days: '3' },
      universe: { min_age_days: '0', include: 'COCOSUSDT,BTCUSDT,ETHUSDT' },
    },
    '2021-01-10',
    '2021-02-10',
  ],
  [
    'COCOS held through its ×1000 swap (include list, delta)',
    {
      strategy: { top_n: '3', lookback_days: '3' },
      universe: { min_age_days: '0', include: 'COCOSUSDT,BTCUSDT,ETHUSDT' },
      portfolio: { rebalance_mode: 'delta' },
    },
    '2021-01-10',
    '2021-02-10',
  ],
  [
    'min_market_cap 1e9, delta without band, cash buffer 0.02',
    {
      universe: { min_market_cap: '1000000000' },
      portfolio: { rebalance_mode: 'delta', cash_buffer: '0.02' },
    },
    '2021-06-01',
    '2021-07-31',
  ],
  [
    'entry_filter sma_trend 5/20 (no_trend, §11), top 5, delta (LUNA swap)',
    {
      strategy: { top_n: '5' },
      portfolio: { rebalance_mode: 'delta' },
      signals: { entry_filter: 'sma_trend', entry_sma_fast: '5', entry_sma_slow: '20' },
    },
    '2022-04-15',
    '2022-07-15',
  ],
  [
    'entry_filter breakout 10 days (no_trend, §11), top 3',
    { strategy: { top_n: '3' }, signals: { entry_filter: 'breakout', entry_breakout_days: '10' } },
    '2021-01-01',
    '2021-03-31',
  ],
];

function expectMetricsClose(a: BacktestMetrics, b: BacktestMetrics, where: string): void {
  for (const k of Object.keys(b) as (keyof BacktestMetrics)[]) {
    const x = a[k];
    const y = b[k];
    if (x === null || y === null) expect(x, `${where} ${k}`).toBe(y);
    else
      expect(Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(y)), `${where} ${k}: ${x} vs ${y}`).toBe(true);
  }
}

/** Same days and assets; values (report floats) within 1e-12 relative. */
function expectHoldingsClose(a: readonly HoldingsPoint[], b: readonly HoldingsPoint[]): void {
  expect(a.map((h) => [h.date, Object.keys(h.values)])).toEqual(
    b.map((h) => [h.date, Object.keys(h.values)]),
  );
  a.forEach((h, k) => {
    for (const [asset, v] of Object.entries(h.values)) {
      const w = (b[k] as HoldingsPoint).values[asset] as number;
      expect(Math.abs(v - w) <= 1e-12 * Math.abs(w), `${h.date} ${asset}: ${v} vs ${w}`).toBe(true);
    }
  });
}

describe.each(CASES)('fast engine = reference engine: %s', (_name, over, from, to) => {
  it('identical trades, rejections, equity curves and holdings; metrics to 1e-12', () => {
    const s = settings(over);
    const fast = runBacktest(market, { settings: s, from, to, engine: 'fast' });
    const ref = runBacktest(market, { settings: s, from, to, engine: 'reference' });
    expect(fast.engine).toBe('fast');
    expect(ref.engine).toBe('reference');
    const f = fast.result;
    const r = ref.result;
    expect(f.trades.length).toBeGreaterThan(0);
    expect(f.trades).toEqual(r.trades);
    expect(f.rejected).toEqual(r.rejected);
    expect(f.equity).toEqual(r.equity);
    expect(f.benchmark_equity).toEqual(r.benchmark_equity);
    expectHoldingsClose(f.holdings, r.holdings);
    expect(fast.exact).toEqual(ref.exact);
    expectMetricsClose(f.metrics, r.metrics, 'strategy');
    expectMetricsClose(f.benchmarks.btc_hold, r.benchmarks.btc_hold, 'btc_hold');
    expectMetricsClose(f.benchmarks.equal_weight, r.benchmarks.equal_weight, 'equal_weight');
  });
});

describe('the swap cases really cross a swap', () => {
  it('COCOS is held across 2021-01-19 → 2021-01-23 and sold after the ×1000 conversion', () => {
    const s = settings(CASES[3]?.[1] ?? {});
    const r = runBacktest(market, { settings: s, from: '2021-01-10', to: '2021-02-10' }).result;
    const held = r.holdings.filter((h) => h.date >= '2021-01-20' && h.date <= '2021-01-22');
    expect(held.length).toBe(3);
    for (const h of held) expect(h.values.COCOS).toBeGreaterThan(0);
    const sell = r.trades.find(
      (t) => t.symbol === 'COCOSUSDT' && t.side === 'SELL' && t.date >= '2021-01-23',
    );
    expect(sell).toBeDefined();
    expect(r.rejected).toContainEqual({
      date: '2021-01-20',
      symbol: 'COCOSUSDT',
      side: 'SELL',
      reason: 'no_price',
    });
  });
});

describe('accounting identity of the reference book (README "Accounting")', () => {
  it('equity − initial_quote = realized + unrealized P/L, exactly, after a quarter of daily rebalances', () => {
    const s = settings({ strategy: { top_n: '5' }, execution: { slippage_bps: '2' } });
    const book = new ReferenceBook(market, fullRebalanceBook(s, false));
    const ranker = new ReferenceUniverse(market, MOMENTUM_7D_ALL_PAIRS);
    const from = market.dayIndex(dayToMs('2021-01-10'));
    const to = market.dayIndex(dayToMs('2021-04-10'));
    simulate({ from, to, everyDays: 1 }, ranker, [
      { book, trade: { kind: 'rebalance', topN: 5 }, values: false },
    ]);
    const id = book.accountingIdentity(to);
    expect(id.total).toBe(id.realizedPlusUnrealized);
    expect(book.ledger.notionals.length).toBeGreaterThan(500);
  });
});
