/**
 * MARKET (and LIMIT) orders through the emulator's HTTP API, with expected values computed by hand from
 * the bundled BTCUSDT daily CSV (data/binance/klines-1d/BTCUSDT.csv.gz, row 1609545600000 =
 * 2021-01-02: open 29331.7), the bundled exchangeInfo snapshot 2023-09-08 (BTCUSDT LOT_SIZE stepSize
 * 0.00001, MARKET_LOT_SIZE stepSize 0 → LOT_SIZE sizes MARKET orders, NOTIONAL minNotional 5
 * applyMinToMarket) and strategy-semantics.md §6-§7 (commission in the asset received,
 * faqs/commission_faq.md).
 */
import { describe, expect, it } from 'vitest';
import { at, type Creds, manualClock, type Reply, signed, useBundledEmulator } from './support.ts';

const creds: Creds = { apiKey: 'orders-test-key', secret: 'orders-test-secret' };
const clock = manualClock(at('2021-01-02T00:00:05Z'));
const call = (
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  params: Record<string, string | number> = {},
) => signed(emu().baseUrl, clock.now, creds, method, path, params);
/** POST /api/v3/order for BTCUSDT with `params`. */
const order = (params: Record<string, string>) =>
  call('POST', '/api/v3/order', { symbol: 'BTCUSDT', ...params });
/** A MARKET order of `side` for BTCUSDT with `params`. */
const market = (side: string, params: Record<string, string>) => order({ side, type: 'MARKET', ...params });
/** The reply is HTTP 200 with a body holding `fields`. */
const expectOk = (r: Reply, fields: Record<string, unknown>) => {
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject(fields);
};
/** The account's balances are `btc` BTC and `usdt` USDT free, nothing locked. */
const expectFree = (btc: string, usdt: string) =>
  expect(emu().balances(creds.apiKey)).toEqual([
    { asset: 'BTC', free: btc, locked: '0.00000000' },
    { asset: 'USDT', free: usdt, locked: '0.00000000' },
  ]);
/** The account's balance of `asset`. */
const balance = (asset: string) =>
  emu()
    .balances(creds.apiKey)
    .find((b) => b.asset === asset);

const emu = useBundledEmulator({
  now: clock.now,
  accounts: [{ ...creds, balances: { USDT: '10000', BTC: '1' } }],
});

describe('MARKET orders fill per strategy-semantics §7 at the day open (BTCUSDT 2021-01-02, p = 29331.7)', () => {
  it('BUY quoteOrderQty 1000: q = floor_step(1000 / 29331.7, 0.00001) = 0.03409, commission 0.00003409 BTC', async () => {
    // 1000 / 29331.7 = 0.0340928... → 0.03409 (0.03410 × 29331.7 = 1000.210970 > 1000)
    // cost = 0.03409 × 29331.7 = 999.917653; commission = 0.03409 × 0.001 = 0.00003409 BTC
    const r = await market('BUY', { quoteOrderQty: '1000', newClientOrderId: 'buy-1' });
    expectOk(r, {
      symbol: 'BTCUSDT',
      clientOrderId: 'buy-1',
      orderListId: -1,
      transactTime: clock.now(),
      price: '0.00000000',
      origQty: '0.03409000',
      executedQty: '0.03409000',
      origQuoteOrderQty: '1000.00000000',
      cummulativeQuoteQty: '999.91765300',
      status: 'FILLED',
      timeInForce: 'GTC',
      type: 'MARKET',
      side: 'BUY',
      workingTime: clock.now(),
      selfTradePreventionMode: 'NONE',
    });
    expect(r.body.fills).toEqual([
      {
        price: '29331.70000000',
        qty: '0.03409000',
        commission: '0.00003409',
        commissionAsset: 'BTC',
        tradeId: expect.any(Number),
      },
    ]);
    // BTC 1 + 0.03409 − 0.00003409 = 1.03405591; USDT 10000 − 999.917653 = 9000.082347
    expectFree('1.03405591', '9000.08234700');
  });

  it('SELL quantity 0.5: proceeds 14665.85, commission 14.66585 USDT', async () => {
    clock.advance(1000);
    // 0.5 × 29331.7 = 14665.85; × 0.001 = 14.66585; USDT 9000.082347 + 14665.85 − 14.66585 = 23651.266497
    const r = await market('SELL', {
      quantity: '0.5',
      newClientOrderId: 'sell-1',
      newOrderRespType: 'RESULT',
    });
    expectOk(r, {
      status: 'FILLED',
      origQty: '0.50000000',
      executedQty: '0.50000000',
      cummulativeQuoteQty: '14665.85000000',
    });
    expect(r.body.fills).toBeUndefined();
    expectFree('0.53405591', '23651.26649700');
  });

  it('BUY by quantity 0.01 costs 293.317 and SELL by quoteOrderQty 100 sells floor_step(100 / p) = 0.00340', async () => {
    clock.advance(1000);
    const b = await market('BUY', { quantity: '0.01' });
    expect(b.body).toMatchObject({ executedQty: '0.01000000', cummulativeQuoteQty: '293.31700000' });
    expect(b.body.fills[0]).toMatchObject({ commission: '0.00001000', commissionAsset: 'BTC' });
    // 100 / 29331.7 = 0.0034093 → 0.00340; proceeds 0.0034 × 29331.7 = 99.72778; commission 0.09972778 USDT
    const s = await market('SELL', { quoteOrderQty: '100' });
    expect(s.body).toMatchObject({ executedQty: '0.00340000', cummulativeQuoteQty: '99.72778000' });
    expect(s.body.fills[0]).toMatchObject({ commission: '0.09972778', commissionAsset: 'USDT' });
    // BTC 0.53405591 + 0.01 − 0.00001 − 0.0034 = 0.54064591; USDT 23651.266497 − 293.317 + 99.72778 − 0.09972778
    expectFree('0.54064591', '23457.57754922');
  });

  it('GET order, allOrders and myTrades agree with the fills', async () => {
    const q = await call('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'buy-1' });
    expectOk(q, {
      clientOrderId: 'buy-1',
      status: 'FILLED',
      executedQty: '0.03409000',
      cummulativeQuoteQty: '999.91765300',
      type: 'MARKET',
      side: 'BUY',
      isWorking: true,
    });
    const byId = await call('GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId: q.body.orderId });
    expect(byId.body).toEqual(q.body);
    const all = await call('GET', '/api/v3/allOrders', { symbol: 'BTCUSDT' });
    expect(all.body.map((o: { clientOrderId: string }) => o.clientOrderId).slice(0, 2)).toEqual([
      'buy-1',
      'sell-1',
    ]);
    expect(all.body).toHaveLength(4);
    const trades = await call('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' });
    expect(trades.body).toHaveLength(4);
    expect(trades.body[0]).toMatchObject({
      symbol: 'BTCUSDT',
      orderId: q.body.orderId,
      orderListId: -1,
      price: '29331.70000000',
      qty: '0.03409000',
      quoteQty: '999.91765300',
      commission: '0.00003409',
      commissionAsset: 'BTC',
      isBuyer: true,
      isMaker: false,
      isBestMatch: true,
    });
    expect(trades.body[1]).toMatchObject({ qty: '0.50000000', commission: '14.66585000', isBuyer: false });
    const one = await call('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', orderId: q.body.orderId });
    expect(one.body).toHaveLength(1);
    const acct = await call('GET', '/api/v3/account', { omitZeroBalances: 'true' });
    expect(acct.body.balances).toEqual(emu().balances(creds.apiKey));
  });
});

describe('LIMIT orders', () => {
  /** A GTC LIMIT order of `side` for BTCUSDT with `params`. */
  const gtc = (side: string, params: Record<string, string>) =>
    order({ side, type: 'LIMIT', timeInForce: 'GTC', ...params });
  it('a non-marketable GTC BUY rests NEW with price × qty USDT locked; cancel releases it', async () => {
    // 0.01 × 20000 = 200 USDT locked
    const before = emu().balances(creds.apiKey);
    const r = await gtc('BUY', { quantity: '0.01', price: '20000', newClientOrderId: 'limit-1' });
    expectOk(r, {
      status: 'NEW',
      price: '20000.00000000',
      executedQty: '0.00000000',
      fills: [],
    });
    expect(balance('USDT')).toEqual({ asset: 'USDT', free: '23257.57754922', locked: '200.00000000' });
    const open = await call('GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(open.body.map((o: { clientOrderId: string }) => o.clientOrderId)).toEqual(['limit-1']);
    const c = await call('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'limit-1' });
    expectOk(c, {
      status: 'CANCELED',
      origClientOrderId: 'limit-1',
      orderId: r.body.orderId,
    });
    expect(emu().balances(creds.apiKey)).toEqual(before);
    const again = await call('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId: r.body.orderId });
    expect(again.body).toEqual({ code: -2011, msg: 'Unknown order sent.' });
  });

  it('a marketable LIMIT BUY fills at the current price (taker); LIMIT_MAKER that would match is -2010', async () => {
    const r = await gtc('BUY', { quantity: '0.001', price: '30000' });
    // fills 0.001 at 29331.7 (≤ 30000): 29.3317 USDT, commission 0.000001 BTC
    expect(r.body).toMatchObject({
      status: 'FILLED',
      price: '30000.00000000',
      cummulativeQuoteQty: '29.33170000',
    });
    expect(r.body.fills[0]).toMatchObject({
      price: '29331.70000000',
      qty: '0.00100000',
      commission: '0.00000100',
    });
    const m = await order({ side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.001', price: '30000' });
    expect(m.status).toBe(400);
    expect(m.body).toEqual({ code: -2010, msg: 'Order would immediately match and take.' });
  });

  it('a non-marketable IOC expires unfilled; DELETE openOrders cancels every open order of the symbol', async () => {
    const ioc = await order({
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'IOC',
      quantity: '0.001',
      price: '35000',
    });
    expect(ioc.body).toMatchObject({ status: 'EXPIRED', executedQty: '0.00000000' });
    for (const price of ['40000', '41000']) {
      await gtc('SELL', { quantity: '0.001', price });
    }
    expect(balance('BTC')?.locked).toBe('0.00200000');
    const all = await call('DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(all.body.map((o: { status: string }) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    expect(balance('BTC')?.locked).toBe('0.00000000');
  });
});
