/**
 * The zero-quantity BUY of the fast book (§7 `fillMarketBuy`: q = floor_step(Q / p), q = 0 → rejected
 * `zero_quantity`), at and around the one-step boundary. FastBook.buyQ screens such BUYs with floats before
 * any exact arithmetic; this pins the boundary: a Q of exactly one step at the fill price fills one step, a Q
 * one unit of 1e-8 below it (inside the screen's 1e-9 margin, decided by the exact rule) and a Q well below
 * it (decided by the screen) are rejected. Real loader on the tiny dataset (tiny-data.ts SCENARIO).
 *
 * By hand: BBBUSDT opens at 21 on 2024-01-03, stepSize 1, minNotional 5.
 * - slippage 0: p = 21; Q = 21 → q = floor(21 / 21) = 1; Q = 20.99999999 → q = floor(0.99999999…) = 0.
 * - slippage 10 bps: p = 21 × 1.001 = 21.021; Q = 21.021 → q = 1; Q = 21.02099999 → q = 0.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { type BacktestMarket, backtestMarketOf } from '../../../src/app/backtest.ts';
import { FastBook } from '../../../src/domain/backtest/fast-book.ts';
import { SCENARIO, writeTinyData } from './tiny-data.ts';

let dir: string;
let market: BacktestMarket;

beforeAll(async () => {
  dir = writeTinyData(SCENARIO);
  market = backtestMarketOf(await loadDataset(dir));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function buyOnce(slippageBps: number, quoteOrderQty: string) {
  const book = new FastBook(market, {
    quoteAsset: 'USDT',
    initialQuote: '1000',
    feeRate: '0.001',
    slippageBps,
    rebalanceMode: 'full',
    cashBuffer: 0,
    band: 0,
    details: true,
  });
  const d = market.dayIndex(Date.parse('2024-01-03T00:00:00Z'));
  book.buy(d, market.indexOf.get('BBBUSDT') as number, quoteOrderQty);
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
