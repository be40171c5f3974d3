import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/adapters/postgres/connect.ts';
import type { PostgresLedger } from '../../src/adapters/postgres/postgres-ledger.ts';
import type { BacktestResult } from '../../src/app/backtest-result.ts';
import { cli } from '../support/cli.ts';
import { freshServerDatabase } from '../support/postgres-server.ts';

const serverUrl = process.env.DATABASE_URL || undefined;

const BACKENDS = [
  { name: 'PGlite (embedded, data dir from the environment)', server: false, skip: false },
  {
    name: serverUrl ? 'Postgres server (DATABASE_URL)' : 'Postgres server (set DATABASE_URL)',
    server: true,
    skip: !serverUrl,
  },
];

describe.each(BACKENDS)('recorded backtests on $name', ({ server, skip }) => {
  let cwd: string;
  let env: Record<string, string>;
  let ledger: PostgresLedger;
  let drop: (() => Promise<void>) | undefined;
  let json: BacktestResult;
  let stdout = '';

  beforeAll(async () => {
    if (skip) return;
    cwd = mkdtempSync(path.join(os.tmpdir(), 'bt-record-'));
    if (server) {
      const fresh = await freshServerDatabase(serverUrl as string, 'e2e_backtest');
      drop = fresh.drop;
      env = { DATABASE_URL: fresh.url };
    } else {
      env = { REBALANCER_DATABASE_DATA_DIR: path.join(cwd, 'db') };
    }
    const r = await cli(
      cwd,
      ['backtest', '--from', '2021-01-01', '--to', '2021-01-31', '--account', 'lab', '--out', 'r.json'],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    stdout = r.stdout;
    json = JSON.parse(readFileSync(path.join(cwd, 'r.json'), 'utf8'));
    const s = await cli(
      cwd,
      ['backtest', '--from', '2021-01-01', '--to', '2021-01-31', '--account', 'lab', '--sweep', 'top_n=3,5'],
      env,
    );
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/Recorded 2 backtest runs/);
    ledger = await openLedger(server ? { url: env.DATABASE_URL } : { dataDir: path.join(cwd, 'db') });
  }, 180_000);

  afterAll(async () => {
    if (skip) return;
    await ledger?.close();
    await drop?.();
    rmSync(cwd, { recursive: true, force: true });
  });

  it.skipIf(skip)(
    'a run of kind backtest with the metrics in its summary, under the account lab-backtest',
    async () => {
      const id = /Recorded as backtest run #(\d+) \(account lab-backtest, 32 equity rows\)/.exec(stdout)?.[1];
      expect(id).toBeDefined();
      const run = await ledger.db
        .selectFrom('runs')
        .innerJoin('accounts', 'accounts.id', 'runs.account_id')
        .select([
          'runs.kind',
          'runs.status',
          'runs.period',
          'runs.summary',
          'runs.config',
          'accounts.name',
          'accounts.exchange_kind',
        ])
        .where('runs.id', '=', id as string)
        .executeTakeFirstOrThrow();
      expect(run).toMatchObject({
        kind: 'backtest',
        status: 'completed',
        period: '2021-01-31',
        name: 'lab-backtest',
        exchange_kind: 'replay',
      });
      const summary = run.summary as Record<string, unknown>;
      expect(summary.metrics).toEqual(json.metrics);
      expect(summary.benchmarks).toEqual(json.benchmarks);
      expect(summary).toMatchObject({
        from: '2021-01-01',
        to: '2021-01-31',
        days: 31,
        trades: json.trades.length,
      });
      expect((run.config as { strategy: { top_n: number } }).strategy.top_n).toBe(10);
    },
  );

  it.skipIf(skip)('one backtest_equity row per day, exact decimals equal to the JSON floats', async () => {
    const id = /run #(\d+)/.exec(stdout)?.[1] as string;
    const rows = await ledger.db
      .selectFrom('backtest_equity')
      .selectAll()
      .where('run_id', '=', id)
      .orderBy('day')
      .execute();
    expect(rows).toHaveLength(32); // 2020-12-31 .. 2021-01-31
    expect(rows.map((r) => r.day)).toEqual(json.equity.map((p) => p.date));
    expect(rows.map((r) => Number(r.equity))).toEqual(json.equity.map((p) => p.equity));
    expect(rows.map((r) => Number(r.benchmark_btc))).toEqual(
      json.benchmark_equity.btc_hold.map((p) => p.equity),
    );
    expect(rows.map((r) => Number(r.benchmark_equal_weight))).toEqual(
      json.benchmark_equity.equal_weight.map((p) => p.equity),
    );
    expect(rows[0]?.equity).toBe('10000');
  });

  it.skipIf(skip)(
    'sweeps record one run per configuration (no benchmarks), all in backtest_overview',
    async () => {
      const view = await sql<{
        run_id: string;
        account: string;
        from_day: string;
        to_day: string;
        top_n: number;
        sharpe: number | null;
        total_return: number;
        btc_hold_sharpe: number | null;
        sweep: unknown;
      }>`select run_id, account, from_day::text, to_day::text, top_n, sharpe, total_return, btc_hold_sharpe, sweep from backtest_overview order by run_id`.execute(
        ledger.db,
      );
      expect(view.rows).toHaveLength(3);
      const [single, ...swept] = view.rows;
      expect(single).toMatchObject({
        account: 'lab-backtest',
        from_day: '2021-01-01',
        to_day: '2021-01-31',
        top_n: 10,
        sweep: null,
      });
      expect(single?.total_return).toBe(json.metrics.total_return);
      expect(single?.btc_hold_sharpe).toBe(json.benchmarks.btc_hold.sharpe);
      expect(swept.map((r) => r.sweep)).toEqual([{ top_n: 3 }, { top_n: 5 }]);
      expect(swept.map((r) => r.top_n)).toEqual([3, 5]);
      const counts = await sql<{ run_id: string; n: string; btc: string }>`
      select run_id::text, count(*)::text as n, count(benchmark_btc)::text as btc
      from backtest_equity group by run_id order by run_id`.execute(ledger.db);
      expect(counts.rows.map((r) => [r.n, r.btc])).toEqual([
        ['32', '32'],
        ['32', '0'],
        ['32', '0'],
      ]);
    },
  );
});
