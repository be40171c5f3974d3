import { describe, expect, it } from 'vitest';
import { dec, decStr } from '../../../../src/domain/decimal.ts';
import { fillMarketBuy, fillMarketSell } from '../../../../src/domain/execution/market-fill.ts';
import { barOf, exitFillPrice } from '../../../../src/domain/risk/evaluate-bar.ts';
import type { LevelSettings } from '../../../../src/domain/risk/levels.ts';
import { evaluatePositionBar } from '../../../../src/domain/risk/position-bar.ts';
import {
  applyBuyFill,
  applySellFill,
  applyTokenSwap,
  entryPrice,
  FLAT,
  type PositionState,
} from '../../../../src/domain/risk/position-state.ts';
import type { SymbolRules } from '../../../../src/domain/types.ts';
import { X_RULES } from '../../../support/btc-rules.ts';
import { fillContext, filled } from '../../../support/fill-context.ts';

const rules: SymbolRules = X_RULES;
const settings: LevelSettings = {
  stopLoss: 0.1,
  trailingStop: 0.05,
  trailingActivation: 0.1,
  takeProfit: 0.5,
};
const bar = (o: string, h: string, l: string, c: string) => barOf({ open: o, high: h, low: l, close: c });

describe('a position walked bar by bar (strategy-semantics §10, §2, §7; all figures by hand)', () => {
  it('buy, a rising bar, a ÷100 token swap that scales the peak, then a trailing stop and its SELL', () => {
    // rebalance BUY of 1000 at open 100, fee 0 for round numbers: q = 10 → C = 1000, h = 10, P = e = 100
    const buy = filled(
      fillMarketBuy('1000', fillContext(rules, { referencePrice: '100', feeRate: '0', available: '1000' })),
    );
    let s: PositionState = applyBuyFill(FLAT, buy, true);
    expect(decStr(s.peak ?? 'x')).toBe('100');

    // bar 1: F = 90, R = 95 not armed (P = 100 < 110), T = 150 → nothing; P := 115
    const r1 = evaluatePositionBar(s, bar('100', '115', '99', '114'), rules, settings, false);
    if (r1.kind !== 'evaluated') throw new Error('a position');
    expect(r1.outcome.kind).toBe('none');
    s = r1.state;
    expect(decStr(s.peak ?? 'x')).toBe('115');

    // token swap: close_before 114, open_after 1.14 → h = round_down_8(10 · 114 / 1.14) = 1000,
    // C = 1000 kept, e = 1, P = 115 · 1.14 / 114 = 1.15
    s = applyTokenSwap(s, '114', '1.14');
    expect([decStr(s.holding), decStr(s.costBasis), decStr(entryPrice(s)), decStr(s.peak ?? 'x')]).toEqual([
      '1000',
      '1000',
      '1',
      '1.15',
    ]);

    // bar 2 (new scale): F = 0.9; P = 1.15 ≥ 1.1 → armed, R = 1.15 · 0.95 = 1.0925 > F; low 1.09 ≤ R
    const r2 = evaluatePositionBar(s, bar('1.14', '1.16', '1.09', '1.1'), rules, settings, false);
    if (r2.kind !== 'evaluated' || r2.outcome.kind !== 'exit') throw new Error('an exit');
    expect(r2.outcome.reason).toBe('trailing_stop');
    expect(decStr(r2.outcome.price)).toBe('1.0925');
    expect(decStr(r2.levels.fixedStop ?? 'x')).toBe('0.9');
    // the exit leaves the peak as it was (step 6 skipped): a rejected SELL retries next bar from here
    expect(decStr(r2.state.peak ?? 'x')).toBe('1.15');

    // §7 SELL of the whole holding with 20 bps: p = 1.0925 · 0.998 = 1.090315; proceeds 1090.315,
    // commission 0.1 % = 1.090315
    const sell = filled(
      fillMarketSell(
        s.holding,
        fillContext(rules, { referencePrice: r2.outcome.price, slippageBps: 20, available: s.holding }),
      ),
    );
    expect(decStr(sell.price)).toBe(decStr(exitFillPrice(r2.outcome.price, 20)));
    expect([decStr(sell.price), decStr(sell.quoteQuantity), decStr(sell.commission)]).toEqual([
      '1.090315',
      '1090.315',
      '1.090315',
    ]);
    expect(applySellFill(s, sell.quantity)).toBe(FLAT);
  });

  it('dust gets no order: 0.04 · open 100 = 4 < minNotional 5, even when the bar crashes through the stop', () => {
    const dust: PositionState = { costBasis: dec(4), holding: dec('0.04'), peak: dec(100) };
    const r = evaluatePositionBar(dust, bar('100', '100', '1', '2'), rules, settings, true);
    expect(r.kind).toBe('dust');
    expect(r.state).toBe(dust);
    // at open 125 the same holding is a position (0.04 · 125 = 5): e = 4 / 0.04 = 100, F = 90, T = 150;
    // no gap (90 < 125 < 150), low 1 ≤ F → stop at x = 90
    const p = evaluatePositionBar(dust, bar('125', '125', '1', '2'), rules, settings, false);
    expect(p.kind === 'evaluated' && p.outcome.kind === 'exit' && decStr(p.outcome.price)).toBe('90');
  });
});
