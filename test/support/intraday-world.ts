/**
 * What the intraday e2e tests share: a Binance emulator on the bundled data whose clock the test sets, a
 * scratch directory, and one rebalance / one intraday pass composed as the CLI composes them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Dataset, loadDataset } from '../../src/adapters/data/bundled-dataset.ts';
import type { PostgresLedger } from '../../src/adapters/postgres/postgres-ledger.ts';
import { runIntraday } from '../../src/app/intraday/run-intraday.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { openIntradayAdapters } from '../../src/compose/intraday.ts';
import { BUNDLED_DATA_DIR, settingsFrom } from '../../src/compose/settings.ts';
import { loadConfig, type Overrides } from '../../src/config/loader.ts';
import { dayToMs } from '../../src/domain/time.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import type { CrashProxy } from '../fault/harness.ts';
import { BIN } from './cli.ts';
import type { LedgerBackend } from './ledger-scratch.ts';
import { freshServerDatabase } from './postgres-server.ts';
import { rebalanceWithKey } from './rebalance-as-cli.ts';

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
 * emulator with accounts `keys`, and — when `backend.url` is set — a scratch database `dbName` on that
 * Postgres server. Returns getters (valid inside the tests). Nothing is created when `backend.skip`.
 */
export function useWorld(
  keys: string[],
  backend: Pick<LedgerBackend, 'url' | 'skip'>,
  dbName: string,
): { readonly w: () => World; readonly dbUrl: () => string | undefined } {
  let w: World | undefined;
  let dbUrl: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (backend.skip) return;
    w = await world(keys);
    if (backend.url) {
      const fresh = await freshServerDatabase(backend.url, dbName);
      dbUrl = fresh.url;
      drop = fresh.drop;
    }
  });
  afterAll(async () => {
    if (backend.skip || !w) return;
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
  return rebalanceWithKey(configFor(w, baseUrl, account, o, db), apiKey, SECRET);
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

/**
 * `rebalancer intraday --exchange testnet --base-url <proxy> --account <account>` as a child process
 * (stdio ignored) in the world's directory: API key `apiKey` (secret {@link SECRET}), the world's PGlite
 * directory (and `DATABASE_URL` = `dbUrl` when given), log level warn, then `env` (the `REBALANCER_*` keys
 * of the test's overrides). The crash proxy is told the child is its victim and `onChild` receives it (to
 * kill it in an `afterAll`). Resolves with how the child ended (exit code, signal).
 */
export function intradayChild(
  w: World,
  proxy: Pick<CrashProxy, 'baseUrl' | 'setVictim'>,
  account: string,
  apiKey: string,
  env: Record<string, string>,
  onChild: (child: ChildProcess) => void,
  dbUrl?: string,
): Promise<{ code: number | null; signal: string | null }> {
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    LOG_LEVEL: 'warn',
    BINANCE_API_KEY: apiKey,
    BINANCE_API_SECRET: SECRET,
    REBALANCER_DATABASE_DATA_DIR: path.join(w.dir, 'pglite'),
    ...(dbUrl ? { DATABASE_URL: dbUrl } : {}),
    ...env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, 'intraday', '--exchange', 'testnet', '--base-url', proxy.baseUrl, '--account', account],
      { cwd: w.dir, env: childEnv, stdio: ['ignore', 'ignore', 'ignore'] },
    );
    onChild(child);
    proxy.setVictim(child);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
}
