/**
 * The pure parts the kernel extraction moved out of runRebalance (issue 9 step A) and the dust rule of
 * 9.4, with hand-computed expected values:
 * - §2 token swap: h := round_down_8(h × close_before / open_after);
 * - §7 filters at the decision price (dustCheck);
 * - the reconciler's two directions (14.3).
 */
import { describe, expect, it } from 'vitest';
import { reconcileAfter, reconcileBefore } from '../../../src/app/trading/reconciler.ts';
import { convertHoldings } from '../../../src/domain/accounting/token-swap.ts';
import { dec, decStr } from '../../../src/domain/decimal.ts';
import { dustCheck } from '../../../src/domain/execution/market-fill.ts';
import type { SegmentSplit } from '../../../src/domain/universe/segments.ts';

const DAY = 86_400_000;
const split = (dayMs: number, closeBefore: string, openAfter: string): SegmentSplit => ({
  index: 0,
  dayMs,
  closeBefore,
  openAfter,
});

describe('convertHoldings (§2)', () => {
  it('converts each holding across the splits in (since, D], in turn, quote untouched', () => {
    // COCOS ×1000: 1234.56789 × 0.000695 / 0.695 = 1.23456789 (exact). Two splits of XYZ: 10 × 3 / 1 = 30,
    // then 30 × 1 / 7 = 4.285714285714… → round_down_8 = 4.28571428. The split of ABC is before `since`.
    const holdings = new Map([
      ['USDT', dec('100')],
      ['COCOS', dec('1234.56789')],
      ['XYZ', dec('10')],
      ['ABC', dec('5')],
    ]);
    const splits: Record<string, SegmentSplit[]> = {
      COCOS: [split(10 * DAY, '0.000695', '0.695')],
      XYZ: [split(11 * DAY, '3', '1'), split(12 * DAY, '1', '7')],
      ABC: [split(2 * DAY, '1', '2')],
    };
    const r = convertHoldings(holdings, 'USDT', (a) => splits[a] ?? [], 5 * DAY, 12 * DAY);
    expect([...r.changed].map(([a, v]) => [a, decStr(v)])).toEqual([
      ['COCOS', '1.23456789'],
      ['XYZ', '4.28571428'],
    ]);
    expect(r.adjustments.map((a) => [a.asset, a.quantity_before, a.quantity_after, a.ratio])).toEqual([
      ['COCOS', '1234.56789', '1.23456789', '0.001'],
      ['XYZ', '10', '30', '3'],
      ['XYZ', '30', '4.28571428', decStr(dec(1).div(7))],
    ]);
  });
});

describe('dustCheck (9.4, §7 at the decision price)', () => {
  const rules = {
    symbol: 'FTTUSDT',
    stepSize: '0.01',
    minQty: '0.01',
    minNotional: '10',
    tickSize: '0.001',
    source: 'hand',
  };
  it('a BUY of 8 USDT at 4 is 2.00 units, notional 8 < 10: dust (min_notional)', () => {
    const d = dustCheck('BUY', '8', '4', rules);
    expect(d?.reject.reason).toBe('min_notional');
    expect(decStr(d?.notional ?? 0)).toBe('8');
  });
  it('a BUY of 12 USDT at 4 (3.00 units, 12 ≥ 10) is sent', () => {
    expect(dustCheck('BUY', '12', '4', rules)).toBeNull();
  });
  it('a SELL of 0.004 units floors to 0: dust (zero_quantity), notional 0.004 × 4 = 0.016', () => {
    const d = dustCheck('SELL', '0.004', '4', rules);
    expect(d?.reject.reason).toBe('zero_quantity');
    expect(decStr(d?.notional ?? 0)).toBe('0.016');
  });
  it('no decision price or a price <= 0: not judged here (the price check fails the run)', () => {
    expect(dustCheck('BUY', '8', null, rules)).toBeNull();
    expect(dustCheck('BUY', '8', '0', rules)).toBeNull();
  });
});

describe('reconciler (14.3)', () => {
  const bal = (asset: string, free: string, locked = '0') => ({ asset, free, locked });
  it('before: less is a negative difference, more a positive one; unmanaged assets are not compared', () => {
    const managed = new Map([
      ['USDT', dec('100')],
      ['BTC', dec('0.5')],
      ['ETH', dec('2')],
    ]);
    const rows = reconcileBefore(managed, [
      bal('USDT', '60', '40'),
      bal('BTC', '0.4'),
      bal('ETH', '2.5'),
      bal('BNB', '9'),
    ]);
    expect(rows.map((r) => [r.asset, r.difference])).toEqual([
      ['BTC', '-0.1'],
      ['ETH', '0.5'],
    ]);
  });
  it('after: balances before plus the run deltas must equal the balances after', () => {
    // Before 100 USDT; the run bought 0.01 BTC for 50 USDT, commission 0.00001 BTC: expected 50 USDT,
    // 0.00999 BTC. The exchange shows 0.01 BTC: one row, +0.00001.
    const delta = new Map([
      ['USDT', dec('-50')],
      ['BTC', dec('0.00999')],
    ]);
    const rows = reconcileAfter([bal('USDT', '100')], delta, [bal('USDT', '50'), bal('BTC', '0.01')]);
    expect(rows.map((r) => [r.asset, r.expected, r.actual, r.difference])).toEqual([
      ['BTC', '0.00999', '0.01', '0.00001'],
    ]);
  });
});
