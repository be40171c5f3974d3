/**
 * The intraday pass reconciles the book with the exchange before it sells (issue 10 / issue 14 item 3), on
 * the real path: runIntraday composed as the CLI composes it → binance-api-node → HTTP → a counting proxy
 * (test/fault's crash proxy, never armed) → the Binance emulator on 127.0.0.1, ledger on PGlite.
 *
 * Reproduces:
 * - "less than the book": the testnet account was reset (the emulator's `resetState`) after the rebalance
 *   bought MATIC; the pass's trailing stop fires. Before the fix the pass sent the SELL anyway (rejected,
 *   -2010, exit 4) — it only recorded the difference. Now: one account request, the run `refused` with
 *   the differences, no order sent, exit 3 as the rebalance's refusal, the position's state untouched.
 * - "more than the book": the account also holds 100 MATIC that are not the strategy's: the difference is
 *   reported (positive), the pass sells only the book's holding and the 100 stay on the account.
 *
 * Figures (hand-checked in intraday-crash.test.ts): MATIC alone, bought at the 2021-03-01 rebalance;
 * trailing_stop 0.1: at 12:00:30 the peak 0.24899 gives R = 0.224091, crossed by the 10:00 candle.
 */
import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeOfResult } from '../../src/cli/exit-codes.ts';
import type { Overrides } from '../../src/config/loader.ts';
import { dec } from '../../src/domain/decimal.ts';
import { dayToMs } from '../../src/domain/time.ts';
import { type CrashProxy, startCrashProxy } from '../fault/harness.ts';
import { HOUR, pass, rebalance, type World, world } from '../support/intraday-world.ts';

const ONE: Overrides = {
  strategy: { top_n: '1' },
  universe: { include: 'MATICUSDT' },
  risk: { trailing_stop: '0.1' },
};

describe('the intraday pass reconciles before it sells (PGlite)', () => {
  const open: { w: World; proxy: CrashProxy }[] = [];
  afterEach(async () => {
    for (const { w, proxy } of open.splice(0)) {
      await proxy.close();
      await w.emu.close();
      rmSync(w.dir, { recursive: true, force: true });
    }
  });
  const setUp = async (key: string, extra: Record<string, string> = {}) => {
    const w = await world([key], { [key]: extra });
    const proxy = await startCrashProxy(w.emu.baseUrl, null);
    open.push({ w, proxy });
    return { w, proxy };
  };
  const orderPosts = (p: CrashProxy) => p.seen.filter((x) => x === 'POST /api/v3/order').length;

  it('the exchange holds less than the book: refused (exit 3), no order, the differences recorded, the state kept', async () => {
    const { w, proxy } = await setUp('k-less');
    w.setClock(dayToMs('2021-03-01') + 30_000);
    const r = await rebalance(w, proxy.baseUrl, 'tn-less', 'k-less', ONE);
    expect(r.fills.map((f) => f.symbol)).toEqual(['MATICUSDT']);
    const first = await pass(w, proxy.baseUrl, 'tn-less', 'k-less', ONE, async (l, id) => l.riskStates(id));
    expect(first.result.run.status).toBe('completed'); // 00:00:30: nothing fired, nothing differs
    w.emu.control({ resetState: true }); // a testnet reset: the account holds 10,000 USDT, no MATIC
    w.setClock(dayToMs('2021-03-01') + 12 * HOUR + 30_000);
    const ordersBefore = orderPosts(proxy);
    const seenBefore = proxy.seen.length;
    const { result, seen } = await pass(w, proxy.baseUrl, 'tn-less', 'k-less', ONE, async (l, id) => ({
      risk: await l.riskStates(id),
      runs: await sql<{ kind: string; status: string; exit_reason: string }>`
        select kind, status, exit_reason from runs where account_id = ${id} order by id`.execute(l.db),
      recs: await sql<{ asset: string; expected: string; actual: string; difference: string }>`
        select asset, expected::text, actual::text, difference::text from reconciliations
        where account_id = ${id} order by id`.execute(l.db),
      orders: await sql<{ n: string }>`
        select count(*)::text as n from orders where account_id = ${id} and side = 'SELL'`.execute(l.db),
    }));
    // no SELL reached the exchange, and exactly one account request was made for the comparison
    expect(orderPosts(proxy)).toBe(ordersBefore);
    expect(proxy.seen.slice(seenBefore).filter((x) => x === 'GET /api/v3/account')).toHaveLength(1);
    expect(result.run.status).toBe('refused');
    expect(exitCodeOfResult(result)).toBe(3);
    expect(result.run.exit_reason).toContain('the exchange holds less than the ledger manages (MATIC 0 <');
    expect(result.orders).toEqual([]);
    expect(result.exits).toEqual([]);
    // the decision is still reported: what fired, and why nothing was sent
    expect(result.decisions.map((d) => d.symbol)).toEqual(['MATICUSDT']);
    const less = result.reconciliation.filter((x) => dec(x.difference).lt(0));
    expect(less.map((x) => [x.phase, x.asset, x.actual])).toEqual([['before', 'MATIC', '0']]);
    expect(seen.runs.rows.map((x) => [x.kind, x.status])).toEqual([
      ['rebalance', 'completed'],
      ['intraday', 'completed'],
      ['intraday', 'refused'],
    ]);
    expect(seen.recs.rows.map((x) => [x.asset, x.actual])).toContainEqual(['MATIC', '0']);
    expect(seen.orders.rows[0]?.n).toBe('0');
    // the position's state is kept as it was: the next pass evaluates the same bars again
    expect(seen.risk).toEqual(first.seen);
  }, 120_000);

  it('the exchange holds more than the book: reported, only the book is sold, the surplus stays', async () => {
    const { w, proxy } = await setUp('k-more', { MATIC: '100' });
    w.setClock(dayToMs('2021-03-01') + 30_000);
    const r = await rebalance(w, proxy.baseUrl, 'tn-more', 'k-more', ONE);
    expect(r.run.status).toBe('completed');
    const bought = dec(r.balances.find((b) => b.asset === 'MATIC')?.free ?? '0');
    w.setClock(dayToMs('2021-03-01') + 12 * HOUR + 30_000);
    const { result } = await pass(w, proxy.baseUrl, 'tn-more', 'k-more', ONE, async () => null);
    expect(result.run.status).toBe('completed');
    expect(exitCodeOfResult(result)).toBe(0);
    expect(result.exits.map((e) => [e.symbol, e.reason, e.status])).toEqual([
      ['MATICUSDT', 'trailing_stop', 'FILLED'],
    ]);
    const more = result.reconciliation.filter((x) => x.phase === 'before');
    expect(more.map((x) => [x.asset, x.difference])).toEqual([['MATIC', '100']]);
    expect(more[0]?.expected).toBe(bought.toFixed());
    expect(result.reconciliation.filter((x) => x.phase === 'after')).toEqual([]);
    // the exchange keeps the 100 MATIC that are not the strategy's, plus the book's dust
    const left = dec(w.emu.balances('k-more').find((b) => b.asset === 'MATIC')?.free ?? '0');
    const dust = dec(result.balances.find((b) => b.asset === 'MATIC')?.free ?? '0');
    expect(left.minus(100).eq(dust)).toBe(true);
    expect(dust.lt(1)).toBe(true);
  }, 120_000);
});
