import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { exitCodeOfResult } from '../../src/cli/exit-codes.ts';
import { dec } from '../../src/domain/decimal.ts';
import { dayToMs } from '../../src/domain/time.ts';
import { HOUR, pass, rebalance, TWO, useWorld } from '../support/intraday-world.ts';
import { LEDGER_BACKENDS } from '../support/ledger-scratch.ts';

describe.each(LEDGER_BACKENDS)('intraday pass through the emulator, ledger on $name', (backend) => {
  const ctx = useWorld(['k-stop'], backend, 'e2e_intraday');

  it.skipIf(backend.skip)(
    'buy at a rebalance, advance the clock: the pass sells at the trailing stops (order, fill, fee, reason, level)',
    async () => {
      const w = ctx.w();
      const dbUrl = ctx.dbUrl();
      w.setClock(dayToMs('2021-03-01') + 30_000);
      const r = await rebalance(w, w.emu.baseUrl, 'tn-stop', 'k-stop', TWO, dbUrl);
      expect(r.run.status).toBe('completed');
      expect(r.fills.map((f) => [f.symbol, f.side]).sort()).toEqual([
        ['MATICUSDT', 'BUY'],
        ['UNFIUSDT', 'BUY'],
      ]);
      w.setClock(dayToMs('2021-03-01') + 12 * HOUR + 30_000);
      const { result, seen } = await pass(
        w,
        w.emu.baseUrl,
        'tn-stop',
        'k-stop',
        TWO,
        async (ledger, accountId) => ({
          exits: await ledger.intradayExits(accountId),
          risk: await ledger.riskStates(accountId),
          snapshots: await sql<{ phase: string }>`
            select distinct s.phase from exchange_balance_snapshots s join runs r on r.id = s.run_id
            where r.account_id = ${accountId} and r.kind = 'intraday' order by s.phase`.execute(ledger.db),
          runs: await ledger.db
            .selectFrom('runs')
            .select(['kind', 'status'])
            .where('account_id', '=', accountId)
            .orderBy('id')
            .execute(),
          orders: await sql<{
            symbol: string;
            side: string;
            status: string;
            client_order_id: string;
            n: string;
          }>`
            select o.symbol, o.side, o.status, o.client_order_id, count(f.id)::text as n
            from orders o join runs r on r.id = o.run_id left join fills f on f.order_id = o.id
            where o.account_id = ${accountId} and r.kind = 'intraday'
            group by o.id order by o.symbol`.execute(ledger.db),
        }),
        dbUrl,
      );
      expect(exitCodeOfResult(result)).toBe(0);
      expect(result.run.status).toBe('completed');
      const exits = result.exits.map((e) => [e.symbol, e.reason, e.level, e.time, e.status]);
      expect(exits.sort()).toEqual([
        ['MATICUSDT', 'trailing_stop', '0.224091', '2021-03-01T11:00:00.000Z', 'FILLED'],
        ['UNFIUSDT', 'trailing_stop', '39.95928', '2021-03-01T06:00:00.000Z', 'FILLED'],
      ]);
      // the market SELLs filled at the 12:00 opens, fee 0.1 % in USDT
      const fills = [...result.fills].sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
      expect(fills.map((f) => [f.symbol, f.side, f.price, f.commission_asset])).toEqual([
        ['MATICUSDT', 'SELL', '0.22668', 'USDT'],
        ['UNFIUSDT', 'SELL', '41.1452', 'USDT'],
      ]);
      for (const f of fills)
        expect(dec(f.commission).eq(dec(f.quote_quantity).times('0.001').toDecimalPlaces(8, 2))).toBe(true);
      // the ledger: the exits with reason and level, the orders (one fill each), the run
      expect(seen.exits.map((e) => [e.symbol, e.reason, e.level, e.price]).sort()).toEqual([
        ['MATICUSDT', 'trailing_stop', '0.224091', '0.22668'],
        ['UNFIUSDT', 'trailing_stop', '39.95928', '41.1452'],
      ]);
      expect(seen.orders.rows.map((o) => [o.symbol, o.side, o.status, o.n])).toEqual([
        ['MATICUSDT', 'SELL', 'FILLED', '1'],
        ['UNFIUSDT', 'SELL', 'FILLED', '1'],
      ]);
      expect(seen.orders.rows.every((o) => o.client_order_id.startsWith('mi-2021030112-'))).toBe(true);
      expect(seen.runs.map((x) => [x.kind, x.status])).toEqual([
        ['rebalance', 'completed'],
        ['intraday', 'completed'],
      ]);
      // the exchange's balances before and after the SELLs agree with the book
      expect(result.reconciliation).toEqual([]);
      expect(seen.snapshots.rows.map((x) => x.phase)).toEqual(['after', 'before']);
      // what is left is dust: the emulator account agrees, and the positions' states hold dust only
      for (const b of w.emu.balances('k-stop').filter((x) => x.asset !== 'USDT'))
        expect(dec(b.free).lt(1)).toBe(true);
    },
    120_000,
  );
});
