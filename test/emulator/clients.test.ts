/**
 * Real clients against the emulator: binance-api-node 0.13.10 (the library the project's adapter uses,
 * pointed at the emulator with `httpBase`, never `testnet: true`, and `getTime` = the emulator clock) and
 * a raw `fetch` client that signs by hand as rest-api.md "SIGNED Endpoint Examples" describes. Expected
 * fills: BTCUSDT 2021-01-02 open 29331.7 (data/binance/klines-1d/BTCUSDT.csv.gz), LOT_SIZE step 0.00001
 * (exchangeInfo 2023-09-08), taker fee 0.001 in the asset received (strategy-semantics.md §7).
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_API_KEY,
  DEMO_API_SECRET,
  type RunningEmulator,
  startEmulator,
} from '../../src/emulator/server.ts';
import { bundledDataset } from './support.ts';

let emu: RunningEmulator;
// biome-ignore lint/suspicious/noExplicitAny: binance-api-node's client object, used as its docs show
let client: any;

beforeAll(async () => {
  emu = await startEmulator({ dataset: await bundledDataset(), asOf: '2021-01-02' });
  const m = await import('binance-api-node');
  // biome-ignore lint/suspicious/noExplicitAny: CJS/ESM interop of the package's default export
  const mod = m as any;
  const Binance = mod.default?.default ?? mod.default ?? mod;
  client = Binance({
    apiKey: DEMO_API_KEY,
    apiSecret: DEMO_API_SECRET,
    httpBase: emu.baseUrl,
    getTime: () => emu.now(),
  });
});
afterAll(() => emu.close());

describe('binance-api-node', () => {
  it('ping, time, exchangeInfo, candles, prices', async () => {
    expect(await client.ping()).toBe(true);
    const t = await client.time();
    expect(Math.abs(t - emu.now())).toBeLessThan(1000);
    const info = await client.exchangeInfo();
    expect(info.symbols.find((s: { symbol: string }) => s.symbol === 'BTCUSDT').status).toBe('TRADING');
    const candles = await client.candles({ symbol: 'BTCUSDT', interval: '1d', limit: 2 });
    expect(candles[0]).toMatchObject({
      openTime: Date.UTC(2021, 0, 1),
      open: '28923.63000000',
      close: '29331.69000000',
      closeTime: Date.UTC(2021, 0, 2) - 1,
    });
    const prices = await client.prices();
    expect(prices.BTCUSDT).toBe('29331.70000000');
  });

  it('accountInfo, a MARKET order (FULL, own clientOrderId), getOrder', async () => {
    const acct = await client.accountInfo();
    expect(acct.balances).toContainEqual(expect.objectContaining({ asset: 'USDT', free: '10000.00000000' }));
    // 250 / 29331.7 = 0.0085232 → 0.00852; cost 0.00852 × 29331.7 = 249.906084; commission 0.00000852 BTC
    const o = await client.order({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quoteOrderQty: '250',
      newClientOrderId: 'rb-2021-01-02-BTCUSDT-BUY-0',
      newOrderRespType: 'FULL',
    });
    expect(o).toMatchObject({
      clientOrderId: 'rb-2021-01-02-BTCUSDT-BUY-0',
      status: 'FILLED',
      executedQty: '0.00852000',
      cummulativeQuoteQty: '249.90608400',
    });
    expect(o.fills[0]).toMatchObject({
      price: '29331.70000000',
      commission: '0.00000852',
      commissionAsset: 'BTC',
    });
    const q = await client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'rb-2021-01-02-BTCUSDT-BUY-0' });
    expect(q).toMatchObject({ orderId: o.orderId, status: 'FILLED', executedQty: '0.00852000' });
    const weight = client.getInfo();
    expect(
      Object.values(weight).some((v) => (v as { usedWeight1m?: string }).usedWeight1m !== undefined),
    ).toBe(true);
  });

  it('errors surface with their Binance code and message', async () => {
    await expect(
      client.order({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quoteOrderQty: '1',
        newClientOrderId: 'tiny',
      }),
    ).rejects.toMatchObject({ code: -1013, message: 'Filter failure: NOTIONAL' });
    await expect(client.getOrder({ symbol: 'BTCUSDT', origClientOrderId: 'never' })).rejects.toMatchObject({
      code: -2013,
      message: 'Order does not exist.',
    });
  });
});

describe('a raw fetch client signing by hand (rest-api.md "HMAC Keys")', () => {
  it('POSTs a form body, signs query + body, and reads the account', async () => {
    const body = `symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.1&timestamp=${emu.now()}`;
    const signature = createHmac('sha256', DEMO_API_SECRET).update(body).digest('hex');
    const r = await fetch(`${emu.baseUrl}/api/v3/order`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': DEMO_API_KEY, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `${body}&signature=${signature}`,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    // 0.1 × 29331.7 = 2933.17; commission 2.93317 USDT
    expect(await r.json()).toMatchObject({ status: 'FILLED', cummulativeQuoteQty: '2933.17000000' });
    const qs = `omitZeroBalances=true&timestamp=${emu.now()}`;
    const sig = createHmac('sha256', DEMO_API_SECRET).update(qs).digest('hex');
    const a = await fetch(`${emu.baseUrl}/api/v3/account?${qs}&signature=${sig}`, {
      headers: { 'X-MBX-APIKEY': DEMO_API_KEY },
    });
    const acct = (await a.json()) as { balances: { asset: string; free: string }[] };
    // BTC 1 + 0.00852 − 0.00000852 − 0.1 = 0.90851148; USDT 10000 − 249.906084 + 2933.17 − 2.93317 = 12680.330746
    expect(acct.balances.find((b) => b.asset === 'BTC')?.free).toBe('0.90851148');
    expect(acct.balances.find((b) => b.asset === 'USDT')?.free).toBe('12680.33074600');
  });
});
