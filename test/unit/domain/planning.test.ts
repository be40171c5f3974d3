import { describe, expect, it } from 'vitest';
import { SimExchange } from '../../../src/adapters/sim/sim-exchange.ts';
import { type Decimal, dec, decStr } from '../../../src/domain/decimal.ts';
import { type PlanParams, type PlanPrices, planBuys, planSells } from '../../../src/domain/planning/plan.ts';
import { testRules } from '../../support/test-rules.ts';

const rules = (symbol: string) =>
  testRules(symbol, { stepSize: '0.01', minQty: '0.01', minNotional: '5', tickSize: '0.01' });
const opens: Record<string, string> = { AAAUSDT: '50', BBBUSDT: '30', CCCUSDT: '20' };
const prices: PlanPrices = {
  open: (s) => (opens[s] ? dec(opens[s]) : null),
  lastClose: () => null,
};
const targets = [
  { symbol: 'BBBUSDT', asset: 'BBB', rank: 1 },
  { symbol: 'CCCUSDT', asset: 'CCC', rank: 2 },
];
const holdings = [
  { asset: 'AAA', symbol: 'AAAUSDT', quantity: dec('2') },
  { asset: 'BBB', symbol: 'BBBUSDT', quantity: dec('10') },
];
const market = {
  assets: (s: string) => ({ base: s.replace('USDT', ''), quote: 'USDT' }),
  rules,
  referencePrice: (s: string) => opens[s] ?? null,
};
const sim = () =>
  new SimExchange({
    market,
    balances: [
      { asset: 'USDT', free: '100', locked: '0' },
      { asset: 'AAA', free: '2', locked: '0' },
      { asset: 'BBB', free: '10', locked: '0' },
    ],
    feeRate: '0.001',
    slippageBps: 0,
    clock: { now: () => 0 },
  });

/**
 * Executes the planned SELLs on a fresh SimExchange, then plans the BUYs with the quote cash it reports:
 * that cash and the BUYs as [symbol, quoteOrderQty].
 */
function sellThenPlanBuys(s: ReturnType<typeof planSells>, params: PlanParams) {
  const ex = sim();
  execute(ex, s.orders);
  const buys = planBuys(targets, ex.freeOf('USDT'), s, prices, params);
  return {
    cash: decStr(ex.freeOf('USDT')),
    buys: buys.map((o) => [o.symbol, decStr(o.quoteOrderQty as Decimal)]),
  };
}

function execute(ex: SimExchange, orders: ReturnType<typeof planBuys>) {
  orders.forEach((o, i) => {
    ex.placeSync({
      symbol: o.symbol,
      side: o.side,
      clientOrderId: `t${o.side}${i}`,
      ...(o.quantity ? { quantity: decStr(o.quantity) } : {}),
      ...(o.quoteOrderQty ? { quoteOrderQty: decStr(o.quoteOrderQty) } : {}),
    });
  });
}

describe('full mode (strategy-semantics §8, hand-computed)', () => {
  const params: PlanParams = { mode: 'full', cashBuffer: 0, band: 0 };
  it('sells every holding in symbol order, then buys Q = round_down_8(C / K) in rank order', () => {
    const s = planSells(holdings, targets, dec(100), prices, rules, params);
    expect(s.orders.map((o) => [o.symbol, o.side, o.leg, decStr(o.quantity as Decimal)])).toEqual([
      ['AAAUSDT', 'SELL', 'sell', '2'],
      ['BBBUSDT', 'SELL', 'sell', '10'],
    ]);
    const { cash, buys } = sellThenPlanBuys(s, params);
    // cash = 100 + 2*50*(1-0.001) + 10*30*(1-0.001) = 100 + 99.9 + 299.7 = 499.6
    expect(cash).toBe('499.6');
    // Q = 499.6 / 2 = 249.8
    expect(buys).toEqual([
      ['BBBUSDT', '249.8'],
      ['CCCUSDT', '249.8'],
    ]);
  });
  it('cash_buffer 0.1 and an uneven split: Q = round_down_8(100 × 0.9 / 3) = 30; 100/3 rounds down', () => {
    const three = [...targets, { symbol: 'AAAUSDT', asset: 'AAA', rank: 3 }];
    expect(
      decStr(
        planBuys(three, dec(100), planSells([], three, dec(100), prices, rules, params), prices, {
          ...params,
          cashBuffer: 0.1,
        })[0]?.quoteOrderQty as Decimal,
      ),
    ).toBe('30');
    expect(
      decStr(
        planBuys(three, dec(100), planSells([], three, dec(100), prices, rules, params), prices, params)[0]
          ?.quoteOrderQty as Decimal,
      ),
    ).toBe('33.33333333');
  });
  it('K = 0 means all cash: no buys', () => {
    expect(
      planBuys([], dec(100), planSells(holdings, [], dec(100), prices, rules, params), prices, params),
    ).toEqual([]);
  });
});

describe('delta mode (§8, hand-computed)', () => {
  // V_AAA = 2 × 50 = 100, V_BBB = 10 × 30 = 300, cash 100 → E = 500, K = 2 → T = 250
  it('exits the unselected, trims the overweight, tops up the underweight, scaled to cash', () => {
    const params: PlanParams = { mode: 'delta', cashBuffer: 0, band: 0 };
    const s = planSells(holdings, targets, dec(100), prices, rules, params);
    expect(decStr(s.equity as Decimal)).toBe('500');
    expect(decStr(s.targetValue as Decimal)).toBe('250');
    // AAA not selected: sell 2; BBB: (300 - 250) / 30 = 1.666… → floor_step 0.01 = 1.66
    expect(s.orders.map((o) => [o.symbol, o.leg, decStr(o.quantity as Decimal)])).toEqual([
      ['AAAUSDT', 'sell', '2'],
      ['BBBUSDT', 'trim', '1.66'],
    ]);
    const { cash, buys } = sellThenPlanBuys(s, params);
    // cash = 100 + 100 × 0.999 + 1.66 × 30 × 0.999 = 100 + 99.9 + 49.7502 = 249.6502
    expect(cash).toBe('249.6502');
    // Only CCC is under target: B = 250 - 0 = 250 > cash 249.6502 → scaled to 249.6502
    expect(buys).toEqual([['CCCUSDT', '249.6502']]);
  });
  it('band 0.25: BBB at 300 ≤ 250 × 1.25 = 312.5 is left alone', () => {
    const params: PlanParams = { mode: 'delta', cashBuffer: 0, band: 0.25 };
    const s = planSells(holdings, targets, dec(100), prices, rules, params);
    expect(s.orders.map((o) => o.symbol)).toEqual(['AAAUSDT']);
    // cash after selling AAA = 100 + 99.9 = 199.9; CCC: B = 250 (0 < 187.5) > 199.9 → 199.9
    const buys = planBuys(targets, dec('199.9'), s, prices, params);
    expect(buys.map((o) => [o.symbol, decStr(o.quoteOrderQty as Decimal)])).toEqual([['CCCUSDT', '199.9']]);
  });
});
