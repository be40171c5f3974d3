/**
 * What the intraday e2e tests share: a Binance emulator on the bundled data whose clock the test sets, a
 * scratch directory, and one rebalance / one intraday pass composed as the CLI composes them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Dataset, loadDataset } from '../../src/adapters/data/bundled-dataset.ts';
import type { PostgresLedger } from '../../src/adapters/postgres/postgres-ledger.ts';
import { runIntraday } from '../../src/app/intraday/run-intraday.ts';
import { runRebalance } from '../../src/app/rebalance.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { openIntradayAdapters } from '../../src/compose/intraday.ts';
import { openAdapters } from '../../src/compose/rebalance.ts';
import { BUNDLED_DATA_DIR, settingsFrom } from '../../src/compose/settings.ts';
import { loadConfig, type Overrides } from '../../src/config/loader.ts';
import { dayToMs } from '../../src/domain/time.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import { freshServerDatabase } from './postgres-server.ts';

const logger = createLogger('silent', 'json');
export const SECRET = 'e2e-intraday-secret-0123456789';
export const HOUR = 3_600_000;
export const TWO: Overrides = {
  strategy: { top_n: '2' },
  universe: { include: 'MATICUSDT,UNFIUSDT,BTCUSDT,ETHUSDT,ADAUSDT' },
  risk: { stop_loss: '0.05', trailing_stop: '0.1' },
};

/** The bundled dataset, loaded once per test file. */
let dataset: Promise<Dataset> | undefined;

/**
 * An emulator whose clock the test sets (it runs on in real time from there), and a scratch directory.
 * Every account starts with 10,000 USDT, plus `extra[apiKey]` (asset → amount) when given.
 */
export async function world(keys: string[], extra: Record<string, Record<string, string>> = {}) {
  let base = dayToMs('2021-03-01') + 30_000;
  let t0 = Date.now();
  dataset ??= loadDataset(BUNDLED_DATA_DIR);
  const emu = await startEmulator({
    dataset: await dataset,
    now: () => base + (Date.now() - t0),
    accounts: keys.map((apiKey) => ({
      apiKey,
      secret: SECRET,
      balances: { USDT: '10000', ...extra[apiKey] },
    })),
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

export type World = Awaited<ReturnType<typeof world>>;

/**
 * The file's world for one ledger backend, created in `beforeAll` and torn down in `afterAll`: the
 * emulator with accounts `keys`, and — when `server` — a scratch database `dbName` on the Postgres server
 * of `serverUrl`. Returns getters (valid inside the tests). Nothing is created when `skip`.
 */
export function useWorld(
  keys: string[],
  opts: {
    readonly server: boolean;
    readonly skip: boolean;
    readonly serverUrl?: string;
    readonly dbName: string;
  },
): { readonly w: () => World; readonly dbUrl: () => string | undefined } {
  let w: World | undefined;
  let dbUrl: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (opts.skip) return;
    w = await world(keys);
    if (opts.server && opts.serverUrl) {
      const fresh = await freshServerDatabase(opts.serverUrl, opts.dbName);
      dbUrl = fresh.url;
      drop = fresh.drop;
    }
  });
  afterAll(async () => {
    if (opts.skip || !w) return;
    await w.emu.close();
    await drop?.();
    rmSync(w.dir, { recursive: true, force: true });
  });
  return { w: () => w as World, dbUrl: () => dbUrl };
}

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

export async function rebalance(
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
export async function pass<T>(
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
