/**
 * The §10 position state kept by the rebalance (src/app/intraday/risk-rows.ts), hand-computed from
 * strategy-semantics.md §10 "Position state": an opening BUY sets P := e, a delta top-up P := max(P, p),
 * a SELL of the whole holding then a BUY opens anew, a token swap keeps C and scales P by
 * open_after / close_before (= 1 / ratio), and every pending exit is cancelled.
 */
import { describe, expect, it } from 'vitest';
import { type RebalanceBookChange, riskRowsAfterRebalance } from '../../../src/app/intraday/risk-rows.ts';
import { dec } from '../../../src/domain/decimal.ts';
import type { RiskStateRow } from '../../../src/ports/intraday-journal.ts';

const H = 3_600_000;
const D = Date.UTC(2021, 2, 1);
const rules = { symbol: 'XUSDT', stepSize: '0.001', minQty: '0.001', minNotional: '10', tickSize: '0.01' };

function change(o: Partial<RebalanceBookChange> & Pick<RebalanceBookChange, 'fills'>): RebalanceBookChange {
  return {
    rows: [],
    adjustments: [],
    holdingBefore: () => dec(0),
    decisionPrice: () => dec(110),
    rules: () => rules as never,
    baseAssetOf: () => 'X',
    symbolOfAsset: () => 'XUSDT',
    holdingAfter: () => dec(0),
    fillCandleOpenMs: D,
    ...o,
  };
}
const row = (o: Partial<RiskStateRow>): RiskStateRow => ({
  symbol: 'XUSDT',
  costBasis: '200',
  holding: '2',
  peak: '120',
  lastCandleOpenMs: D - 5 * H,
  pending: 'signal',
  ...o,
});

describe('risk state after a rebalance (§10)', () => {
  it('an opening BUY: C = quote spent, h after the base commission, P = e = 200 / 1.998', () => {
    const [r] = riskRowsAfterRebalance(
      change({
        fills: [
          {
            symbol: 'XUSDT',
            side: 'BUY',
            quantity: '2',
            price: '100',
            quoteQuantity: '200',
            commission: '0.002',
            commissionAsset: 'X',
            leg: 'buy',
          },
        ],
        holdingAfter: () => dec('1.998'),
      }),
      H,
    );
    expect(r?.costBasis).toBe('200');
    expect(r?.holding).toBe('1.998');
    expect(dec(r?.peak ?? '0').eq(dec(200).div('1.998'))).toBe(true);
    expect(r?.lastCandleOpenMs).toBe(D - H); // the candle of the fill is evaluated next
    expect(r?.pending).toBeNull();
  });

  it('a delta top-up raises the peak to max(P, p) = 130 and keeps the last candle', () => {
    const [r] = riskRowsAfterRebalance(
      change({
        rows: [row({})],
        holdingBefore: () => dec(2),
        fills: [
          {
            symbol: 'XUSDT',
            side: 'BUY',
            quantity: '1',
            price: '130',
            quoteQuantity: '130',
            commission: '0.0001',
            commissionAsset: 'BNB',
            leg: 'buy',
          },
        ],
        holdingAfter: () => dec(3),
      }),
      H,
    );
    expect(r).toEqual({ ...row({ costBasis: '330', holding: '3', peak: '130' }), pending: null });
  });

  it('a SELL of the whole holding then a BUY opens anew: P = e = 100', () => {
    const [r] = riskRowsAfterRebalance(
      change({
        rows: [row({ peak: '150' })],
        holdingBefore: () => dec(2),
        fills: [
          {
            symbol: 'XUSDT',
            side: 'SELL',
            quantity: '2',
            price: '110',
            quoteQuantity: '220',
            commission: '0.22',
            commissionAsset: 'USDT',
            leg: 'sell',
          },
          {
            symbol: 'XUSDT',
            side: 'BUY',
            quantity: '1',
            price: '100',
            quoteQuantity: '100',
            commission: '0',
            commissionAsset: 'X',
            leg: 'buy',
          },
        ],
        holdingAfter: () => dec(1),
      }),
      H,
    );
    expect([r?.costBasis, r?.holding, r?.peak, r?.lastCandleOpenMs]).toEqual(['100', '1', '100', D - H]);
  });

  it('a token swap (ratio close_before / open_after = 0.5) keeps C = 200 and scales P to 240', () => {
    const [r] = riskRowsAfterRebalance(
      change({
        rows: [row({})],
        adjustments: [{ asset: 'X', ratio: '0.5' }],
        holdingBefore: () => dec(4),
        fills: [],
        holdingAfter: () => dec(4),
      }),
      H,
    );
    expect([r?.costBasis, r?.holding, r?.peak, r?.pending]).toEqual(['200', '4', '240', null]);
  });
});
