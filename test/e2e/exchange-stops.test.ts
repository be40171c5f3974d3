/**
 * Exchange-side stops (`[intraday] stop_on_exchange = true`, issue 10 item 7) on the real path:
 * runRebalance composed as the CLI composes it → binance-api-node → HTTP → the Binance emulator on
 * 127.0.0.1 (bundled hourly klines, the test sets the clock), the ledger on PGlite.
 *
 * Reproduces: after the BUYs a STOP_LOSS rests on the exchange and in the ledger for each position; a stop
 * that triggers between rebalances is found FILLED by the next rebalance, booked (ledger fill, intraday
 * exit) before the reconciliation — which then sees no difference instead of refusing — and the symbol
 * is never sold twice; the stop that did not trigger is cancelled before the rebalance sells and a new
 * one is placed after its BUYs. And the config refusals (exit 78).
 *
 * Hand-checked figures (TWO: top 2 of MATIC, UNFI, BTC, ETH, ADA; stop_loss 0.05, trailing_stop 0.1 with
 * activation 0; fills and fees from the rebalance at 2021-03-01 00:00:30, the hourly opens of 00:00):
 * - MATIC: BUY 21467.5 @ 0.23291, fee 21.4675 MATIC → h = 21446.0325, C = 4999.995425 USDT,
 *   e = C/h = 0.23314314…; peak = e (a new position), so R = 0.9·e < F = 0.95·e = 0.22148598… → S = F
 *   (reason stop_loss), floored to tickSize 0.0001 → 0.2214; quantity floor_step(h, 0.1) = 21446.
 * - UNFI: BUY 139.4 @ 35.8463, fee 0.1394 UNFI → h = 139.2606, C = 4996.97422, e = 35.88218218…,
 *   S = 0.95·e = 34.08807307… → tickSize 0.001 → 34.088; quantity 139.2.
 * - MATIC's hourly low first reaches 0.2214 in the 14:00 candle (open 0.22335, low 0.21607): the stop
 *   fills 21446 @ 0.2214 = 4748.1444 USDT, fee 0.1 % = 4.7481444 USDT. UNFI's day-1 low (35.5069) never
 *   reaches 34.088: its stop is still resting at the next rebalance (2021-03-02 00:00:30).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceExchange } from '../../src/adapters/binance/binance-exchange.ts';
import { BinanceRest } from '../../src/adapters/binance/binance-rest.ts';
import { openLedger } from '../../src/adapters/postgres/connect.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { loadConfig } from '../../src/config/loader.ts';
import { dec } from '../../src/domain/decimal.ts';
import { dayToMs } from '../../src/domain/time.ts';
import { BTC_RULES } from '../support/btc-rules.ts';
import {
  HOUR,
  pass,
  rebalance,
  SECRET,
  TWO,
  useWorld,
  type World,
  world,
} from '../support/intraday-world.ts';
import { LEDGER_BACKENDS } from '../support/ledger-scratch.ts';

const logger = createLogger('silent', 'json');
const STOPS = { ...TWO, intraday: { stop_on_exchange: 'true' } };

/** The account's open orders as binance-api-node reads them from the emulator. */
async function openOrders(w: World, apiKey: string) {
  const rest = await BinanceRest.open({
    baseUrl: w.emu.baseUrl,
    credentials: { apiKey, apiSecret: SECRET },
    timeoutMs: 5000,
    recvWindowMs: 5000,
    weightBudget: 3000,
    retries: 1,
    minBackoffMs: 10,
    logger,
  });
  const ex = new BinanceExchange({ rest, kind: 'testnet', rules: () => BTC_RULES, logger });
  const open = await ex.openOrders();
  return open
    .map((o) => [
      o.symbol,
      o.type,
      o.side,
      dec(o.quantity).toFixed(),
      dec(o.stopPrice ?? '0').toFixed(),
      o.clientOrderId,
    ])
    .sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1));
}

/** The ledger's stop orders, exits and fills of the account (PGlite in the world's directory). */
async function ledgerView(w: World, account: string, dbUrl?: string) {
  const ledger = await openLedger(
    dbUrl ? { url: dbUrl, logger } : { dataDir: path.join(w.dir, 'pglite'), logger },
  );
  try {
    const acc = await ledger.db
      .selectFrom('accounts')
      .select('id')
      .where('name', '=', account)
      .executeTakeFirstOrThrow();
    const stops = await sql<{
      run_id: string;
      symbol: string;
      status: string;
      order_type: string;
      stop_price: string;
      stop_reason: string;
      quantity: string;
      client_order_id: string;
      exchange_order_id: string | null;
      fills: string;
      fill_price: string | null;
      commission: string | null;
    }>`
      select o.run_id::text, o.symbol, o.status, o.order_type, o.stop_price::text, o.stop_reason,
             o.quantity::text, o.client_order_id, o.exchange_order_id, count(f.id)::text as fills,
             max(f.price)::text as fill_price, max(f.commission)::text as commission
      from orders o left join fills f on f.order_id = o.id
      where o.account_id = ${acc.id} and o.leg = 'stop' group by o.id order by o.run_id, o.symbol`.execute(
      ledger.db,
    );
    const sells = await sql<{ run_id: string; symbol: string; quantity: string; status: string }>`
      select o.run_id::text, o.symbol, o.quantity::text, o.status from orders o
      where o.account_id = ${acc.id} and o.side = 'SELL' and o.leg <> 'stop' order by o.run_id, o.symbol`.execute(
      ledger.db,
    );
    return { stops: stops.rows, sells: sells.rows, exits: await ledger.intradayExits(acc.id) };
  } finally {
    await ledger.close();
  }
}

describe.each(LEDGER_BACKENDS)(
  'exchange-side stops through the emulator (stop_on_exchange = true), ledger on $name',
  (backend) => {
    const ctx = useWorld(['k-xs'], backend, 'e2e_xstops');
    /** The rebalance of `day` (YYYY-MM-DD) at 00:00:30 on the account tn-xs with exchange stops: completed. */
    const rebalanceOn = async (day: string) => {
      const w = ctx.w();
      w.setClock(dayToMs(day) + 30_000);
      const r = await rebalance(w, w.emu.baseUrl, 'tn-xs', 'k-xs', STOPS, ctx.dbUrl());
      expect(r.run.status).toBe('completed');
      return r;
    };

    it.skipIf(backend.skip)(
      'rests a STOP_LOSS per position after the buys; the next rebalance books the triggered one, cancels and replaces the other',
      async () => {
        const w = ctx.w();
        const dbUrl = ctx.dbUrl();
        await rebalanceOn('2021-03-01');
        // the stops rest on the exchange at the hand-computed S (floored to tickSize), quantity floor_step(h)
        const day1 = await openOrders(w, 'k-xs');
        expect(day1.map((o) => o.slice(0, 5))).toEqual([
          ['MATICUSDT', 'STOP_LOSS', 'SELL', '21446', '0.2214'],
          ['UNFIUSDT', 'STOP_LOSS', 'SELL', '139.2', '34.088'],
        ]);
        const seen1 = await ledgerView(w, 'tn-xs', dbUrl);
        expect(
          seen1.stops.map((o) => [o.symbol, o.status, o.order_type, o.stop_price, o.stop_reason, o.quantity]),
        ).toEqual([
          ['MATICUSDT', 'NEW', 'STOP_LOSS', '0.2214', 'stop_loss', '21446'],
          ['UNFIUSDT', 'NEW', 'STOP_LOSS', '34.088', 'stop_loss', '139.2'],
        ]);
        expect(seen1.stops.map((o) => o.client_order_id)).toEqual(day1.map((o) => o[5]));
        expect(seen1.stops.every((o) => o.exchange_order_id !== null)).toBe(true);

        // the clock moves through MATIC's stop (14:00 candle); UNFI's is untouched
        const r2 = await rebalanceOn('2021-03-02');
        // the stop's sale was booked before the reconciliation: no difference, no refusal
        expect(r2.exchange?.reconciliation).toEqual([]);
        // MATIC is never sold twice: the rebalance sells only UNFI (its stop cancelled first, so unlocked)
        expect(r2.fills.filter((f) => f.side === 'SELL').map((f) => [f.symbol, f.quantity])).toEqual([
          ['UNFIUSDT', '139.2'],
        ]);
        const seen2 = await ledgerView(w, 'tn-xs', dbUrl);
        // in the ledger: MATIC's leftover 0.0325 (21446.0325 − 21446) is dust, recorded SKIPPED, never sent
        expect(seen2.sells.map((o) => [o.run_id, o.symbol, o.quantity, o.status])).toEqual([
          ['2', 'MATICUSDT', '0', 'SKIPPED'],
          ['2', 'UNFIUSDT', '139.2', 'FILLED'],
        ]);
        const day1Stops = seen2.stops.filter((o) => o.run_id === '1');
        expect(day1Stops.map((o) => [o.symbol, o.status, o.fills, o.fill_price, o.commission])).toEqual([
          ['MATICUSDT', 'FILLED', '1', '0.2214', '4.7481444'],
          ['UNFIUSDT', 'CANCELED', '0', null, null],
        ]);
        expect(
          seen2.exits.map((e) => [e.symbol, e.reason, e.level, e.quantity, e.price, e.slippageBps]),
        ).toEqual([['MATICUSDT', 'stop_loss', '0.2214', '21446', '0.2214', 0]]);
        // the new stops (both re-bought) rest on the exchange and in the ledger as NEW
        const day2Stops = seen2.stops.filter((o) => o.run_id === '2');
        expect(day2Stops.map((o) => [o.symbol, o.status])).toEqual([
          ['MATICUSDT', 'NEW'],
          ['UNFIUSDT', 'NEW'],
        ]);
        const day2 = await openOrders(w, 'k-xs');
        expect(day2.map((o) => o[5])).toEqual(day2Stops.map((o) => o.client_order_id));
        expect(day2.map((o) => [o[0], o[1], o[4]])).toEqual(
          day2Stops.map((o) => [o.symbol, 'STOP_LOSS', o.stop_price]),
        );
      },
      120_000,
    );
  },
);

describe('exchange-side stops and the intraday pass (stop_on_exchange = true)', () => {
  let w: World;
  beforeAll(async () => {
    w = await world(['k-xi']);
  });
  afterAll(async () => {
    await w.emu.close();
    rmSync(w.dir, { recursive: true, force: true });
  });

  /**
   * Hand-checked (hourly klines 2021-03-01; the rebalance's stops as above: MATIC 0.2214, UNFI 34.088):
   * - pass at 03:00:30 evaluates the 01:00 and 02:00 candles: peaks MATIC 0.24899, UNFI 42.4997; the
   *   trailing stop (activation 0) R = 0.9·P = 0.224091 / 38.24973 beats F → S floored to tickSize:
   *   MATIC 0.2240, UNFI 38.249 (reason trailing_stop); no low reaches S: no exit. Both levels moved, so
   *   at the end of the pass the rebalance's stops are cancelled and the moved ones placed.
   * - MATIC's low first reaches 0.2240 in the 11:00 candle (10:00 low 0.22578): the exchange stop fills
   *   21446 @ 0.2240. UNFI's lows stay above 38.249 (04:00: 38.7302), but its peak rises to 44.3992 at
   *   05:00 (R = 39.95928), crossed by the 06:00 low 39.8835: the pass at 12:00:30 books MATIC's stop
   *   (not among the open orders → looked up: FILLED) and sells UNFI at the market (12:00 open 41.1452)
   *   after cancelling its stop.
   */
  it('the pass replaces moved stops, books a triggered one as its exit, cancels the stop of a symbol it sells', async () => {
    w.setClock(dayToMs('2021-03-01') + 30_000);
    expect((await rebalance(w, w.emu.baseUrl, 'tn-xi', 'k-xi', STOPS)).run.status).toBe('completed');
    w.setClock(dayToMs('2021-03-01') + 3 * HOUR + 30_000);
    const p1 = await pass(w, w.emu.baseUrl, 'tn-xi', 'k-xi', STOPS, async () => null);
    expect(p1.result.run.status).toBe('completed');
    expect(p1.result.exits).toEqual([]);
    const at3 = await openOrders(w, 'k-xi');
    expect(at3.map((o) => o.slice(0, 5))).toEqual([
      ['MATICUSDT', 'STOP_LOSS', 'SELL', '21446', '0.224'],
      ['UNFIUSDT', 'STOP_LOSS', 'SELL', '139.2', '38.249'],
    ]);
    const seen1 = await ledgerView(w, 'tn-xi');
    expect(seen1.stops.map((o) => [o.run_id, o.symbol, o.status, o.stop_price, o.stop_reason])).toEqual([
      ['1', 'MATICUSDT', 'CANCELED', '0.2214', 'stop_loss'],
      ['1', 'UNFIUSDT', 'CANCELED', '34.088', 'stop_loss'],
      ['2', 'MATICUSDT', 'NEW', '0.224', 'trailing_stop'],
      ['2', 'UNFIUSDT', 'NEW', '38.249', 'trailing_stop'],
    ]);

    w.setClock(dayToMs('2021-03-01') + 12 * HOUR + 30_000);
    const p2 = await pass(w, w.emu.baseUrl, 'tn-xi', 'k-xi', STOPS, async () => null);
    expect(p2.result.run.status).toBe('completed');
    expect(p2.result.reconciliation).toEqual([]);
    // the pass itself sells only UNFI: MATIC was sold by its exchange stop, never twice
    expect(p2.result.fills.map((f) => [f.symbol, f.side, f.quantity, f.price])).toEqual([
      ['UNFIUSDT', 'SELL', '139.2', '41.1452'],
    ]);
    const seen2 = await ledgerView(w, 'tn-xi');
    expect(
      seen2.stops.filter((o) => o.run_id === '2').map((o) => [o.symbol, o.status, o.fill_price]),
    ).toEqual([
      ['MATICUSDT', 'FILLED', '0.224'],
      ['UNFIUSDT', 'CANCELED', null],
    ]);
    expect(seen2.exits.map((e) => [e.symbol, e.reason, e.level, e.price])).toEqual([
      ['MATICUSDT', 'trailing_stop', '0.224', '0.224'],
      ['UNFIUSDT', 'trailing_stop', '39.95928', '41.1452'],
    ]);
    // nothing held: no stop rests; the emulator account holds only dust besides USDT
    expect(await openOrders(w, 'k-xi')).toEqual([]);
    for (const b of w.emu.balances('k-xi').filter((x) => x.asset !== 'USDT'))
      expect(dec(b.free).lt(1)).toBe(true);
  }, 120_000);
});

describe('stop_on_exchange = true: config errors (exit 78, naming the key)', () => {
  const configWith = (kind: string, risk: Record<string, string>) => () =>
    loadConfig({
      cwd: path.join('/tmp', 'no-such-dir-exchange-stops'),
      env: {},
      overrides: {
        exchange: { kind, ...(kind === 'testnet' ? { base_url: 'http://127.0.0.1:1' } : {}) },
        risk,
        intraday: { stop_on_exchange: 'true' },
      },
    });
  it.each([
    ['replay', { stop_loss: '0.05' }, 'needs [exchange] kind = testnet | live (got replay'],
    ['paper', { stop_loss: '0.05' }, 'needs [exchange] kind = testnet | live (got paper'],
    [
      'testnet',
      { take_profit: '0.2' },
      'needs a stop level: [risk] stop_loss or [risk] trailing_stop above 0',
    ],
  ])('kind %s with %j → ConfigError', (kind, risk, message) => {
    let err: unknown;
    try {
      configWith(kind, risk)();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const c = err as ConfigError;
    expect(c.exitCode).toBe(78);
    expect(c.key).toBe('stop_on_exchange');
    expect(c.message).toContain('[intraday] stop_on_exchange = true: ');
    expect(c.message).toContain(message);
  });
  it('testnet with stop_loss: accepted', () => {
    expect(configWith('testnet', { stop_loss: '0.05' })().config.intraday.stop_on_exchange).toBe(true);
  });
});
