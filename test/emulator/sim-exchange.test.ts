/**
 * The SimExchange extensions the emulator is built on (`executeMarketSync`, `lock`/`unlock`,
 * `allBalancesSync`), checked with hand computations of strategy-semantics.md §6-§7 on a made-up symbol:
 * AAAUSDT at reference price 50, step 0.01, minQty 0.01, minNotional 5, fee 0.001.
 */
import { describe, expect, it } from 'vitest';
import { SimExchange } from '../../src/adapters/sim/sim-exchange.ts';
import { decStr } from '../../src/domain/decimal.ts';

const make = (slippageBps = 0, price: string | null = '50') =>
  new SimExchange({
    market: {
      assets: (s) => (s === 'AAAUSDT' ? { base: 'AAA', quote: 'USDT' } : null),
      rules: (symbol) => ({
        symbol,
        stepSize: '0.01',
        minQty: '0.01',
        minNotional: '5',
        tickSize: '0.01',
        source: 't',
      }),
      referencePrice: () => price,
    },
    balances: [
      { asset: 'USDT', free: '1000', locked: '0' },
      { asset: 'AAA', free: '10', locked: '0' },
    ],
    feeRate: '0.001',
    slippageBps,
    clock: { now: () => 0 },
  });

describe('SimExchange.executeMarketSync: every MARKET shape of rest-api.md "New order"', () => {
  it('BUY by quantity 2: cost 2 × 50 = 100, commission 0.002 AAA', () => {
    const ex = make();
    const r = ex.executeMarketSync({ symbol: 'AAAUSDT', side: 'BUY', quantity: '2' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([decStr(r.fill.quantity), decStr(r.fill.quoteQuantity), decStr(r.fill.commission)]).toEqual([
      '2',
      '100',
      '0.002',
    ]);
    expect(ex.balancesSync()).toEqual([
      { asset: 'AAA', free: '11.998', locked: '0' },
      { asset: 'USDT', free: '900', locked: '0' },
    ]);
  });

  it('SELL by quoteOrderQty 30: q = floor_step(30 / 50) = 0.6, proceeds 30, commission 0.03 USDT', () => {
    const ex = make();
    const r = ex.executeMarketSync({ symbol: 'AAAUSDT', side: 'SELL', quoteOrderQty: '30.7' });
    // 30.7 / 50 = 0.614 → 0.61; proceeds 30.5; commission 0.0305
    expect(
      r.ok && [decStr(r.fill.quantity), decStr(r.fill.quoteQuantity), decStr(r.fill.commission)],
    ).toEqual(['0.61', '30.5', '0.0305']);
    expect(ex.freeOf('USDT').toFixed()).toBe('1030.4695');
  });

  it('with 10 bps slippage a BUY of quantity 1 pays 50.05', () => {
    const r = make(10).executeMarketSync({ symbol: 'AAAUSDT', side: 'BUY', quantity: '1' });
    expect(r.ok && decStr(r.fill.quoteQuantity)).toBe('50.05');
  });

  it('dryRun changes nothing; rejections carry the model reason; neither/both quantities is -1102', () => {
    const ex = make();
    const before = ex.balancesSync();
    expect(ex.executeMarketSync({ symbol: 'AAAUSDT', side: 'BUY', quantity: '3' }, { dryRun: true }).ok).toBe(
      true,
    );
    expect(ex.balancesSync()).toEqual(before);
    expect(ex.executeMarketSync({ symbol: 'AAAUSDT', side: 'BUY', quoteOrderQty: '4' })).toMatchObject({
      ok: false,
      code: -1013,
      reason: 'min_notional',
    });
    expect(ex.executeMarketSync({ symbol: 'AAAUSDT', side: 'BUY', quantity: '30' })).toMatchObject({
      ok: false,
      code: -2010,
      reason: 'insufficient_balance',
    });
    expect(ex.executeMarketSync({ symbol: 'AAAUSDT', side: 'BUY' })).toMatchObject({
      ok: false,
      code: -1102,
    });
    expect(ex.executeMarketSync({ symbol: 'ZZZUSDT', side: 'BUY', quantity: '1' })).toMatchObject({
      code: -1121,
    });
    expect(
      make(0, null).executeMarketSync({ symbol: 'AAAUSDT', side: 'SELL', quoteOrderQty: '10' }),
    ).toMatchObject({
      reason: 'no_price',
    });
  });
});

describe('SimExchange.lock / unlock (resting orders)', () => {
  it('locked funds are reported and not available to MARKET orders; unlock restores them', () => {
    const ex = make();
    expect(ex.lock('USDT', '990')).toBe(true);
    expect(ex.lock('USDT', '11')).toBe(false);
    expect(ex.balancesSync()).toEqual([
      { asset: 'AAA', free: '10', locked: '0' },
      { asset: 'USDT', free: '10', locked: '990' },
    ]);
    expect(ex.executeMarketSync({ symbol: 'AAAUSDT', side: 'BUY', quantity: '1' })).toMatchObject({
      reason: 'insufficient_balance',
    });
    ex.unlock('USDT', '990');
    expect(ex.freeOf('USDT').toFixed()).toBe('1000');
    expect(() => ex.unlock('USDT', '1')).toThrow(/exceeds the locked/);
  });

  it('allBalancesSync keeps assets that went to zero; balancesSync drops them', () => {
    const ex = make();
    ex.executeMarketSync({ symbol: 'AAAUSDT', side: 'SELL', quantity: '10' });
    expect(ex.balancesSync().map((b) => b.asset)).toEqual(['USDT']);
    expect(ex.allBalancesSync().map((b) => [b.asset, b.free])).toEqual([
      ['AAA', '0'],
      ['USDT', '1499.5'],
    ]);
  });
});
