/**
 * STOP_LOSS / TAKE_PROFIT orders and the settable clock (issue 10 item 7), end to end: binance-api-node →
 * HTTP → the emulator over the real hourly BTCUSDT candles of the bundled data/binance/klines-1h (byte-identical
 * to ../shared/data/binance/klines-1h). A test walks a position through a stop by moving the emulator clock — from code
 * (`emu.control`) and over HTTP (`POST /emulator/test-controls`) — as the intraday worker's e2e test will.
 *
 * Hourly rows used (BTCUSDT, open/high/low/close, from the CSV):
 *   2021-03-01 01:00  46217.18 / 46492.33 / 45850.00 / 46161.83   (falling: path o → h → l → c)
 *   2021-03-01 03:00  46414.70 / 46540.31 / 46204.08 / 46336.37   (falling)
 *   2021-03-01 04:00  46336.38 / 46688.13 / 45959.70 / 46458.33   (rising: path o → l → h → c)
 * The path points sit at +20 min, +40 min and the candle's last ms (docs/emulator.md "Stop orders").
 * Fees: the default taker commission 0.001 of the USDT received, rounded up to 8 decimals.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, loadDataset } from '../../src/adapters/data/bundled-dataset.ts';
import { type RunningEmulator, startEmulator, TEST_CONTROLS_PATH } from '../../src/emulator/server.ts';
import { at, BUNDLED_DIR, dailyOnlyBundledDataset } from './support.ts';

const creds = { apiKey: 'stops', secret: 'stops-secret' };

// biome-ignore lint/suspicious/noExplicitAny: binance-api-node has no types for our use
type Client = any;

async function clientFor(emu: RunningEmulator): Promise<Client> {
  const m = await import('binance-api-node');
  // biome-ignore lint/suspicious/noExplicitAny: CJS/ESM interop of the package's default export
  const mod = m as any;
  const Binance = mod.default?.default ?? mod.default ?? mod;
  return Binance({
    apiKey: creds.apiKey,
    apiSecret: creds.secret,
    httpBase: emu.baseUrl,
    getTime: () => emu.now(),
  });
}

/** The Binance error of a rejected call: `{ code, message }`. */
async function rejection(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code: number; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a rejection');
}

/** Places a BTCUSDT SELL order with `params` (type, quantity, stop…). */
const sell = (client: Client, params: Record<string, unknown>) =>
  client.order({ symbol: 'BTCUSDT', side: 'SELL', ...params });

const bal = (emu: RunningEmulator, asset: string) =>
  emu.balances(creds.apiKey).find((b) => b.asset === asset) ?? { asset, free: '0', locked: '0' };

describe('stop orders and the settable clock (hourly BTCUSDT, bundled data/binance/klines-1h)', () => {
  let ds: Dataset;
  let emu: RunningEmulator | undefined;
  beforeAll(async () => {
    ds = await loadDataset(BUNDLED_DIR, { symbols: ['BTCUSDT'] });
  });
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });
  const start = async (clock: string) => {
    emu = await startEmulator({
      dataset: ds,
      asOf: '2021-03-01',
      accounts: [{ ...creds, balances: { USDT: '1000', BTC: '0.05' } }],
      testControls: true,
    });
    emu.control({ setClock: clock });
    return { e: emu, client: await clientFor(emu) };
  };

  it('the clock is set and advanced; 1h klines and the last price follow it (closed candles complete)', async () => {
    const { e, client } = await start('2021-03-01T03:30:00Z');
    expect(Math.abs(e.now() - at('2021-03-01T03:30:00Z'))).toBeLessThan(5000);
    expect((await client.prices({ symbol: 'BTCUSDT' })).BTCUSDT).toBe('46414.70000000'); // 03:00 open
    e.control({ advanceClockMs: 3_600_000 }); // 04:30
    expect((await client.prices({ symbol: 'BTCUSDT' })).BTCUSDT).toBe('46336.38000000'); // 04:00 open
    const k = await client.candles({ symbol: 'BTCUSDT', interval: '1h', limit: 2 });
    expect(k[0]).toMatchObject({
      openTime: at('2021-03-01T03:00:00Z'),
      open: '46414.70000000',
      high: '46540.31000000',
      low: '46204.08000000',
      close: '46336.37000000',
    });
    expect(k[1].openTime).toBe(at('2021-03-01T04:00:00Z')); // the current, partial candle
    // Over HTTP: set the clock to 08:00 exactly.
    const r = await fetch(`${e.baseUrl}${TEST_CONTROLS_PATH}`, {
      method: 'POST',
      body: JSON.stringify({ setClock: '2021-03-01T08:00:00Z' }),
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { serverTime: number };
    expect(body.serverTime - at('2021-03-01T08:00:00Z')).toBeLessThan(1000);
    const last = await client.candles({ symbol: 'BTCUSDT', interval: '1h', limit: 1 });
    expect(last[0].openTime).toBe(at('2021-03-01T08:00:00Z'));
    // A bad value: 400 -1130 naming the field; the clock is unchanged.
    const bad = await fetch(`${e.baseUrl}${TEST_CONTROLS_PATH}`, {
      method: 'POST',
      body: JSON.stringify({ setClock: '2021-03-01 10:00' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { msg: string }).msg).toMatch(/^test controls: setClock must be/);
    expect(e.now() - at('2021-03-01T08:00:00Z')).toBeLessThan(5000);
  });

  it('STOP_LOSS SELL rests NEW with its quantity locked, then fills at the stop when the 04:00 candle crosses it', async () => {
    const { e, client } = await start('2021-03-01T03:10:00Z');
    const placed = await sell(client, {
      type: 'STOP_LOSS',
      quantity: '0.01',
      stopPrice: '46000',
      newClientOrderId: 'stop-1',
    });
    // Default response type of a STOP_LOSS is ACK (rest-api.md "New order": FULL only for MARKET/LIMIT).
    expect(placed).toMatchObject({ symbol: 'BTCUSDT', clientOrderId: 'stop-1' });
    expect(bal(e, 'BTC')).toEqual({ asset: 'BTC', free: '0.04000000', locked: '0.01000000' });
    // The one open order:
    expect(await client.openOrders({ symbol: 'BTCUSDT' })).toEqual([
      expect.objectContaining({
        orderId: placed.orderId,
        type: 'STOP_LOSS',
        side: 'SELL',
        status: 'NEW',
        stopPrice: '46000.00000000',
        origQty: '0.01000000',
        isWorking: false,
        workingTime: -1,
      }),
    ]);
    // 04:30: the 03:00 candle (low 46204.08) has not reached 46000; the 04:00 one is not closed yet.
    e.control({ setClock: '2021-03-01T04:30:00Z' });
    expect((await client.getOrder({ symbol: 'BTCUSDT', orderId: placed.orderId })).status).toBe('NEW');
    // 05:00: the 04:00 candle rises (close ≥ open), so its path goes 46336.38 → low 45959.70 first and
    // crosses 46000 at (46336.38 − 46000) / (46336.38 − 45959.70) = 0.89301… of its first 20 minutes:
    // 04:00 + floor(1 200 000 × 0.8930126) = 04:00 + 1 071 615 ms.
    e.control({ advanceClockMs: 1_800_000 });
    const done = await client.getOrder({ symbol: 'BTCUSDT', orderId: placed.orderId });
    const trigTime = at('2021-03-01T04:00:00Z') + 1_071_615;
    expect(done).toMatchObject({
      status: 'FILLED',
      executedQty: '0.01000000',
      cummulativeQuoteQty: '460.00000000', // 0.01 × 46000
      workingTime: trigTime,
      updateTime: trigTime,
      isWorking: true,
    });
    const trades = await client.myTrades({ symbol: 'BTCUSDT' });
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({
      orderId: placed.orderId,
      price: '46000.00000000',
      qty: '0.01000000',
      commission: '0.46000000', // 460 × 0.001
      commissionAsset: 'USDT',
      time: trigTime,
      isBuyer: false,
      isMaker: false,
    });
    expect(bal(e, 'BTC')).toEqual({ asset: 'BTC', free: '0.04000000', locked: '0.00000000' });
    expect(bal(e, 'USDT').free).toBe('1459.54000000'); // 1000 + 460 − 0.46
    expect(await client.openOrders({ symbol: 'BTCUSDT' })).toEqual([]);
  });

  it('a trailing STOP_LOSS SELL (trailingDelta 100 = 1 %) follows the high and fires 1 % below it', async () => {
    const { e, client } = await start('2021-03-01T01:00:00Z');
    const placed = await sell(client, {
      type: 'STOP_LOSS',
      quantity: '0.01',
      trailingDelta: 100,
      newOrderRespType: 'RESULT',
    });
    expect(placed).toMatchObject({ status: 'NEW', trailingDelta: 100, stopPrice: '0.00000000' });
    // The 01:00 candle falls: 46217.18 → high 46492.33 (the extreme) → low 45850. Level
    // 46492.33 × 0.99 = 46027.4067, traded at the tick below: 46027.40, reached at (46492.33 − 46027.40) /
    // (46492.33 − 45850) = 0.72382 of the 01:20 → 01:40 leg: 01:20 + floor(1 200 000 × 0.7238180) ms.
    e.control({ setClock: '2021-03-01T02:00:00Z' });
    const done = await client.getOrder({ symbol: 'BTCUSDT', orderId: placed.orderId });
    expect(done).toMatchObject({ status: 'FILLED', cummulativeQuoteQty: '460.27400000', trailingDelta: 100 });
    expect(done.workingTime).toBe(at('2021-03-01T01:00:00Z') + 1_200_000 + 868_581);
    const [trade] = await client.myTrades({ symbol: 'BTCUSDT' });
    expect(trade).toMatchObject({ price: '46027.40000000', commission: '0.46027400' });
  });

  it('cancel with DELETE /api/v3/order releases the locked quantity; a canceled stop never fires', async () => {
    const { e, client } = await start('2021-03-01T03:10:00Z');
    const placed = await sell(client, { type: 'STOP_LOSS', quantity: '0.02', stopPrice: '46000' });
    expect(bal(e, 'BTC').locked).toBe('0.02000000');
    const canceled = await client.cancelOrder({ symbol: 'BTCUSDT', orderId: placed.orderId });
    expect(canceled).toMatchObject({ status: 'CANCELED', type: 'STOP_LOSS', stopPrice: '46000.00000000' });
    expect(bal(e, 'BTC')).toEqual({ asset: 'BTC', free: '0.05000000', locked: '0.00000000' });
    e.control({ setClock: '2021-03-01T06:00:00Z' }); // past the 04:00 crossing
    expect(await client.myTrades({ symbol: 'BTCUSDT' })).toEqual([]);
    expect(bal(e, 'BTC').free).toBe('0.05000000');
  });

  it('rejections: -2010 "Order would trigger immediately.", -1013 TRAILING_DELTA, -2010 insufficient balance; nothing rests', async () => {
    const { e, client } = await start('2021-03-01T03:10:00Z'); // last price 46414.70
    const base = { symbol: 'BTCUSDT', side: 'SELL', quantity: '0.01' };
    // STOP_LOSS SELL triggers at price ≤ stop; TAKE_PROFIT SELL at price ≥ stop (trailing-stop-faq.md table).
    expect(await rejection(client.order({ ...base, type: 'STOP_LOSS', stopPrice: '46500' }))).toEqual({
      code: -2010,
      message: 'Order would trigger immediately.',
    });
    expect(await rejection(client.order({ ...base, type: 'TAKE_PROFIT', stopPrice: '46400' }))).toEqual({
      code: -2010,
      message: 'Order would trigger immediately.',
    });
    // BTCUSDT TRAILING_DELTA: 10 ≤ δ ≤ 2000 (bundled exchangeInfo snapshot).
    for (const trailingDelta of [9, 2001]) {
      expect(await rejection(client.order({ ...base, type: 'STOP_LOSS', trailingDelta }))).toEqual({
        code: -1013,
        message: 'Filter failure: TRAILING_DELTA',
      });
    }
    expect(await rejection(client.order({ ...base, type: 'STOP_LOSS', stopPrice: '46000.001' }))).toEqual({
      code: -1013,
      message: 'Filter failure: PRICE_FILTER',
    });
    expect(await rejection(client.order({ ...base, type: 'STOP_LOSS' }))).toEqual({
      code: -1102,
      message: "Param 'stopPrice' or 'trailingDelta' must be sent, but both were empty/null!",
    });
    expect(
      await rejection(client.order({ ...base, quantity: '0.06', type: 'STOP_LOSS', stopPrice: '46000' })),
    ).toEqual({ code: -2010, message: 'Account has insufficient balance for requested action.' });
    expect(await client.openOrders({ symbol: 'BTCUSDT' })).toEqual([]);
    expect(bal(e, 'BTC')).toEqual({ asset: 'BTC', free: '0.05000000', locked: '0.00000000' });
  });

  it('TAKE_PROFIT SELL fires when the path reaches its stopPrice from below', async () => {
    const { e, client } = await start('2021-03-01T03:10:00Z'); // 46414.70
    const placed = await sell(client, { type: 'TAKE_PROFIT', quantity: '0.01', stopPrice: '46500' });
    // The 03:00 candle falls: 46414.70 → high 46540.31 crosses 46500 on its first leg, at
    // (46500 − 46414.70) / (46540.31 − 46414.70) = 0.67908… of the leg; the leg's part before the order
    // (03:00 → 03:10) is compressed into 03:10 → 03:20, so the fill is at 03:10 + ~0.679 × 10 min.
    e.control({ setClock: '2021-03-01T04:00:00Z' });
    const done = await client.getOrder({ symbol: 'BTCUSDT', orderId: placed.orderId });
    expect(done).toMatchObject({ status: 'FILLED', cummulativeQuoteQty: '465.00000000' }); // 0.01 × 46500
    expect(done.workingTime).toBeGreaterThanOrEqual(at('2021-03-01T03:10:00Z') + 407_000);
    expect(done.workingTime).toBeLessThanOrEqual(at('2021-03-01T03:10:00Z') + 412_000);
    expect(bal(e, 'USDT').free).toBe('1464.53500000'); // 1000 + 465 − 0.465
  });
});

describe('stop orders on daily candles (the bundled data without its hourly files)', () => {
  it('BUY STOP_LOSS locks quantity × stopPrice; BUY and SELL stops fire on the day candle closed by the clock', async () => {
    // BTCUSDT 2021-03-02 (daily): open 49595.76, high 50200, low 47047.60, close 48440.65 — falling, so
    // the path is open → high (crosses the BUY stop 50000) → low (crosses the SELL stop 47500) → close.
    const emu = await startEmulator({
      dataset: await dailyOnlyBundledDataset(),
      asOf: '2021-03-02',
      accounts: [{ ...creds, balances: { USDT: '1000', BTC: '0.05' } }],
    });
    try {
      const client = await clientFor(emu);
      const o = { symbol: 'BTCUSDT', type: 'STOP_LOSS', quantity: '0.01' };
      const buy = await client.order({ ...o, side: 'BUY', stopPrice: '50000' });
      const sell = await client.order({ ...o, side: 'SELL', stopPrice: '47500' });
      expect(bal(emu, 'USDT')).toEqual({ asset: 'USDT', free: '500.00000000', locked: '500.00000000' });
      expect(bal(emu, 'BTC')).toEqual({ asset: 'BTC', free: '0.04000000', locked: '0.01000000' });
      emu.control({ setClock: '2021-03-02T23:00:00Z' }); // the day is not over: its price is still the open
      expect(
        (await client.openOrders({ symbol: 'BTCUSDT' })).map((x: { orderId: number }) => x.orderId),
      ).toEqual([buy.orderId, sell.orderId]);
      emu.control({ setClock: '2021-03-03T00:00:00Z' });
      expect(await client.openOrders({ symbol: 'BTCUSDT' })).toEqual([]);
      const trades = await client.myTrades({ symbol: 'BTCUSDT' });
      expect(trades.map((t: { price: string; commission: string }) => [t.price, t.commission])).toEqual([
        ['50000.00000000', '0.00001000'], // BUY 0.01: commission 0.001 × 0.01 BTC
        ['47500.00000000', '0.47500000'], // SELL 0.01 → 475 USDT: commission 0.475 USDT
      ]);
      // The BUY crosses 50000 at (50000 − 49595.76) / (50200 − 49595.76) = 0.669 of the first third of
      // the day (8 h = 28 800 000 ms): about 05:21; the SELL on the second third (08:00 → 16:00).
      expect(trades[0].time).toBeGreaterThan(at('2021-03-02T05:20:00Z'));
      expect(trades[0].time).toBeLessThan(at('2021-03-02T05:22:00Z'));
      expect(trades[1].time).toBeGreaterThan(at('2021-03-02T08:00:00Z'));
      expect(trades[1].time).toBeLessThan(at('2021-03-02T16:00:00Z'));
      // USDT: 1000 − 500 + 475 − 0.475; BTC: 0.05 + 0.01 − 0.00001 − 0.01.
      expect(bal(emu, 'USDT')).toEqual({ asset: 'USDT', free: '974.52500000', locked: '0.00000000' });
      expect(bal(emu, 'BTC')).toEqual({ asset: 'BTC', free: '0.04999000', locked: '0.00000000' });
    } finally {
      await emu.close();
    }
  });
});
