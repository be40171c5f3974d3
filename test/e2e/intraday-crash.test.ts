/**
 * The intraday pass through the Binance emulator (issue 10 item 8), ledger on PGlite (see
 * intraday-testnet.test.ts for the path and the hand-checked 2021-03-01 figures):
 * - halt: MATIC alone, max_drawdown 0.02: at 12:00:30 MATIC (0.22668) is 2.8 % below its buy price
 *   (0.23314) → equity ≈ 9713 ≤ 10000 × 0.98 → the position is sold (reason max_drawdown) and the account
 *   is halted, the figures journaled with the risk event;
 * - crash: the CLI killed (SIGKILL, test/fault's crash proxy) after its SELL reached the exchange and
 *   before the answer was recorded; the next pass looks the PENDING order up by clientOrderId, books it,
 *   and sends no second SELL;
 * (The testnet account reset — the exchange holding less than the book — used to be tested here as "every
 * SELL rejected, exit 4"; the pass now refuses before any SELL, exit 3: test/e2e/intraday-reconcile.test.ts.)
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeOfResult } from '../../src/cli/exit-codes.ts';
import type { Overrides } from '../../src/config/loader.ts';
import { dec } from '../../src/domain/decimal.ts';
import { dayToMs } from '../../src/domain/time.ts';
import { type CrashProxy, startCrashProxy } from '../fault/harness.ts';
import { HOUR, intradayChild, pass, rebalance, type World, world } from '../support/intraday-world.ts';

describe('intraday pass through the emulator: halt and crash (PGlite)', () => {
  let w: World;
  let proxy: CrashProxy;
  let armed = false;
  let victim: ChildProcess | null = null;
  beforeAll(async () => {
    w = await world(['k-halt', 'k-crash']);
    proxy = await startCrashProxy(w.emu.baseUrl, (e) =>
      armed && e.method === 'POST' && e.path === '/api/v3/order' ? 'kill-after-upstream' : null,
    );
  });
  afterAll(async () => {
    victim?.kill('SIGKILL');
    await proxy.close();
    await w.emu.close();
    rmSync(w.dir, { recursive: true, force: true });
  });

  /** MATIC alone (top 1) with the intraday rule `risk`. */
  const maticOnly = (risk: Overrides['risk']): Overrides => ({
    strategy: { top_n: '1' },
    universe: { include: 'MATICUSDT' },
    risk,
  });
  /** The rebalance at 2021-03-01 00:00:30 through `baseUrl` buys MATIC; then the clock is set to 12:00:30. */
  const buyMaticThenNoon = async (baseUrl: string, account: string, apiKey: string, one: Overrides) => {
    w.setClock(dayToMs('2021-03-01') + 30_000);
    const r = await rebalance(w, baseUrl, account, apiKey, one);
    expect(r.fills.map((f) => f.symbol)).toEqual(['MATICUSDT']);
    w.setClock(dayToMs('2021-03-01') + 12 * HOUR + 30_000);
  };

  it('a drawdown sells the position (reason max_drawdown) and sets the halt with its figures', async () => {
    const ONE = maticOnly({ max_drawdown: '0.02' });
    await buyMaticThenNoon(w.emu.baseUrl, 'tn-halt', 'k-halt', ONE);
    const { result, seen } = await pass(w, w.emu.baseUrl, 'tn-halt', 'k-halt', ONE, async (l, id) => ({
      halt: await l.haltState(id),
      events: await l.haltEvents(id, 5),
    }));
    expect(result.exits.map((e) => [e.symbol, e.reason, e.status])).toEqual([
      ['MATICUSDT', 'max_drawdown', 'FILLED'],
    ]);
    expect(result.portfolio?.drawdown).toBe(true);
    expect(dec(result.portfolio?.equity ?? '0').lte(dec('9800'))).toBe(true);
    expect(result.halt).toEqual({ before: 'running', after: 'halted' });
    expect(seen.halt.status).toBe('halted');
    expect(seen.events[0]).toMatchObject({ event: 'risk', to_status: 'halted', actor: 'intraday' });
    expect(seen.events[0]?.detail).toMatchObject({ equity: result.portfolio?.equity, drawdown: true });
  }, 120_000);

  it('killed after the SELL reached the exchange: the next pass finds it by clientOrderId, never sells twice', async () => {
    const ONE = maticOnly({ trailing_stop: '0.1' });
    await buyMaticThenNoon(proxy.baseUrl, 'tn-crash', 'k-crash', ONE);
    armed = true;
    const killed = await intradayChild(
      w,
      proxy,
      'tn-crash',
      'k-crash',
      {
        REBALANCER_STRATEGY_TOP_N: '1',
        REBALANCER_UNIVERSE_INCLUDE: 'MATICUSDT',
        REBALANCER_RISK_TRAILING_STOP: '0.1',
      },
      (child) => {
        victim = child;
      },
    );
    expect(proxy.fired()).toBe(true);
    expect(killed.signal).toBe('SIGKILL');
    proxy.disarm();
    const matic = () => dec(w.emu.balances('k-crash').find((b) => b.asset === 'MATIC')?.free ?? '0');
    expect(matic().lt(1)).toBe(true); // the SELL executed on the exchange
    const ordersBefore = proxy.seen.filter((x) => x === 'POST /api/v3/order').length;
    const { result, seen } = await pass(w, proxy.baseUrl, 'tn-crash', 'k-crash', ONE, async (l) => ({
      orders: await sql<{ side: string; status: string; kind: string; run_status: string }>`
        select o.side, o.status, r.kind, r.status as run_status from orders o join runs r on r.id = o.run_id
        join accounts a on a.id = o.account_id where a.name = 'tn-crash' order by o.id`.execute(l.db),
    }));
    expect(proxy.seen.filter((x) => x === 'POST /api/v3/order').length).toBe(ordersBefore); // none sent
    expect(result.orders).toEqual([]);
    expect(exitCodeOfResult(result)).toBe(0);
    expect(seen.orders.rows).toEqual([
      { side: 'BUY', status: 'FILLED', kind: 'rebalance', run_status: 'completed' },
      { side: 'SELL', status: 'FILLED', kind: 'intraday', run_status: 'abandoned' },
    ]);
    // the book follows the exchange: the recovered SELL is booked, what is left is dust
    expect(dec(result.balances.find((b) => b.asset === 'MATIC')?.free ?? '0').eq(matic())).toBe(true);
  }, 180_000);
});
