/**
 * One instance per account (issue 9 item 4, item 7 "ten concurrent rebalances on one account on each
 * ledger"). Reproduces the defect: ten `rebalance` triggers started at once on one account (the real
 * CLI in ten processes, replay exchange) placed the orders more than once — on a Postgres server several
 * runs traded the same period; on embedded PGlite several processes opened the same directory at once.
 * With the lock exactly one process trades; the others exit 75 (EX_TEMPFAIL) naming the holder, or —
 * when they start after the winner has finished — are recorded `skipped` (already rebalanced). The
 * ledger's orders are counted to prove it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/adapters/postgres/connect.ts';
import type { PostgresLedger } from '../../src/adapters/postgres/postgres-ledger.ts';
import { cli, type Ran } from '../support/cli.ts';
import { useEmulator } from '../support/emulator.ts';
import { freshServerDatabase } from '../support/postgres-server.ts';
import { useTempDir } from '../support/temp-dirs.ts';

const serverUrl = process.env.DATABASE_URL;

/** Orders and completed runs of the account `replay` (the default account of the replay exchange) in a ledger. */
async function countBook(
  ledger: PostgresLedger,
): Promise<{ orders: number; completed: number; ids: number }> {
  const r = await sql<{ orders: string; ids: string; completed: string }>`
    select (select count(*) from orders) as orders,
           (select count(distinct client_order_id) from orders) as ids,
           (select count(*) from runs where status = 'completed' and kind = 'rebalance') as completed`.execute(
    ledger.db,
  );
  const row = r.rows[0] as { orders: string; ids: string; completed: string };
  return { orders: Number(row.orders), completed: Number(row.completed), ids: Number(row.ids) };
}

/**
 * Ten `rebalance --json --as-of 2021-06-01` at once; returns their results. The lock wait is short
 * (1 s) so the losers give up while the winner trades.
 */
async function tenAtOnce(cwd: string, env: Record<string, string>): Promise<Ran[]> {
  return Promise.all(
    Array.from({ length: 10 }, () =>
      cli(cwd, ['rebalance', '--json', '--as-of', '2021-06-01', '--top-n', '3'], {
        REBALANCER_DATABASE_LOCK_WAIT_MS: '1000',
        ...env,
      }),
    ),
  );
}

/** Exactly one trades; each other one exits 75 naming the holder, or 0 recorded `skipped`. */
function expectOneTrader(runs: Ran[]): Ran {
  const traders = runs.filter((r) => r.code === 0 && JSON.parse(r.stdout).run.status === 'completed');
  expect(traders, runs.map((r) => `${r.code}: ${r.stderr.slice(0, 300)}`).join('\n')).toHaveLength(1);
  for (const r of runs) {
    if (r === traders[0]) continue;
    if (r.code === 0) {
      expect(JSON.parse(r.stdout).run).toMatchObject({
        status: 'skipped',
        exit_reason: 'already_rebalanced',
      });
    } else {
      expect(r.code, r.stderr).toBe(75);
      expect(r.stderr).toMatch(
        /account "(replay|testnet)" is in use by another instance \(pid \d+, on \S+, since \d{4}-/,
      );
      expect(r.stderr).toMatch(/running "rebalance"/);
      expect(r.stdout).toBe('');
    }
  }
  return traders[0] as Ran;
}

describe('ten concurrent rebalances on one account', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'cli-lock-'));
    // Builds the bundled CLI once, so ten processes do not all build it.
    const warm = await cli(cwd, ['help']);
    expect(warm.code).toBe(0);
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('embedded PGlite: one trades, the others exit 75 or skip; the ledger has one run of orders', async () => {
    const dir = path.join(cwd, 'pglite-case');
    mkdirSync(dir);
    const runs = await tenAtOnce(dir, {});
    const winner = expectOneTrader(runs);
    const planned = JSON.parse(winner.stdout).orders.length as number;
    expect(planned).toBeGreaterThan(0);
    const ledger = await openLedger({ dataDir: path.join(dir, 'var', 'pglite') });
    try {
      const book = await countBook(ledger);
      expect(book).toEqual({ orders: planned, ids: planned, completed: 1 });
    } finally {
      await ledger.close();
    }
  }, 180_000);

  it.skipIf(!serverUrl)(
    'Postgres server: one trades, the others exit 75 or skip; the ledger has one run of orders',
    async () => {
      const db = await freshServerDatabase(serverUrl as string, 'cli_lock');
      try {
        const runs = await tenAtOnce(cwd, { DATABASE_URL: db.url });
        const winner = expectOneTrader(runs);
        const planned = JSON.parse(winner.stdout).orders.length as number;
        expect(planned).toBeGreaterThan(0);
        const ledger = await openLedger({ url: db.url });
        try {
          expect(await countBook(ledger)).toEqual({ orders: planned, ids: planned, completed: 1 });
        } finally {
          await ledger.close();
        }
      } finally {
        await db.drop();
      }
    },
    180_000,
  );
});

describe.skipIf(!serverUrl)('concurrent testnet rebalances through the emulator (Postgres server)', () => {
  const cwd = useTempDir('cli-lock-tn-');
  const emu = useEmulator({
    asOf: '2021-06-01',
    accounts: [{ apiKey: 'lock-key', secret: 'lock-secret-value', balances: { USDT: '10000' } }],
  });

  it('five at once over HTTP: one places orders on the exchange, the others exit 75 or skip', async () => {
    const db = await freshServerDatabase(serverUrl as string, 'cli_lock_tn');
    try {
      const env = {
        DATABASE_URL: db.url,
        BINANCE_API_KEY: 'lock-key',
        BINANCE_API_SECRET: 'lock-secret-value',
        REBALANCER_DATABASE_LOCK_WAIT_MS: '500',
      };
      const args = [
        'rebalance',
        '--json',
        '--exchange',
        'testnet',
        '--base-url',
        emu().baseUrl,
        '--top-n',
        '3',
      ];
      const runs = await Promise.all(Array.from({ length: 5 }, () => cli(cwd, args, env)));
      const winner = expectOneTrader(runs);
      const orders = JSON.parse(winner.stdout).orders as { status: string }[];
      expect(orders.length).toBeGreaterThan(0);
      const ledger = await openLedger({ url: db.url });
      try {
        expect(await countBook(ledger)).toEqual({ orders: orders.length, ids: orders.length, completed: 1 });
      } finally {
        await ledger.close();
      }
      // The exchange holds exactly one basket: USDT plus the 3 bought assets (each bought once).
      const held = emu()
        .balances('lock-key')
        .filter((b) => b.asset !== 'USDT');
      expect(held).toHaveLength(3);
    } finally {
      await db.drop();
    }
  }, 180_000);
});

describe('the PGlite lock file', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'cli-lockfile-'));
    mkdirSync(path.join(cwd, 'var'));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  const lockFile = () => path.join(cwd, 'var', 'pglite.lock');

  it('held by a live process: exit 75 after the wait, naming pid, host, since and command; nothing opened', async () => {
    const since = Date.UTC(2026, 11, 3, 1, 2, 3);
    writeFileSync(
      lockFile(),
      JSON.stringify({
        pid: process.pid,
        host: os.hostname(),
        since,
        command: 'rebalance',
        account: 'replay',
      }),
    );
    const r = await cli(cwd, ['rebalance', '--as-of', '2021-06-01'], {
      REBALANCER_DATABASE_LOCK_WAIT_MS: '300',
    });
    expect(r.code, r.stderr).toBe(75);
    expect(r.stderr).toContain(
      `account "replay" is in use by another instance (pid ${process.pid}, on ${os.hostname()}, since 2026-12-03T01:02:03.000Z, running "rebalance"; lock: ${lockFile()})`,
    );
    expect(r.stderr).toContain('nothing was done');
    expect(existsSync(path.join(cwd, 'var', 'pglite'))).toBe(false);
  });

  it('left by a dead process (kill -9): stale, broken, and the run proceeds; the lock is gone after', async () => {
    // A pid that is not running: a child that has exited.
    const dead = await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ['-e', '0']);
      c.on('close', () => resolve(c.pid as number));
    });
    writeFileSync(
      lockFile(),
      JSON.stringify({ pid: dead, host: os.hostname(), since: Date.now() - 60_000, command: 'rebalance' }),
    );
    // db:migrate opens the PGlite directory too, so it takes the same lock.
    const r = await cli(cwd, ['db:migrate']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(lockFile())).toBe(false);
  });
});
