/**
 * A kill right after a triggered exchange stop was booked (issue 10, `[intraday] stop_on_exchange = true`):
 * the real CLI (`momentum-rebalancer intraday --exchange testnet`) in its own process → binance-api-node →
 * HTTP → test/fault's crash proxy → the Binance emulator on 127.0.0.1; the ledger on PGlite or the
 * Postgres server. The proxy kills the CLI (SIGKILL) before the first request that follows the triggered
 * stop's lookup (`GET /api/v3/myTrades`): the stop's booking is done, the pass's own state save is not.
 *
 * Reproduces the known limit "a run that crashes after booking a triggered stop but before saving its
 * state leaves the ledger's book above the exchange's, so the next run refuses (exit 3) until the book is
 * reconciled by hand". Now the booking (order outcome, fills, exit row, position_risk and the saved book)
 * is one ledger transaction: the next pass completes by itself — no refusal, no second sale of MATIC,
 * the stop's exit recorded once, and the ledger's book equal to the exchange's balances afterwards.
 *
 * Figures (hand-checked in exchange-stops.test.ts): the rebalance of 2021-03-01 00:00:30 buys MATIC and
 * UNFI and rests their stops at 0.2214 / 34.088; MATIC's 14:00 candle (low 0.21607) triggers its stop:
 * 21446 @ 0.2214. The pass at 15:00:30 finds it filled; UNFI's trailing stop (peak 44.3992 at 05:00,
 * R = 39.95928, 06:00 low 39.8835) fires in the same pass, which sells UNFI at the market.
 */
import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeOfResult } from '../../src/cli/exit-codes.ts';
import { dec } from '../../src/domain/decimal.ts';
import { dayToMs } from '../../src/domain/time.ts';
import { type CrashProxy, startCrashProxy } from '../fault/harness.ts';
import { HOUR, intradayChild, pass, rebalance, TWO, useWorld } from '../support/intraday-world.ts';
import { LEDGER_BACKENDS } from '../support/ledger-scratch.ts';

const STOPS = { ...TWO, intraday: { stop_on_exchange: 'true' } };

describe.each(LEDGER_BACKENDS)(
  'killed after booking a triggered exchange stop, ledger on $name',
  (backend) => {
    const ctx = useWorld(['k-xk'], backend, 'e2e_xstops_kill');
    let proxy: CrashProxy | undefined;
    let victim: ChildProcess | null = null;
    let armed = false;
    let tradesSeen = false;
    beforeAll(async () => {
      if (backend.skip) return;
      proxy = await startCrashProxy(ctx.w().emu.baseUrl, (e) => {
        if (!armed) return null;
        if (e.path === '/api/v3/myTrades') {
          tradesSeen = true;
          return null;
        }
        return tradesSeen ? 'kill-before' : null;
      });
    });
    afterAll(async () => {
      victim?.kill('SIGKILL');
      await proxy?.close();
    });

    it.skipIf(backend.skip)(
      'the next pass completes by itself: no refusal, no second sale, the book equal to the exchange',
      async () => {
        const w = ctx.w();
        const dbUrl = ctx.dbUrl();
        const p = proxy as CrashProxy;
        w.setClock(dayToMs('2021-03-01') + 30_000);
        const r = await rebalance(w, p.baseUrl, 'tn-xk', 'k-xk', STOPS, dbUrl);
        expect(r.run.status).toBe('completed');
        w.setClock(dayToMs('2021-03-01') + 15 * HOUR + 30_000);
        armed = true;
        const killed = await intradayChild(
          w,
          p,
          'tn-xk',
          'k-xk',
          {
            REBALANCER_STRATEGY_TOP_N: '2',
            REBALANCER_UNIVERSE_INCLUDE: 'MATICUSDT,UNFIUSDT,BTCUSDT,ETHUSDT,ADAUSDT',
            REBALANCER_RISK_STOP_LOSS: '0.05',
            REBALANCER_RISK_TRAILING_STOP: '0.1',
            REBALANCER_INTRADAY_STOP_ON_EXCHANGE: 'true',
          },
          (child) => {
            victim = child;
          },
          dbUrl,
        );
        expect(p.fired()).toBe(true);
        expect(killed.signal).toBe('SIGKILL');
        p.disarm();
        const ordersBefore = p.seen.filter((x) => x === 'POST /api/v3/order').length;

        const { result, seen } = await pass(
          w,
          p.baseUrl,
          'tn-xk',
          'k-xk',
          STOPS,
          async (l, id) => ({
            exits: await l.intradayExits(id),
            book: await l.loadState(id),
            stops: await sql<{ symbol: string; status: string; fills: string }>`
              select o.symbol, o.status, count(f.id)::text as fills from orders o
              left join fills f on f.order_id = o.id
              where o.account_id = ${id} and o.leg = 'stop' group by o.id order by o.id`.execute(l.db),
          }),
          dbUrl,
        );
        // no refusal: the stop's sale is in the book the pass starts from
        expect(result.run.status).toBe('completed');
        expect(exitCodeOfResult(result)).toBe(0);
        expect(result.reconciliation).toEqual([]);
        // MATIC is never sold twice: the pass's only order is UNFI's market SELL
        expect(p.seen.filter((x) => x === 'POST /api/v3/order').length).toBe(ordersBefore + 1);
        expect(result.fills.map((f) => [f.symbol, f.side, f.quantity])).toEqual([
          ['UNFIUSDT', 'SELL', '139.2'],
        ]);
        // the stop booked exactly once: one FILLED stop with its one fill, one exit row
        expect(seen.stops.rows.filter((x) => x.symbol === 'MATICUSDT')).toEqual([
          { symbol: 'MATICUSDT', status: 'FILLED', fills: '1' },
        ]);
        expect(seen.exits.map((e) => [e.symbol, e.reason, e.level, e.quantity, e.price])).toEqual([
          ['MATICUSDT', 'stop_loss', '0.2214', '21446', '0.2214'],
          ['UNFIUSDT', 'trailing_stop', '39.95928', '139.2', expect.any(String)],
        ]);
        // the ledger's book equals the exchange's balances, asset by asset
        const exchange = new Map(
          w.emu.balances('k-xk').map((b) => [b.asset, dec(b.free).plus(dec(b.locked))]),
        );
        for (const b of seen.book.balances) {
          const held = exchange.get(b.asset) ?? dec(0);
          expect([b.asset, dec(b.free).plus(dec(b.locked)).toFixed()]).toEqual([b.asset, held.toFixed()]);
        }
      },
      180_000,
    );
  },
);
