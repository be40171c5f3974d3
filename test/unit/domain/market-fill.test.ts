import { describe, expect, it } from 'vitest';
import { decStr } from '../../../src/domain/decimal.ts';
import { fillMarketBuy, fillMarketSell, type ModelFill } from '../../../src/domain/execution/market-fill.ts';
import type { SymbolRules } from '../../../src/domain/types.ts';
import { BTC_RULES } from '../../support/btc-rules.ts';
import { fillContext, filled } from '../../support/fill-context.ts';

const btcRules = BTC_RULES;

/** The fill with its decimals as plain strings (`decStr`), to compare with hand-computed values. */
function shown(f: ModelFill) {
  const { price, quantity, quoteQuantity, commission, commissionQuote, baseDelta, quoteDelta } = f;
  const text = { price, quantity, quoteQuantity, commission, commissionQuote, baseDelta, quoteDelta };
  return { ...f, ...Object.fromEntries(Object.entries(text).map(([k, v]) => [k, decStr(v)])) };
}

/** BTC rules, no slippage, fee 0.1 % unless a case says otherwise. */
const ctx = (c: Parameters<typeof fillContext>[1]) => fillContext(btcRules, c);

describe('MARKET BUY by quoteOrderQty (strategy-semantics §7, hand-computed)', () => {
  it('Q = 1000 at p = 30000, step 0.00001, f = 0.1%', () => {
    // q = floor_step(1000 / 30000 = 0.0333333…) = 0.03333; q*p = 999.9
    // commission = q*f = 0.00003333 BTC; received = 0.03329667; valued 0.00003333*30000 = 0.9999
    const f = filled(fillMarketBuy('1000', ctx({ referencePrice: '30000', available: '1000' })));
    expect(shown(f)).toMatchObject({
      quantity: '0.03333',
      quoteQuantity: '999.9',
      commission: '0.00003333',
      commissionIn: 'base',
      baseDelta: '0.03329667',
      quoteDelta: '-999.9',
      commissionQuote: '0.9999',
    });
  });
  it('slippage raises the BUY price: 20 bps on 100 → 100.2', () => {
    // q = floor_step(50 / 100.2 = 0.49900199…, 0.001) = 0.499; q*p = 49.9998
    const rules = { ...btcRules, stepSize: '0.001', minQty: '0.001' };
    const f = filled(
      fillMarketBuy('50', ctx({ rules, referencePrice: '100', slippageBps: 20, available: '50' })),
    );
    expect(decStr(f.price)).toBe('100.2');
    expect(decStr(f.quantity)).toBe('0.499');
    expect(decStr(f.quoteQuantity)).toBe('49.9998');
  });
  it('rejects below minNotional with -1013 NOTIONAL', () => {
    // q = floor_step(4.99 / 1) = 4.99 (step 0.01); 4.99 < 5
    const rules = { ...btcRules, stepSize: '0.01', minQty: '0.01' };
    const o = fillMarketBuy('4.99', ctx({ rules, referencePrice: '1', available: '100' }));
    expect(o).toMatchObject({
      ok: false,
      reason: 'min_notional',
      code: -1013,
      message: 'Filter failure: NOTIONAL',
    });
  });
  it('rejects a quantity that floors to 0 (LOT_SIZE)', () => {
    const o = fillMarketBuy('0.1', ctx({ referencePrice: '30000', available: '100' }));
    expect(o).toMatchObject({ ok: false, reason: 'zero_quantity', code: -1013 });
  });
  it('rejects below minQty', () => {
    // q = floor_step(10 / 10, 0.1) = 1 < minQty 2
    const rules = { ...btcRules, stepSize: '0.1', minQty: '2', minNotional: '0' };
    const o = fillMarketBuy('10', ctx({ rules, referencePrice: '10', available: '100' }));
    expect(o).toMatchObject({ ok: false, reason: 'min_qty' });
  });
  it('rejects when the cost exceeds the free quote balance (-2010)', () => {
    const o = fillMarketBuy('1000', ctx({ referencePrice: '30000', available: '999.89' }));
    expect(o).toMatchObject({ ok: false, reason: 'insufficient_balance', code: -2010 });
  });
  it('no candle at D: no_price', () => {
    const o = fillMarketBuy('1000', ctx({ referencePrice: null, available: '1e9' }));
    expect(o).toMatchObject({ ok: false, reason: 'no_price', code: null });
  });
  it('default rules for an unlisted symbol: step 0 rounds down to 8 decimals', () => {
    // q = round_down_8(100 / 3 = 33.333…) = 33.33333333; q*p = 99.99999999
    const rules: SymbolRules = {
      symbol: 'X',
      stepSize: '0',
      minQty: '0',
      minNotional: '10',
      tickSize: '0',
      source: 'default',
    };
    const f = filled(
      fillMarketBuy('100', { rules, referencePrice: '3', slippageBps: 0, feeRate: '0', available: '100' }),
    );
    expect(decStr(f.quantity)).toBe('33.33333333');
    expect(decStr(f.quoteQuantity)).toBe('99.99999999');
  });
});

describe('MARKET SELL by quantity (§7, hand-computed)', () => {
  it('q_wanted 0.123456 at 100 with 10 bps slippage, step 0.001', () => {
    // p = 100 * (1 - 0.001) = 99.9; q = 0.123; notional = 12.2877; commission = 0.0122877 USDT
    // cash += 12.2877 - 0.0122877 = 12.2754123
    const rules = { ...btcRules, stepSize: '0.001', minQty: '0.001' };
    const f = filled(
      fillMarketSell(
        '0.123456',
        ctx({ rules, referencePrice: '100', slippageBps: 10, available: '0.123456' }),
      ),
    );
    expect(shown(f)).toMatchObject({
      price: '99.9',
      quantity: '0.123',
      quoteQuantity: '12.2877',
      commission: '0.0122877',
      commissionIn: 'quote',
      quoteDelta: '12.2754123',
      baseDelta: '-0.123',
    });
  });
  it('rejects selling more than the free balance', () => {
    const o = fillMarketSell('1', ctx({ referencePrice: '30000', available: '0.5' }));
    expect(o).toMatchObject({ ok: false, reason: 'insufficient_balance' });
  });
});
