/**
 * "Using BNB to pay for fees" (commission_faq.md "How is the commission calculated?"): with the account
 * switch on, a taker fill's standard commission is reduced by the 25 % discount, converted to BNB at the
 * BNBUSDT price and debited from BNB, and the received asset arrives in full; without enough BNB the full
 * commission is taken from the received asset.
 *
 * Expected values by hand (Python decimal, 60 digits) from the bundled daily CSVs at 2021-01-02
 * (BTCUSDT open 29331.7, BNBUSDT open 37.7637), the 2023-09-08 exchangeInfo snapshot (BTCUSDT LOT_SIZE
 * stepSize 0.00001, BNBUSDT 0.001) and the taker rate 0.001:
 * - BUY BTCUSDT quoteOrderQty 1000: q = 0.03409, cost 999.917653; BNB = round_up_8(999.917653 × 0.001
 *   × 0.75 / 37.7637) = round_up_8(0.019858706…) = 0.01985871 (commissions are rounded up to 8 decimals);
 * - SELL BTCUSDT 0.01: proceeds 293.317; BNB = round_up_8(293.317 × 0.00075 / 37.7637) = round_up_8(0.0058253716…) = 0.00582538;
 * - BUY BNBUSDT quoteOrderQty 100: q = floor(100 / 37.7637, 0.001) = 2.648, cost 99.9982776; BNB
 *   commission = 99.9982776 × 0.00075 / 37.7637 = 2.648 × 0.00075 = 0.001986, paid from the BNB received.
 */
import { describe, expect, it } from 'vitest';
import { at, type Creds, manualClock, signed, useBundledEmulator } from './support.ts';

const rich: Creds = { apiKey: 'bnb-rich', secret: 'bnb-secret' };
const poor: Creds = { apiKey: 'bnb-poor', secret: 'bnb-secret' };
const none: Creds = { apiKey: 'bnb-none', secret: 'bnb-secret' };
const plain: Creds = { apiKey: 'no-bnb-fees', secret: 'bnb-secret' };
const clock = manualClock(at('2021-01-02T00:00:05Z'));
const call = (c: Creds, method: 'GET' | 'POST', path: string, params: Record<string, string> = {}) =>
  signed(emu().baseUrl, clock.now, c, method, path, params);
const bal = (c: Creds) =>
  Object.fromEntries(
    emu()
      .balances(c.apiKey)
      .map((b) => [b.asset, b.free]),
  );
const market = (symbol: string, side: 'BUY' | 'SELL', amount: Record<string, string>) => ({
  symbol,
  side,
  type: 'MARKET',
  ...amount,
});

const emu = useBundledEmulator({
  now: clock.now,
  accounts: [
    { ...rich, balances: { USDT: '10000', BNB: '1' }, payFeesInBnb: true },
    { ...poor, balances: { USDT: '10000', BNB: '0.01' }, payFeesInBnb: true },
    { ...none, balances: { USDT: '10000' }, payFeesInBnb: true },
    { ...plain, balances: { USDT: '10000', BNB: '1' } },
  ],
});

describe('pay fees with BNB (25 % discount, BNBUSDT price)', () => {
  it('BUY: the base arrives in full, 0.01985871 BNB is debited', async () => {
    const r = await call(rich, 'POST', '/api/v3/order', market('BTCUSDT', 'BUY', { quoteOrderQty: '1000' }));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ executedQty: '0.03409000', cummulativeQuoteQty: '999.91765300' });
    expect(r.body.fills).toEqual([
      expect.objectContaining({ qty: '0.03409000', commission: '0.01985871', commissionAsset: 'BNB' }),
    ]);
    // USDT 10000 − 999.917653; BNB 1 − 0.01985871
    expect(bal(rich)).toEqual({ BNB: '0.98014129', BTC: '0.03409000', USDT: '9000.08234700' });
  });

  it('SELL: the proceeds arrive in full, 0.00582538 BNB is debited; myTrades reports it', async () => {
    clock.advance(1000);
    const r = await call(rich, 'POST', '/api/v3/order', market('BTCUSDT', 'SELL', { quantity: '0.01' }));
    expect(r.body.fills).toEqual([
      expect.objectContaining({ qty: '0.01000000', commission: '0.00582538', commissionAsset: 'BNB' }),
    ]);
    // USDT 9000.082347 + 293.317; BNB 0.98014129 − 0.00582538
    expect(bal(rich)).toEqual({ BNB: '0.97431591', BTC: '0.02409000', USDT: '9293.39934700' });
    const trades = await call(rich, 'GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' });
    expect(
      trades.body.map((t: { commission: string; commissionAsset: string }) => t.commissionAsset),
    ).toEqual(['BNB', 'BNB']);
  });

  it('not enough BNB (0.01 < 0.01985871): the full commission comes out of the received asset', async () => {
    const r = await call(poor, 'POST', '/api/v3/order', market('BTCUSDT', 'BUY', { quoteOrderQty: '1000' }));
    expect(r.body.fills).toEqual([
      expect.objectContaining({ commission: '0.00003409', commissionAsset: 'BTC' }),
    ]);
    expect(bal(poor)).toEqual({ BNB: '0.01000000', BTC: '0.03405591', USDT: '9000.08234700' });
  });

  it('buying BNB with no BNB: the commission is paid from the BNB just received (2.648 × 0.00075)', async () => {
    const r = await call(none, 'POST', '/api/v3/order', market('BNBUSDT', 'BUY', { quoteOrderQty: '100' }));
    expect(r.body).toMatchObject({ executedQty: '2.64800000', cummulativeQuoteQty: '99.99827760' });
    expect(r.body.fills).toEqual([
      expect.objectContaining({ commission: '0.00198600', commissionAsset: 'BNB' }),
    ]);
    // BNB 2.648 − 0.001986 (a standard commission would have been 0.002648); USDT 10000 − 99.9982776
    expect(bal(none)).toEqual({ BNB: '2.64601400', USDT: '9900.00172240' });
  });

  it('the switch off (the default): commission in the received asset although the account holds BNB', async () => {
    const r = await call(plain, 'POST', '/api/v3/order', market('BTCUSDT', 'BUY', { quoteOrderQty: '1000' }));
    expect(r.body.fills).toEqual([
      expect.objectContaining({ commission: '0.00003409', commissionAsset: 'BTC' }),
    ]);
    expect(bal(plain).BNB).toBe('1.00000000');
  });

  it('account/commission and order/test (computeCommissionRates) report the discount', async () => {
    const expected = (on: boolean) => ({
      enabledForAccount: on,
      enabledForSymbol: true,
      discountAsset: 'BNB',
      discount: '0.25000000',
    });
    for (const [c, on] of [
      [rich, true],
      [plain, false],
    ] as const) {
      const q = await call(c, 'GET', '/api/v3/account/commission', { symbol: 'BTCUSDT' });
      expect(q.body.discount).toEqual(expected(on));
      const t = await call(c, 'POST', '/api/v3/order/test', {
        ...market('BTCUSDT', 'BUY', { quoteOrderQty: '100' }),
        computeCommissionRates: 'true',
      });
      expect(t.body.discount).toEqual(expected(on));
    }
  });
});
