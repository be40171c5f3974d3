/**
 * Never twice, even late (issue 9 item 4): an order request that reaches Binance after our client timed
 * out. Through binance-api-node → HTTP → the emulator, whose test control holds the next order request
 * before processing it (a slow network). A clientOrderId is unique among OPEN orders only and a MARKET
 * order is never open, so a re-send after an early "not found" (-2013) places the order twice; the
 * adapter must wait until the request's `timestamp + recvWindow` has passed on the exchange clock
 * (rest-api.md "Timing security": later arrivals get -1021) before "not found" is final.
 *
 * Expected balances by hand: one BUY of quoteOrderQty 100 fills q = floor_step(100 / p) at p and spends
 * q × p = its cummulativeQuoteQty (≤ 100, docs/emulator.md "MARKET"): 1000 − that once; twice would be
 * 1000 − 2 × that.
 */
import { describe, expect, it } from 'vitest';
import { ExchangeError } from '../../../src/adapters/binance/errors.ts';
import { dec } from '../../../src/domain/decimal.ts';
import type { OrderOutcome } from '../../../src/ports/exchange.ts';
import { runningClock } from '../../support/running-clock.ts';
import { buyBtc, testExchange, useFreshUsdtVenues } from '../../support/usdt-venue.ts';

const SECRET = 'late-secret';
const RECV_WINDOW = 1500;
const TIMEOUT = 300;

describe('an order request delayed past the client timeout is placed exactly once', () => {
  const freshVenue = useFreshUsdtVenues();
  const clock = runningClock('2021-03-01', 30_000);
  let n = 0;

  /**
   * A fresh account "late-<n>" with 1000 USDT on a fresh emulator that holds the next order request
   * `delayMs` (a slow network), and the adapter over it.
   */
  const setup = async (delayMs: number) => {
    const venue = await freshVenue({ now: clock.now, apiKey: `late-${++n}`, secret: SECRET, usdt: '1000' });
    const rest = await venue.rest({ timeoutMs: TIMEOUT, recvWindowMs: RECV_WINDOW });
    await rest.syncTime();
    venue.emu.control({ delayNextOrders: { ms: delayMs } });
    /** USDT after exactly one fill of `order`. */
    const once = (order: OrderOutcome | null) => {
      if (!order || order.status === 'REJECTED') throw new Error(`not accepted: ${JSON.stringify(order)}`);
      return dec('1000').minus(order.cummulativeQuoteQty).toFixed(8);
    };
    return { rest, ex: testExchange(rest), usdt: venue.usdt, once };
  };

  it('delayed 800 ms (past the 300 ms timeout, inside the 1500 ms recvWindow): one fill, USDT spent once', async () => {
    const { ex, usdt, once } = await setup(800);
    const started = Date.now();
    const out = await buyBtc(ex, 'late-buy-1');
    expect(out.status).toBe('FILLED');
    // Let the (single) delayed request land if the adapter had not waited for it.
    await new Promise((r) => setTimeout(r, 900 - (Date.now() - started)));
    expect(usdt()).toBe(once(out));
  });

  it('delayed 2500 ms (past timestamp + recvWindow): the emulator rejects it with -1021, the re-send fills once', async () => {
    const { ex, usdt, once } = await setup(2500);
    const started = Date.now();
    const out = await buyBtc(ex, 'late-buy-2');
    expect(out.status).toBe('FILLED');
    // The re-send waited for timestamp + recvWindow (+ margin) before it was sent.
    expect(Date.now() - started).toBeGreaterThanOrEqual(RECV_WINDOW);
    await new Promise((r) => setTimeout(r, Math.max(0, 2700 - (Date.now() - started))));
    expect(usdt()).toBe(once(out));
  });

  it('a later run that finds a PENDING order waits for finalAfter(its lock time) before "not found" is final', async () => {
    const { rest, ex, usdt, once } = await setup(800);
    const lost = await rest
      .newOrder({ symbol: 'BTCUSDT', side: 'BUY', newClientOrderId: 'late-buy-3', quoteOrderQty: '100' })
      .catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(ExchangeError);
    expect((lost as ExchangeError).kind).toBe('unknown_outcome');
    // The earlier "process" has stopped: a later run takes the account's lock now.
    const lockTakenAt = Date.now();
    // A lookup without the deadline says "not found" although the request is still on its way...
    expect(await ex.queryOrder('BTCUSDT', 'late-buy-3')).toBeNull();
    // ...with it, the lookup waits for timestamp + recvWindow and finds the order that landed meanwhile.
    const found = await ex.queryOrder('BTCUSDT', 'late-buy-3', { notBefore: ex.finalAfter(lockTakenAt) });
    expect(found?.status).toBe('FILLED');
    expect(usdt()).toBe(once(found));
  });
});
