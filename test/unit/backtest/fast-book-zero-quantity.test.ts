import { describe, expect, it } from 'vitest';
import { FastBook } from '../../../src/domain/backtest/fast-book.ts';
import { SCENARIO, useTinyMarket } from './tiny-data.ts';

const market = useTinyMarket(SCENARIO);

function buyOnce(slippageBps: number, quoteOrderQty: string) {
  const book = new FastBook(market(), {
    quoteAsset: 'USDT',
    initialQuote: '1000',
    feeRate: '0.001',
    slippageBps,
    rebalanceMode: 'full',
    cashBuffer: 0,
    band: 0,
    details: true,
  });
  const d = market().dayIndex(Date.parse('2024-01-03T00:00:00Z'));
  book.buy(d, market().indexOf.get('BBBUSDT') as number, quoteOrderQty);
  return { fills: book.ledger.fills(), rejections: book.ledger.rejections() };
}

describe.each([
  [0, '21', '21'],
  [10, '21.021', '21.021'],
])('BUY of BBBUSDT at one step (slippage %s bps)', (slippageBps, oneStep, price) => {
  it(`Q = ${oneStep} (exactly one step at the fill price) fills 1`, () => {
    const r = buyOnce(slippageBps, oneStep);
    expect(r.rejections).toEqual([]);
    expect(r.fills.map((f) => [f.quantity, f.price])).toEqual([['1', price]]);
  });

  it('Q one 1e-8 below one step (inside the float margin) and Q well below are zero_quantity', () => {
    const justBelow = (Number(oneStep) - 1e-8).toFixed(8);
    for (const q of [justBelow, '20', '0.00000001']) {
      const r = buyOnce(slippageBps, q);
      expect(r.fills, q).toEqual([]);
      expect(r.rejections, q).toEqual([
        { date: '2024-01-03', symbol: 'BBBUSDT', side: 'BUY', reason: 'zero_quantity' },
      ]);
    }
  });
});
