/**
 * The emulator's test controls (docs/emulator.md "Test controls"), used by the adapter and fault tests:
 * an order request held before processing (and -1021 when it then arrives after timestamp + recvWindow,
 * rest-api.md "Timing security"), partial fills (EXPIRED with part filled), clock skew, and a state reset
 * (testnet/general-info.md: the testnet is reset periodically, balances and orders gone) — from code and
 * over HTTP (`POST /emulator/test-controls`, only when enabled). Requests are signed by the independent
 * client of support.ts. Expected values by hand from the docs' fill model: a MARKET BUY of
 * quoteOrderQty Q at price p fills floor_step(Q / p).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dec, floorStep } from '../../src/domain/decimal.ts';
import { type RunningEmulator, startEmulator, TEST_CONTROLS_PATH } from '../../src/emulator/server.ts';
import { at, bundledDataset, pub, signed } from './support.ts';

const creds = { apiKey: 'ctl', secret: 'ctl-secret' };
const START = at('2021-03-01T12:00:00Z');

describe('emulator test controls', () => {
  let emu: RunningEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  const start = async (testControls = false) => {
    const t0 = Date.now();
    emu = await startEmulator({
      dataset: await bundledDataset(),
      now: () => START + (Date.now() - t0),
      accounts: [{ ...creds, balances: { USDT: '1000' } }],
      testControls,
    });
    return emu;
  };
  const buy = (e: RunningEmulator, cid: string, q = '100', recvWindow = 5000) =>
    signed(e.baseUrl, e.now, creds, 'POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quoteOrderQty: q,
      newClientOrderId: cid,
      recvWindow,
    });

  it('delayNextOrders: the order is processed after the delay; past timestamp + recvWindow it is -1021 and nothing executes', async () => {
    const e = await start();
    e.control({ delayNextOrders: { ms: 300 } });
    const t = Date.now();
    const ok = await buy(e, 'd-1', '100', 5000);
    expect(ok.status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(300);
    e.control({ delayNextOrders: { ms: 400 } });
    const late = await buy(e, 'd-2', '100', 200);
    expect(late.status).toBe(400);
    expect(late.body).toEqual({
      code: -1021,
      msg: 'Timestamp for this request is outside of the recvWindow.',
    });
    const usdt = e.balances(creds.apiKey).find((b) => b.asset === 'USDT')?.free;
    expect(dec(usdt as string).toFixed(8)).toBe(dec(1000).minus(ok.body.cummulativeQuoteQty).toFixed(8));
  });

  it('partialFillNext: half of quoteOrderQty 100 is filled, status EXPIRED; the next order fills in full', async () => {
    const e = await start();
    const price = (await pub(e.baseUrl, '/api/v3/ticker/price', { symbol: 'BTCUSDT' })).body.price as string;
    e.control({ partialFillNext: { fraction: '0.5' } });
    const half = await buy(e, 'p-1');
    expect(half.body.status).toBe('EXPIRED');
    expect(half.body.expiryReason).toBe('INSUFFICIENT_LIQUIDITY');
    // BTCUSDT stepSize 0.00001 (2023-09-08 snapshot): q = floor_step(50 / p).
    expect(dec(half.body.executedQty).toFixed(8)).toBe(floorStep(dec(50).div(price), '0.00001').toFixed(8));
    expect(half.body.origQuoteOrderQty).toBe('100.00000000');
    const full = await buy(e, 'p-2');
    expect(full.body.status).toBe('FILLED');
    expect(dec(full.body.executedQty).toFixed(8)).toBe(floorStep(dec(100).div(price), '0.00001').toFixed(8));
  });

  it('clockSkewMs: /api/v3/time moves by the skew; resetState: starting balances, no orders', async () => {
    const e = await start();
    const t1 = (await pub(e.baseUrl, '/api/v3/time')).body.serverTime as number;
    e.control({ clockSkewMs: 3_600_000 });
    const t2 = (await pub(e.baseUrl, '/api/v3/time')).body.serverTime as number;
    expect(t2 - t1).toBeGreaterThanOrEqual(3_600_000);
    expect(t2 - t1).toBeLessThan(3_600_000 + 2_000);
    e.control({ clockSkewMs: 0 });
    expect((await buy(e, 'r-1')).status).toBe(200);
    expect(e.balances(creds.apiKey).map((b) => b.asset)).toEqual(['BTC', 'USDT']);
    e.control({ resetState: true });
    expect(e.balances(creds.apiKey)).toEqual([
      { asset: 'USDT', free: '1000.00000000', locked: '0.00000000' },
    ]);
    const q = await signed(e.baseUrl, e.now, creds, 'GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'r-1',
    });
    expect(q.body).toEqual({ code: -2013, msg: 'Order does not exist.' });
  });

  it('over HTTP only when enabled: 404 -1020 otherwise; a bad value is 400 naming it', async () => {
    const off = await start(false);
    const r0 = await fetch(`${off.baseUrl}${TEST_CONTROLS_PATH}`, {
      method: 'POST',
      body: '{"resetState":true}',
    });
    expect(r0.status).toBe(404);
    await off.close();
    const on = await start(true);
    const r1 = await fetch(`${on.baseUrl}${TEST_CONTROLS_PATH}`, {
      method: 'POST',
      body: JSON.stringify({ partialFillNext: { fraction: '0.5' } }),
    });
    expect(r1.status).toBe(200);
    expect((await buy(on, 'h-1')).body.status).toBe('EXPIRED');
    const r2 = await fetch(`${on.baseUrl}${TEST_CONTROLS_PATH}`, {
      method: 'POST',
      body: JSON.stringify({ partialFillNext: { fraction: '2' } }),
    });
    expect(r2.status).toBe(400);
    expect(((await r2.json()) as { msg: string }).msg).toBe(
      'test controls: partial fill fraction must be in (0, 1), got 2',
    );
  });
});
