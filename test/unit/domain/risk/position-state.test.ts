import { describe, expect, it } from 'vitest';
import { dec, decStr } from '../../../../src/domain/decimal.ts';
import { fillMarketBuy, fillMarketSell } from '../../../../src/domain/execution/market-fill.ts';
import { isPosition } from '../../../../src/domain/risk/is-position.ts';
import {
  applyBuyFill,
  applySellFill,
  applyTokenSwap,
  buyOpensPosition,
  entryPrice,
  FLAT,
  type PositionState,
  raisePeak,
} from '../../../../src/domain/risk/position-state.ts';
import type { SymbolRules } from '../../../../src/domain/types.ts';
import { X_RULES } from '../../../support/btc-rules.ts';
import { fillContext, filled } from '../../../support/fill-context.ts';

const rules: SymbolRules = { ...X_RULES, tickSize: '0.01' };

const st = (c: string | number, h: string | number, p: string | number | null): PositionState => ({
  costBasis: dec(c),
  holding: dec(h),
  peak: p === null ? null : dec(p),
});
const show = (s: PositionState) => ({
  C: decStr(s.costBasis),
  h: decStr(s.holding),
  P: s.peak && decStr(s.peak),
});

function buy(quote: string, open: string, feeRate = '0.001') {
  return filled(
    fillMarketBuy(quote, fillContext(rules, { referencePrice: open, feeRate, available: quote })),
  );
}

describe('position state: cost basis, entry, peak (strategy-semantics §10 "Position state")', () => {
  it('an opening BUY: C += q·p, h += q − q·f, P := e after the fill', () => {
    // §7: q = floor_step(1000 / 100) = 10, q·p = 1000, commission 10 · 0.001 = 0.01 base, h = 9.99
    const s = applyBuyFill(FLAT, buy('1000', '100'), true);
    expect(show(s)).toEqual({ C: '1000', h: '9.99', P: s.peak && decStr(s.peak) });
    // e = 1000 / 9.99 = 100.1001001001…; P = e
    expect(entryPrice(s).toFixed(12)).toBe('100.100100100100');
    expect(s.peak?.eq(entryPrice(s))).toBe(true);
  });

  it('a delta top-up raises the peak to the fill price when higher: P := max(P, p)', () => {
    // C = 1000, h = 10, P = 120; BUY 650 at 130 without fee: q = 5 → C = 1650, h = 15, e = 110, P = 130
    const up = applyBuyFill(st(1000, 10, 120), buy('650', '130', '0'), false);
    expect(show(up)).toEqual({ C: '1650', h: '15', P: '130' });
    expect(decStr(entryPrice(up))).toBe('110');
    // the same top-up at 110 leaves P = 120: C = 1550, h = 15
    const flat = applyBuyFill(st(1000, 10, 120), buy('550', '110', '0'), false);
    expect(show(flat)).toEqual({ C: '1550', h: '15', P: '120' });
  });

  it('a top-up of a holding without a recorded peak takes P := p (max(P, p) with no P)', () => {
    // C = 500, h = 5, no peak; BUY 650 at 130 without fee: q = 5 → C = 1150, h = 10, P = 130
    const s = applyBuyFill(st(500, 5, null), buy('650', '130', '0'), false);
    expect(show(s)).toEqual({ C: '1150', h: '10', P: '130' });
  });

  it('a BUY opens when the symbol was not a position at the open of D or was sold whole in the rebalance', () => {
    expect(buyOpensPosition(false, false)).toBe(true); // nothing / dust before
    expect(buyOpensPosition(true, true)).toBe(true); // sold whole, bought back
    expect(buyOpensPosition(true, false)).toBe(false); // a delta top-up
  });

  it('a BUY on top of dust opens: the dust keeps its cost, P := the new e', () => {
    // dust: C = 0.5, h = 0.004 (0.004 · 100 = 0.4 < minNotional 5 → not a position)
    const dust = st('0.5', '0.004', 90);
    expect(isPosition(dust.holding, dec(100), rules)).toBe(false);
    const opens = buyOpensPosition(isPosition(dust.holding, dec(100), rules), false);
    // BUY 100 at 100, no fee: q = 1 → C = 100.5, h = 1.004, e = P = 100.5 / 1.004
    const s = applyBuyFill(dust, buy('100', '100', '0'), opens);
    expect(show(s).C).toBe('100.5');
    expect(show(s).h).toBe('1.004');
    expect(s.peak?.eq(dec('100.5').div('1.004'))).toBe(true);
  });

  it('a SELL of q removes C·q/h_before; the entry stays; a SELL of everything leaves FLAT', () => {
    // C = 1000, h = 10: SELL 4 → C = 1000 − 1000·4/10 = 600, h = 6, e = 100
    const s = applySellFill(st(1000, 10, 120), dec(4));
    expect(show(s)).toEqual({ C: '600', h: '6', P: '120' });
    expect(decStr(entryPrice(s))).toBe('100');
    expect(applySellFill(st(1000, 10, 120), dec(10))).toBe(FLAT);
    expect(() => applySellFill(st(1000, 10, 120), dec(11))).toThrow(/SELL of 11/);
  });

  it('a whole-holding SELL that leaves a dust remainder keeps the remainder’s cost', () => {
    // h = 10.0005 with step 0.001: §7 sells floor_step = 10, 0.0005 stays. e = 1000.05 / 10.0005 = 100,
    // C after = 1000.05 − 1000.05·10/10.0005 = 1000.05 − 1000 = 0.05 (= e · 0.0005), e stays 100
    const f = filled(
      fillMarketSell('10.0005', fillContext(rules, { referencePrice: '100', available: '10.0005' })),
    );
    const s = applySellFill(st('1000.05', '10.0005', 110), f.quantity);
    expect(show(s).h).toBe('0.0005');
    expect(decStr(s.costBasis)).toBe('0.05');
    expect(decStr(entryPrice(s))).toBe('100');
  });

  it('a token swap (§2, COCOS ×1000 style) keeps C, converts h, scales P by open_after/close_before', () => {
    // C = 1000, h = 10, P = 120; close_before 0.5, open_after 500:
    // h = round_down_8(10 · 0.5 / 500) = 0.01; P = 120 · 500 / 0.5 = 120000; e = 1000 / 0.01 = 100000
    const s = applyTokenSwap(st(1000, 10, 120), '0.5', '500');
    expect(show(s)).toEqual({ C: '1000', h: '0.01', P: '120000' });
    expect(decStr(entryPrice(s))).toBe('100000');
    // rounding: h = 3 · 1 / 7 = 0.428571428… → 0.42857142
    expect(decStr(applyTokenSwap(st(1, 3, 1), '1', '7').holding)).toBe('0.42857142');
  });

  it('step 6: the peak rises to a higher high only', () => {
    expect(show(raisePeak(st(1000, 10, 120), dec(125))).P).toBe('125');
    expect(show(raisePeak(st(1000, 10, 120), dec(119))).P).toBe('120');
  });
});

describe('dust rule (strategy-semantics §10 with §6): a position while a SELL could execute at the open', () => {
  // step 0.001, minQty 0.001, minNotional 5
  const rows: [string, string, string, SymbolRules, boolean][] = [
    ['floor_step(0.0009) = 0', '0.0009', '100000', rules, false],
    ['0.05 · 100 = 5 ≥ minNotional 5', '0.05', '100', rules, true],
    ['0.05 · 99.99 = 4.9995 < 5: dust, no order', '0.05', '99.99', rules, false],
    ['floor_step(0.0509) = 0.05 → 0.05 · 100 = 5', '0.0509', '100', rules, true],
    ['below minQty 0.1', '0.05', '1000', { ...rules, minQty: '0.1' }, false],
    [
      'step 0 rounds down to 8 decimals: 0.000000009 → 0',
      '0.000000009',
      '1000000000',
      { ...rules, stepSize: '0' },
      false,
    ],
  ];
  it.each(rows)('%s', (_n, h, open, r, expected) => {
    expect(isPosition(dec(h), dec(open), r)).toBe(expected);
  });
});
