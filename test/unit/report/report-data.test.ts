/**
 * Data of the HTML backtest report after the fixes a new user asked for (issue 12 item 5), with
 * hand-computed expectations:
 * - holdings by rank: a rotating basket keeps every holding on its own rank (no "other" band unless a
 *   day holds more than HOLDINGS_TOP_ASSETS assets), and the tooltip can name each rank's asset;
 * - turnover per month = Σ notional / the month's mean equity, and the running fees;
 * - the equity chart opens on a log scale when the values span more than 10×.
 */
import { describe, expect, it } from 'vitest';
import type { BacktestTrade } from '../../../src/app/backtest-result.ts';
import {
  HOLDINGS_TOP_ASSETS,
  holdingsWeights,
  logScaleByDefault,
  monthlyTradeTotals,
} from '../../../src/report/report-data.ts';

describe('holdingsWeights (ranks)', () => {
  it('a rotating basket: each day its own largest on #1; no "other"; cash last', () => {
    // Day 1: A 60, B 30, cash 10 (total 100) → #1 A 60 %, #2 B 30 %, cash 10 %.
    // Day 2: C 50, A 25, B 25 (total 100; tie A/B by name) → #1 C 50, #2 A 25, #3 B 25, cash 0.
    // Day 3: D 80, cash 20 → #1 D 80, #2 0, #3 0, cash 20.
    const h = holdingsWeights(
      [
        { date: '2024-01-01', values: { A: 60, B: 30, USDT: 10 } },
        { date: '2024-01-02', values: { B: 25, C: 50, A: 25 } },
        { date: '2024-01-03', values: { D: 80, USDT: 20, E: 0 } },
      ],
      'USDT',
    );
    expect(h.names).toEqual(['#1', '#2', '#3', 'USDT']);
    expect(h.weights).toEqual([
      [60, 50, 80],
      [30, 25, 0],
      [0, 25, 0],
      [10, 0, 20],
    ]);
    expect(h.asset_of.map((r) => r.map((j) => (j < 0 ? null : h.assets[j])))).toEqual([
      ['A', 'C', 'D'],
      ['B', 'A', null],
      [null, 'B', null],
    ]);
    expect(h.other_assets).toBe(0);
    expect(h.has_cash).toBe(true);
  });

  it('more holdings than ranks on one day: the smallest are summed as "other"', () => {
    // 14 assets with values 14, 13, …, 1 (total 105) and no cash: ranks #1…#12 hold 14…3, other = 2 + 1.
    const values: Record<string, number> = {};
    for (let v = 14; v >= 1; v--) values[`X${String(v).padStart(2, '0')}`] = v;
    const h = holdingsWeights([{ date: '2024-01-01', values }], 'USDT');
    expect(HOLDINGS_TOP_ASSETS).toBe(12);
    expect(h.names).toEqual([...Array.from({ length: 12 }, (_, k) => `#${k + 1}`), 'other']);
    expect(h.weights[0]).toEqual([13.33]); // 14 / 105 = 13.333 %
    expect(h.weights[12]).toEqual([2.86]); // 3 / 105 = 2.857 %
    expect(h.other_assets).toBe(2);
    expect(h.has_cash).toBe(false);
  });
});

describe('monthlyTradeTotals: turnover and running fees', () => {
  const trade = (date: string, quote: string, fee: string): BacktestTrade => ({
    date,
    symbol: 'BTCUSDT',
    side: 'BUY',
    quantity: '1',
    price: quote,
    quote_quantity: quote,
    commission: fee,
    commission_asset: 'USDT',
  });
  it('hand-computed: Jan turnover 300 / mean(100, 200) = 2; Feb 50 / 250 = 0.2; fees 1, then 1 + 0.5', () => {
    const m = monthlyTradeTotals(
      [
        trade('2024-01-05', '100', '0.4'),
        trade('2024-01-20', '200', '0.6'),
        trade('2024-02-10', '50', '0.5'),
      ],
      [
        { date: '2024-01-01', equity: 100 },
        { date: '2024-01-31', equity: 200 },
        { date: '2024-02-29', equity: 250 },
      ],
      'USDT',
    );
    expect(m.turnover).toEqual([2, 0.2]);
    expect(m.fees).toEqual([1, 0.5]);
    expect(m.cum_fees).toEqual([1, 1.5]);
  });
});

describe('logScaleByDefault', () => {
  it('opens on log only above 10× between the smallest and largest positive value', () => {
    expect(logScaleByDefault({ equity: [1000, 9999], btc_hold: [null], equal_weight: [] })).toBe(false);
    expect(logScaleByDefault({ equity: [1000, 5000], btc_hold: [900, 10_000], equal_weight: [] })).toBe(true);
    expect(logScaleByDefault({ equity: [0, 1000, 10_000], btc_hold: [], equal_weight: [] })).toBe(false);
    expect(logScaleByDefault({ equity: [], btc_hold: [], equal_weight: [] })).toBe(false);
  });
});
