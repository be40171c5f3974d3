/**
 * The intraday pass on the real exchange path (issue 10 item 8): binance-api-node → HTTP → the Binance
 * emulator on 127.0.0.1 (hourly klines, a clock the test sets), composed as the CLI composes it
 * (openAdapters / openIntradayAdapters), the ledger on PGlite and — for the stop case — the Postgres server.
 *
 * Hand-checked figures (bundled hourly klines, 2021-03-01): the rebalance at 00:00:30 buys MATIC and UNFI
 * (top 2 of MATIC, UNFI, BTC, ETH, ADA). With trailing_stop 0.1 (active at once), MATIC's peak is the high
 * 0.24899 → stop 0.224091, crossed by the 11:00 candle's low; UNFI's peak 44.3992 → 39.95928, crossed at
 * 06:00. At 12:00:30 the pass sells both at the market: the emulator's price then is the open of the 12:00
 * candle (MATIC 0.22668, UNFI 41.1452), commission 0.1 % in USDT.
 * - stop: the SELLs with their orders, fills, fees, reasons and levels in the ledger;
 * - halt: MATIC alone, max_drawdown 0.02: at 12:00:30 MATIC is 2.8 % below its entry → equity ≈ 9713 ≤
 *   10000 × 0.98 → the position is sold (reason max_drawdown) and the account is halted;
 * - crash: the CLI killed after the SELL reached the exchange and before its answer was recorded; the
 *   next pass looks the PENDING order up by clientOrderId and sends no second SELL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, loadDataset } from '../../src/adapters/data/bundled-dataset.ts';
import type { PostgresLedger } from '../../src/adapters/postgres/postgres-ledger.ts';
import { runIntraday } from '../../src/app/intraday/run-intraday.ts';
import { runRebalance } from '../../src/app/rebalance.ts';
import { exitCodeOfResult } from '../../src/cli/exit-codes.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { openIntradayAdapters } from '../../src/compose/intraday.ts';
import { openAdapters } from '../../src/compose/rebalance.ts';
import { BUNDLED_DATA_DIR, settingsFrom } from '../../src/compose/settings.ts';
import { loadConfig, type Overrides } from '../../src/config/loader.ts';
import { dec } from '../../src/domain/decimal.ts';
import { dayToMs } from '../../src/domain/time.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import { type CrashProxy, startCrashProxy } from '../fault/harness.ts';
import { BIN } from '../support/cli.ts';
import { freshServerDatabase } from '../support/postgres-server.ts';

const logger = createLogger('silent', 'json');
const SECRET = 'e2e-intraday-secret-0123456789';
const HOUR = 3_600_000;
const TWO: Overrides = {
  strategy: { top_n: '2' },
  universe: { include: 'MATICUSDT,UNFIUSDT,BTCUSDT,ETHUSDT,ADAUSDT' },
  risk: { stop_loss: '0.05', trailing_stop: '0.1' },
};

let dataset: Dataset;
beforeAll(async () => {
  dataset = await loadDataset(BUNDLED_DATA_DIR);
});

/** An emulator whose clock the test sets (it runs on in real time from there), and a scratch directory. */
async function world(keys: string[]) {
  let base = dayToMs('2021-03-01') + 30_000;
  let t0 = Date.now();
  const emu = await startEmulator({
    dataset,
    now: () => base + (Date.now() - t0),
    accounts: keys.map((apiKey) => ({ apiKey, secret: SECRET, balances: { USDT: '10000' } })),
  });
  return {
    emu,
    dir: mkdtempSync(path.join(os.tmpdir(), 'e2e-intraday-')),
    setClock(ms: number) {
      base = ms;
      t0 = Date.now();
    },
  };
}

type World = Awaited<ReturnType<typeof world>>;

function configFor(w: World, baseUrl: string, account: string, o: Overrides, dbUrl?: string) {
  return loadConfig({
    cwd: w.dir,
    env: {},
    overrides: {
      ...o,
      exchange: { kind: 'testnet', base_url: baseUrl },
      paper: { account },
      database: { data_dir: path.join(w.dir, 'pglite'), ...(dbUrl ? { url: dbUrl } : {}) },
    },
  });
}

async function rebalance(
  w: World,
  baseUrl: string,
  account: string,
  apiKey: string,
  o: Overrides,
  db?: string,
) {
  const loaded = configFor(w, baseUrl, account, o, db);
  const adapters = await openAdapters(loaded.config, logger, {
    credentials: { apiKey, apiSecret: SECRET, privateKeyPath: null },
  });
  try {
    return await runRebalance(adapters.deps, {
      settings: settingsFrom(loaded.config),
      dryRun: false,
      force: false,
      effectiveConfig: loaded.redacted(),
    });
  } finally {
    await adapters.close();
  }
}

/** One pass; `inspect` reads the ledger before it closes. */
async function pass<T>(
  w: World,
  baseUrl: string,
  account: string,
  apiKey: string,
  o: Overrides,
  inspect: (ledger: PostgresLedger, accountId: string) => Promise<T>,
  db?: string,
) {
  const loaded = configFor(w, baseUrl, account, o, db);
  const adapters = await openIntradayAdapters(loaded.config, logger, {
    credentials: { apiKey, apiSecret: SECRET, privateKeyPath: null },
  });
  try {
    const result = await runIntraday(adapters.deps, {
      settings: settingsFrom(loaded.config),
      dryRun: false,
      effectiveConfig: loaded.redacted(),
    });
    const ledger = adapters.ledger as PostgresLedger;
    const acc = await ledger.db
      .selectFrom('accounts')
      .select('id')
      .where('name', '=', account)
      .executeTakeFirstOrThrow();
    return { result, seen: await inspect(ledger, acc.id) };
  } finally {
    await adapters.close();
  }
}

const serverUrl = process.env.DATABASE_URL;
const backends = [
  { name: 'PGlite (embedded)', server: false, skip: false },
  { name: 'Postgres server (DATABASE_URL)', server: true, skip: !serverUrl },
];

describe.each(backends)('intraday pass through the emulator, ledger on $name', ({ server, skip }) => {
  let w: World;
  let dbUrl: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (skip) return;
    w = await world(['k-stop']);
    if (server && serverUrl) {
      const fresh = await freshServerDatabase(serverUrl, 'e2e_intraday');
      dbUrl = fresh.url;
      drop = fresh.drop;
    }
  });
  afterAll(async () => {
    if (skip) return;
    await w.emu.close();
    await drop?.();
    rmSync(w.dir, { recursive: true, force: true });
  });

  it.skipIf(skip)(
    'buy at a rebalance, advance the clock: the pass sells at the trailing stops (order, fill, fee, reason, level)',
    async () => {
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
      // what is left is dust: the emulator account agrees, and the positions' states hold dust only
      for (const b of w.emu.balances('k-stop').filter((x) => x.asset !== 'USDT'))
        expect(dec(b.free).lt(1)).toBe(true);
    },
    120_000,
  );
});

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

  it('a drawdown sells the position (reason max_drawdown) and sets the halt with its figures', async () => {
    const ONE: Overrides = {
      strategy: { top_n: '1' },
      universe: { include: 'MATICUSDT' },
      risk: { max_drawdown: '0.02' },
    };
    w.setClock(dayToMs('2021-03-01') + 30_000);
    const r = await rebalance(w, w.emu.baseUrl, 'tn-halt', 'k-halt', ONE);
    expect(r.fills.map((f) => f.symbol)).toEqual(['MATICUSDT']);
    w.setClock(dayToMs('2021-03-01') + 12 * HOUR + 30_000);
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
    const ONE: Overrides = {
      strategy: { top_n: '1' },
      universe: { include: 'MATICUSDT' },
      risk: { trailing_stop: '0.1' },
    };
    w.setClock(dayToMs('2021-03-01') + 30_000);
    const r = await rebalance(w, proxy.baseUrl, 'tn-crash', 'k-crash', ONE);
    expect(r.fills.map((f) => f.symbol)).toEqual(['MATICUSDT']);
    w.setClock(dayToMs('2021-03-01') + 12 * HOUR + 30_000);
    armed = true;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'warn',
      BINANCE_API_KEY: 'k-crash',
      BINANCE_API_SECRET: SECRET,
      REBALANCER_DATABASE_DATA_DIR: path.join(w.dir, 'pglite'),
      REBALANCER_STRATEGY_TOP_N: '1',
      REBALANCER_UNIVERSE_INCLUDE: 'MATICUSDT',
      REBALANCER_RISK_TRAILING_STOP: '0.1',
    };
    const killed = await new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [BIN, 'intraday', '--exchange', 'testnet', '--base-url', proxy.baseUrl, '--account', 'tn-crash'],
        { cwd: w.dir, env, stdio: ['ignore', 'ignore', 'ignore'] },
      );
      victim = child;
      proxy.setVictim(child);
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
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
