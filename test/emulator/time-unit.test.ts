/**
 * `X-MBX-TIME-UNIT` (rest-api.md "General API Information": responses in milliseconds by default, in
 * microseconds with `X-MBX-TIME-UNIT:MICROSECOND` or `:microsecond`; errors.md -1194 INVALID_TIME_UNIT).
 * Expected values: the BTCUSDT daily candle of 2021-01-01 opens at 1609459200000 ms and closes at
 * 1609545599999 ms (open + 1 day − 1 ms), so in microseconds 1609459200000000 and 1609545599999999 (the
 * last microsecond of the day); the clock is fixed at 2021-01-02T00:00:05Z = 1609545605000 ms.
 */
import { describe, expect, it } from 'vitest';
import { at, type Creds, manualClock, signed, useBundledEmulator } from './support.ts';

const creds: Creds = { apiKey: 'time-unit-key', secret: 'time-unit-secret' };
const clock = manualClock(at('2021-01-02T00:00:05Z'));

const emu = useBundledEmulator({
  now: clock.now,
  accounts: [{ ...creds, balances: { USDT: '1000' } }],
});

const get = async (path: string, unit?: string) => {
  const r = await fetch(`${emu().baseUrl}${path}`, unit ? { headers: { 'X-MBX-TIME-UNIT': unit } } : {});
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of several shapes
  return { status: r.status, body: (await r.json()) as any };
};

describe('X-MBX-TIME-UNIT', () => {
  it('MILLISECOND is the default; MICROSECOND (either case) multiplies every time by 1000', async () => {
    expect((await get('/api/v3/time')).body).toEqual({ serverTime: 1609545605000 });
    expect((await get('/api/v3/time', 'MILLISECOND')).body).toEqual({ serverTime: 1609545605000 });
    expect((await get('/api/v3/time', 'MICROSECOND')).body).toEqual({ serverTime: 1609545605000000 });
    expect((await get('/api/v3/time', 'microsecond')).body).toEqual({ serverTime: 1609545605000000 });
  });

  it('klines: the open time × 1000, the close time the last microsecond of the candle', async () => {
    const q = '/api/v3/klines?symbol=BTCUSDT&interval=1d&startTime=1609459200000&limit=1';
    const ms = (await get(q)).body[0];
    const us = (await get(q, 'MICROSECOND')).body[0];
    expect([ms[0], ms[6]]).toEqual([1609459200000, 1609545599999]);
    expect([us[0], us[6]]).toEqual([1609459200000000, 1609545599999999]);
    expect(us.slice(1, 6)).toEqual(ms.slice(1, 6)); // prices and volumes unchanged
    // The request's own startTime may be in microseconds whatever the header (rest-api.md).
    const byMicro = (
      await get('/api/v3/klines?symbol=BTCUSDT&interval=1d&startTime=1609459200000000&limit=1')
    ).body[0];
    expect(byMicro[0]).toBe(1609459200000);
  });

  it('tickers and signed responses: openTime, closeTime, transactTime, updateTime, time', async () => {
    const t = (await get('/api/v3/ticker/24hr?symbol=BTCUSDT', 'MICROSECOND')).body;
    expect([t.openTime, t.closeTime]).toEqual([1609459205000000, 1609545605000000]);
    const r = await signed(
      emu().baseUrl,
      clock.now,
      creds,
      'POST',
      '/api/v3/order',
      { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '100', newOrderRespType: 'RESULT' },
      { headers: { 'X-MBX-TIME-UNIT': 'MICROSECOND' } },
    );
    expect(r.body).toMatchObject({
      status: 'FILLED',
      transactTime: 1609545605000000,
      workingTime: 1609545605000000,
    });
    const trades = await signed(
      emu().baseUrl,
      clock.now,
      creds,
      'GET',
      '/api/v3/myTrades',
      { symbol: 'BTCUSDT' },
      {
        headers: { 'X-MBX-TIME-UNIT': 'MICROSECOND' },
      },
    );
    expect(trades.body[0].time).toBe(1609545605000000);
  });

  it('any other value: HTTP 400 -1194', async () => {
    expect(await get('/api/v3/time', 'NANOSECOND')).toEqual({
      status: 400,
      body: { code: -1194, msg: 'Invalid value for time unit; expected either MICROSECOND or MILLISECOND.' },
    });
  });
});
