/**
 * Rate limits (rest-api.md "LIMITS", "IP Limits", "Unfilled Order Count"; errors.md -1003 / -1015):
 * REQUEST_WEIGHT per IP per minute window with X-MBX-USED-WEIGHT(-1M) on every response and 429 +
 * Retry-After past the limit; ORDERS per account per 10 s with X-MBX-ORDER-COUNT-10S / -1D. Weights
 * are rest-api.md's (ping 1, klines 2, exchangeInfo 20, account 20, order 1). The clock is virtual,
 * so the expected Retry-After is exact: at 00:00:15 of a minute, 45 s remain.
 */
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/server.ts';
import { at, bundledDataset, type Creds, manualClock, pub, signed, useBundledEmulator } from './support.ts';

const creds: Creds = { apiKey: 'limits-key', secret: 'limits-secret' };
const clock = manualClock(at('2021-01-02T00:00:15Z'));

const emu = useBundledEmulator({
  now: clock.now,
  weightLimitPerMinute: 30,
  orderLimitPer10s: 2,
  accounts: [{ ...creds }],
});

describe('REQUEST_WEIGHT 30 per minute', () => {
  it('counts weights in the headers, answers 429 -1003 with Retry-After past the limit, resets next minute', async () => {
    emu().resetStats();
    const used: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await pub(emu().baseUrl, '/api/v3/klines', { symbol: 'BTCUSDT', interval: '1d', limit: 1 });
      expect(r.status).toBe(200);
      used.push(r.headers.get('x-mbx-used-weight-1m') as string);
      expect(r.headers.get('x-mbx-used-weight')).toBe(used[i]);
    }
    expect(used).toEqual(['2', '4', '6', '8']);
    const info = await pub(emu().baseUrl, '/api/v3/exchangeInfo');
    expect(info.headers.get('x-mbx-used-weight-1m')).toBe('28');
    const ok = await pub(emu().baseUrl, '/api/v3/ping');
    expect(ok.headers.get('x-mbx-used-weight-1m')).toBe('29');
    expect((await pub(emu().baseUrl, '/api/v3/ping')).status).toBe(200); // 30 = the limit
    const over = await pub(emu().baseUrl, '/api/v3/klines', { symbol: 'BTCUSDT', interval: '1d' });
    expect(over.status).toBe(429);
    expect(over.body).toEqual({
      code: -1003,
      msg: 'Too much request weight used; current limit is 30 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.',
    });
    expect(over.headers.get('retry-after')).toBe('45');
    expect(over.headers.get('x-mbx-used-weight-1m')).toBe('32');
    expect(emu().stats()).toEqual({ requests: 8, weight: 32 });
    clock.set(at('2021-01-02T00:01:00Z'));
    const next = await pub(emu().baseUrl, '/api/v3/ping');
    expect(next.status).toBe(200);
    expect(next.headers.get('x-mbx-used-weight-1m')).toBe('1');
  });

  it('exchangeInfo advertises the configured limits (enums.md "Rate limiters")', async () => {
    clock.set(at('2021-01-02T00:02:00Z'));
    const r = await pub(emu().baseUrl, '/api/v3/exchangeInfo', { symbol: 'BTCUSDT' });
    expect(r.body.rateLimits).toEqual([
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 30 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 2 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000 },
      { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
    ]);
  });
});

describe('ORDERS 2 per 10 seconds (per account): unfilled orders (rest-api.md "Unfilled Order Count")', () => {
  it('counts resting orders in X-MBX-ORDER-COUNT-10S/-1D and answers 429 -1015 at the third', async () => {
    clock.set(at('2021-01-02T00:03:02Z'));
    // A GTC BUY far below the price (29331.7) rests NEW: an unfilled order.
    const rest = () =>
      signed(emu().baseUrl, clock.now, creds, 'POST', '/api/v3/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.001',
        price: '20000',
      });
    const a = await rest();
    expect(a.status).toBe(200);
    expect(a.body.status).toBe('NEW');
    expect(a.headers.get('x-mbx-order-count-10s')).toBe('1');
    expect(a.headers.get('x-mbx-order-count-1d')).toBe('1');
    expect((await rest()).headers.get('x-mbx-order-count-10s')).toBe('2');
    const c = await rest();
    expect(c.status).toBe(429);
    expect(c.body).toEqual({
      code: -1015,
      msg: 'Too many new orders; current limit is 2 orders per 10 SECOND.',
    });
    expect(c.headers.get('retry-after')).toBe('8');
    clock.advance(8000);
    const d = await rest();
    expect(d.status).toBe(200);
    expect(d.headers.get('x-mbx-order-count-10s')).toBe('1');
    expect(d.headers.get('x-mbx-order-count-1d')).toBe('3');
  });

  it('orders filled as they are placed do not count: five MARKET orders in a row under a limit of 2', async () => {
    clock.set(at('2021-01-02T00:05:02Z'));
    for (let i = 0; i < 5; i++) {
      const r = await signed(emu().baseUrl, clock.now, creds, 'POST', '/api/v3/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quoteOrderQty: '20',
      });
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('FILLED');
      expect(r.headers.get('x-mbx-order-count-10s')).toBe('0');
    }
  });
});

describe('IP bans (rest-api.md "IP Limits": HTTP 418 for not backing off after 429s, 2 minutes, scaling)', () => {
  it('past the tolerated 429s the IP is banned for 2 minutes, then 4; Retry-After says until when', async () => {
    const c = manualClock(at('2021-01-02T00:00:10Z'));
    const e = await startEmulator({
      dataset: await bundledDataset(),
      now: c.now,
      weightLimitPerMinute: 3,
      banAfter429s: 2,
      accounts: [],
    });
    try {
      const ping = async () => (await pub(e.baseUrl, '/api/v3/ping')).status;
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push(await ping());
      // weight 3 allowed; the 4th, 5th and 6th requests are 429 (the 6th one too many); then banned.
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 418]);
      const banned = await pub(e.baseUrl, '/api/v3/ping');
      const until = at('2021-01-02T00:02:10Z');
      expect(banned.body).toEqual({
        code: -1003,
        msg: `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
      });
      expect(banned.headers.get('retry-after')).toBe('120');
      c.set(until - 1000);
      expect(await ping()).toBe(418);
      c.set(until);
      expect(await ping()).toBe(200);
      // A repeat offender: the next ban lasts twice as long.
      for (let i = 0; i < 5; i++) await ping();
      const again = await pub(e.baseUrl, '/api/v3/ping');
      expect(again.status).toBe(418);
      expect(again.headers.get('retry-after')).toBe('240');
    } finally {
      await e.close();
    }
  });
});

describe('rttMs', () => {
  it('adds the configured latency to every response', async () => {
    const e = await startEmulator({
      dataset: await bundledDataset(),
      now: clock.now,
      rttMs: 120,
      accounts: [],
    });
    try {
      const t0 = performance.now();
      expect((await pub(e.baseUrl, '/api/v3/ping')).status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(115);
    } finally {
      await e.close();
    }
  });
});
