/**
 * The intraday pass keeps resting exchange stops whose level and quantity are unchanged (issue 10,
 * `[intraday] stop_on_exchange = true`), on the real path: runIntraday composed as the CLI composes it →
 * binance-api-node → HTTP → a counting proxy (test/fault's crash proxy, never armed) → the Binance
 * emulator on 127.0.0.1; the ledger on PGlite or the Postgres server.
 *
 * Reproduces the known limit "each intraday pass cancels and re-places every stop (about 2 more requests
 * per position per pass)": before the fix, pass B below sent 2 cancels and 2 new orders for two stops
 * whose levels had not moved, pass C the same for one moved level. Now B sends none (one
 * `GET /api/v3/openOrders` checks both) and C cancels and replaces exactly the moved stop.
 *
 * Hand-checked levels (hourly klines 2021-03-01; the rebalance's stops: MATIC 0.2214, UNFI 34.088, see
 * exchange-stops.test.ts; trailing_stop 0.1 with activation 0, stop_loss 0.05, tickSize MATIC 0.0001,
 * UNFI 0.001):
 * - pass A at 03:00:30 (candles 01:00, 02:00): peaks MATIC 0.24899, UNFI 42.4997 → R = 0.224091 /
 *   38.24973 → S 0.224 / 38.249: both stops replaced;
 * - pass B at 04:00:30 (candle 03:00: highs 0.246 / 41.4289 below the peaks, lows 0.23491 / 39.8813 above
 *   S; last prices ≈ the 04:00 opens 0.23993 / 39.9972): nothing moves: both stops rest untouched;
 * - pass C at 06:00:30 (candles 04:00, 05:00): MATIC's highs 0.24546 / 0.24777 stay below its peak; UNFI's
 *   05:00 high 44.3992 is its new peak → R = 39.95928 → S 39.959 (lows 38.7302, 40.2292 never reach the
 *   levels in force): only UNFI's stop is cancelled and placed again.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { PostgresLedger } from '../../src/adapters/postgres/postgres-ledger.ts';
import { dec } from '../../src/domain/decimal.ts';
import { dayToMs } from '../../src/domain/time.ts';
import { type CrashProxy, startCrashProxy } from '../fault/harness.ts';
import { HOUR, pass, rebalance, TWO, useWorld } from '../support/intraday-world.ts';
import { LEDGER_BACKENDS } from '../support/ledger-scratch.ts';

const STOPS = { ...TWO, intraday: { stop_on_exchange: 'true' } };

/** The stop-order requests among `seen` (the proxy's `METHOD /path` list). */
function stopRequests(seen: readonly string[]) {
  return {
    cancels: seen.filter((x) => x === 'DELETE /api/v3/order').length,
    orders: seen.filter((x) => x === 'POST /api/v3/order').length,
    openOrders: seen.filter((x) => x === 'GET /api/v3/openOrders').length,
    lookups: seen.filter((x) => x === 'GET /api/v3/order').length,
    total: seen.length,
  };
}

/** The account's stop orders in the ledger, oldest first (what a pass's `inspect` reads). */
async function stopOrders(l: PostgresLedger, accountId: string) {
  return (
    await sql<{ symbol: string; status: string; stop_price: string }>`
      select symbol, status, stop_price::text from orders
      where account_id = ${accountId} and leg = 'stop' order by id`.execute(l.db)
  ).rows;
}

describe.each(LEDGER_BACKENDS)(
  'the intraday pass keeps unchanged exchange stops, ledger on $name',
  (backend) => {
    const ctx = useWorld(['k-xp', 'k-xr'], backend, 'e2e_xstops_pass');

    it.skipIf(backend.skip)(
      'unchanged levels: no cancel, no new order; a trailed level: exactly that stop replaced',
      async () => {
        const w = ctx.w();
        const dbUrl = ctx.dbUrl();
        const proxy: CrashProxy = await startCrashProxy(w.emu.baseUrl, null);
        try {
          const onePass = async (hour: number) => {
            w.setClock(dayToMs('2021-03-01') + hour * HOUR + 30_000);
            const from = proxy.seen.length;
            const { result, seen } = await pass(w, proxy.baseUrl, 'tn-xp', 'k-xp', STOPS, stopOrders, dbUrl);
            expect(result.run.status).toBe('completed');
            expect(result.exits).toEqual([]);
            return { requests: stopRequests(proxy.seen.slice(from)), stops: seen };
          };
          const resting = (stops: { symbol: string; status: string; stop_price: string }[]) =>
            stops.filter((x) => x.status === 'NEW').map((x) => [x.symbol, dec(x.stop_price).toFixed()]);

          w.setClock(dayToMs('2021-03-01') + 30_000);
          expect((await rebalance(w, proxy.baseUrl, 'tn-xp', 'k-xp', STOPS, dbUrl)).run.status).toBe(
            'completed',
          );

          const a = await onePass(3);
          expect(a.requests).toMatchObject({ cancels: 2, orders: 2 }); // both levels trailed
          expect(resting(a.stops)).toEqual([
            ['MATICUSDT', '0.224'],
            ['UNFIUSDT', '38.249'],
          ]);

          const b = await onePass(4);
          expect(b.requests).toMatchObject({ cancels: 0, orders: 0, openOrders: 1, lookups: 0 });
          expect(b.stops).toEqual(a.stops); // the same two orders rest, nothing new in the ledger

          const c = await onePass(6);
          expect(c.requests).toMatchObject({ cancels: 1, orders: 1, openOrders: 1 });
          expect(resting(c.stops)).toEqual([
            ['MATICUSDT', '0.224'],
            ['UNFIUSDT', '39.959'],
          ]);
          expect(c.stops.filter((x) => x.symbol === 'UNFIUSDT').map((x) => [x.status, x.stop_price])).toEqual(
            [
              ['CANCELED', '34.088'],
              ['CANCELED', '38.249'],
              ['NEW', '39.959'],
            ],
          );
          expect(c.stops.filter((x) => x.symbol === 'MATICUSDT').map((x) => x.status)).toEqual([
            'CANCELED',
            'NEW',
          ]);
        } finally {
          await proxy.close();
        }
      },
      180_000,
    );

    /**
     * A stop that triggers between the pass's check of its stops and its reading of the account: the
     * proxy moves the emulator's clock to 15:30 when the pass asks for the account before its SELLs, so
     * MATIC's resting stop (0.2214, crossed by the low 0.21607 of the 14:00 candle, closed at 15:00) fills
     * right then. The pass at
     * 07:00:30 sells UNFI (trailing stop: peak 44.3992 at 05:00, R = 39.95928, 06:00 low 39.8835).
     * Before the fix the account showed less MATIC than the book and the pass refused (exit 3); now it
     * looks MATIC's stop up, books it, reads the account again and goes on: no refusal, MATIC's stop
     * booked once, no market SELL of MATIC.
     */
    it.skipIf(backend.skip)(
      'a stop that fills between the check and the account read: booked, no refusal',
      async () => {
        const w = ctx.w();
        const dbUrl = ctx.dbUrl();
        let armed = false;
        const proxy: CrashProxy = await startCrashProxy(w.emu.baseUrl, (e) => {
          if (armed && e.method === 'GET' && e.path === '/api/v3/account') {
            armed = false;
            w.setClock(dayToMs('2021-03-01') + 15 * HOUR + 30 * 60_000);
          }
          return null;
        });
        try {
          w.setClock(dayToMs('2021-03-01') + 30_000);
          expect((await rebalance(w, proxy.baseUrl, 'tn-xr', 'k-xr', STOPS, dbUrl)).run.status).toBe(
            'completed',
          );
          w.setClock(dayToMs('2021-03-01') + 7 * HOUR + 30_000);
          armed = true;
          const from = proxy.seen.length;
          const { result, seen } = await pass(
            w,
            proxy.baseUrl,
            'tn-xr',
            'k-xr',
            STOPS,
            async (l, id) => l.intradayExits(id),
            dbUrl,
          );
          expect(armed).toBe(false); // the clock moved at the account request
          expect(result.run.status).toBe('completed');
          expect(result.reconciliation.filter((x) => dec(x.difference).lt(0))).toEqual([]);
          expect(
            seen.filter((x) => x.symbol === 'MATICUSDT').map((x) => [x.reason, x.level, x.quantity]),
          ).toEqual([['stop_loss', '0.2214', '21446']]);
          expect(result.orders.filter((o) => o.symbol === 'MATICUSDT')).toEqual([]);
          expect(stopRequests(proxy.seen.slice(from)).orders).toBeLessThanOrEqual(1); // UNFI's SELL at most
        } finally {
          await proxy.close();
        }
      },
      180_000,
    );
  },
);
