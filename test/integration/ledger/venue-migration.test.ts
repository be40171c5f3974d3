/**
 * Issue 9.1 (one book per venue), ledger side: a ledger created with migration 001 only, holding an
 * account, a run and its order, migrates to the current schema without losing a row; replay accounts get
 * the venue `replay`, a testnet account created before 004 adopts the endpoint of its next run; the new
 * run statuses of 9.2/14.1 (`refused`, `abandoned`, `completed_with_rejections`) are accepted.
 * Run against PGlite and the Postgres server at DATABASE_URL.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../../src/adapters/postgres/connect.ts';
import { migrate, SQL_DIR } from '../../../src/adapters/postgres/migrate.ts';
import { ScratchDatabases } from '../../support/postgres-server.ts';
import { replayAccount } from '../../support/replay-account.ts';

const DATABASE_URL = process.env.DATABASE_URL || undefined;
const BACKENDS = [
  { name: 'pglite (in memory)', kind: 'pglite' as const, skip: false },
  { name: 'postgres server (DATABASE_URL)', kind: 'postgres' as const, skip: DATABASE_URL === undefined },
];

/** A copy of `sql/` holding migration 001 only (the schema of a ledger created before 002). */
function sqlDirWith001(): { url: URL; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sql-001-'));
  cpSync(new URL('migrations/001_ledger.sql', SQL_DIR), join(dir, 'migrations', '001_ledger.sql'));
  return { url: pathToFileURL(`${dir}/`), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe.each(BACKENDS)('venue migration on $name', (backend) => {
  const scratch = backend.skip ? null : new ScratchDatabases(DATABASE_URL ?? '', 'venue_test');
  afterAll(async () => {
    await scratch?.dropAll();
  });

  it.skipIf(backend.skip)('a ledger of migration 001 with rows migrates without losing any', async () => {
    const ledger =
      backend.kind === 'postgres'
        ? await openLedger({ url: await (scratch as ScratchDatabases).create() })
        : await openLedger({ dataDir: ':memory:' });
    const old = sqlDirWith001();
    try {
      const first = await migrate(ledger.db, { sqlDir: old.url });
      expect(first.applied).toEqual(['001_ledger']);
      // Rows as a pre-004 ledger holds them: a replay account with a completed run and its order, and a
      // testnet account.
      await sql`insert into accounts (name, exchange_kind, quote_asset, initial_quote)
        values ('default', 'replay', 'USDT', 10000), ('tn', 'testnet', 'USDT', 10000)`.execute(ledger.db);
      await sql`insert into runs (account_id, kind, period, rebalance_mode, strategy_mode, status, dry_run,
          forced, decision_time, started_at, finished_at)
        select id, 'rebalance', '2021-01-01', 'full', 'momentum', 'completed', false, false,
          '2021-01-01T00:00:00Z', '2021-01-01T00:00:01Z', '2021-01-01T00:00:02Z' from accounts where name = 'default'`.execute(
        ledger.db,
      );
      await sql`insert into orders (run_id, account_id, client_order_id, symbol, side, leg, quote_order_qty,
          decision_price, decided_at, status)
        select r.id, r.account_id, 'mr-x', 'BTCUSDT', 'BUY', 'buy', 100, 28923.63, '2021-01-01T00:00:01Z', 'FILLED'
        from runs r`.execute(ledger.db);

      const report = await ledger.migrateWithReport();
      expect(report.applied).toContain('004_venue');
      expect(report.skipped).toEqual(['001_ledger']);

      const accounts = await sql<{ name: string; venue: string | null }>`
        select name, venue from accounts order by name`.execute(ledger.db);
      expect(accounts.rows).toEqual([
        { name: 'default', venue: 'replay' },
        { name: 'tn', venue: null },
      ]);
      const counts = await sql<{ runs: string; orders: string }>`
        select (select count(*) from runs)::text as runs, (select count(*) from orders)::text as orders`.execute(
        ledger.db,
      );
      expect(counts.rows[0]).toEqual({ runs: '1', orders: '1' });
      // The run of 001 still counts as the account's last completed run.
      const acc = await ledger.ensureAccount({
        name: 'default',
        exchangeKind: 'replay',
        quoteAsset: 'USDT',
        initialQuote: '10000',
        venue: 'replay',
      });
      expect((await ledger.lastCompletedRun(acc.id, 'rebalance'))?.period).toBe('2021-01-01');

      // A testnet account of before 004 adopts the endpoint of its next testnet run, once.
      const tn = await ledger.ensureAccount({
        name: 'tn',
        exchangeKind: 'testnet',
        quoteAsset: 'USDT',
        initialQuote: '10000',
        venue: 'testnet http://127.0.0.1:1',
      });
      expect(tn.venue).toBe('testnet http://127.0.0.1:1');
      const again = await ledger.ensureAccount({
        name: 'tn',
        exchangeKind: 'testnet',
        quoteAsset: 'USDT',
        initialQuote: '10000',
        venue: 'testnet http://127.0.0.1:2',
      });
      expect(again.venue).toBe('testnet http://127.0.0.1:1');

      // The statuses of 9.2 / 14.1 are accepted by the schema.
      for (const status of ['refused', 'abandoned', 'completed_with_rejections']) {
        const run = await ledger.startRun({
          accountId: acc.id,
          kind: 'rebalance',
          period: '2021-01-02',
          rebalanceMode: 'full',
          strategyMode: 'momentum',
          dryRun: false,
          forced: false,
          config: {},
          decisionTime: Date.UTC(2021, 0, 2),
          startedAt: Date.UTC(2021, 0, 2, 0, 0, 1),
        });
        await ledger.finishRun(run.id, {
          status: status as 'refused',
          exitReason: status,
          finishedAt: Date.UTC(2021, 0, 2, 0, 0, 2),
          timings: {},
        });
      }
    } finally {
      old.cleanup();
      await ledger.close();
    }
  });

  it.skipIf(backend.skip)(
    'a run still `running` without a sign of life for longer than the lease is marked abandoned',
    async () => {
      const ledger =
        backend.kind === 'postgres'
          ? await openLedger({ url: await (scratch as ScratchDatabases).create(), migrate: true })
          : await openLedger({ dataDir: ':memory:', migrate: true });
      try {
        const acc = await replayAccount(ledger, 'a', '10000');
        const t = Date.UTC(2021, 0, 1, 0, 0, 0);
        const run = (startedAt: number) =>
          ledger.startRun({
            accountId: acc.id,
            kind: 'rebalance',
            period: '2021-01-01',
            rebalanceMode: 'full',
            strategyMode: 'momentum',
            dryRun: false,
            forced: false,
            config: {},
            decisionTime: t,
            startedAt,
          });
        const dead = await run(t);
        const alive = await run(t + 10_000);
        await ledger.heartbeat(alive.id, t + 50_000);
        // Lease 30 s at t + 60 s: `dead` last lived at t (60 s ago), `alive` at t + 50 s (10 s ago).
        const marked = await ledger.abandonStaleRuns(acc.id, 'rebalance', t + 30_000, t + 60_000);
        expect(marked).toEqual([dead.id]);
        const rows = await sql<{ id: string; status: string; exit_reason: string | null }>`
          select id::text, status, exit_reason from runs order by id`.execute(ledger.db);
        expect(rows.rows.map((r) => r.status)).toEqual(['abandoned', 'running']);
        expect(rows.rows[0]?.exit_reason).toMatch(/^abandoned: no sign of life since 2021-01-01T00:00:00Z/);
      } finally {
        await ledger.close();
      }
    },
  );
});
