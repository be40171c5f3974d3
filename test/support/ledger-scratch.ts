/**
 * The two ledgers a test runs on (PGlite, and the Postgres server of `DATABASE_URL` when it is set) and a
 * per-suite scratch for each: a temp directory and, on the server, a fresh database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type LoadedConfig, loadConfig, type Overrides } from '../../src/config/loader.ts';
import { freshServerDatabase } from './postgres-server.ts';

const serverUrl = process.env.DATABASE_URL || undefined;

/** One ledger to run a suite on; `url` is the server's (undefined: PGlite), `skip` when it is absent. */
export interface LedgerBackend {
  readonly name: string;
  readonly url: string | undefined;
  readonly skip: boolean;
}

/** PGlite alone, for a suite that runs on the embedded ledger only. */
export const PGLITE: LedgerBackend = { name: 'PGlite (embedded)', url: undefined, skip: false };

/** For `describe.each`: PGlite (embedded), then the Postgres server of `DATABASE_URL` (skipped when unset). */
export const LEDGER_BACKENDS: readonly LedgerBackend[] = [
  PGLITE,
  { name: 'Postgres server (DATABASE_URL)', url: serverUrl, skip: !serverUrl },
];

/** A suite's scratch; `dir` and `dbUrl` are set by the suite's first `beforeAll`. */
export interface LedgerScratch {
  /** The suite's temp directory (`<tmp>/<prefix>XXXXXX`). */
  readonly dir: string;
  /** The fresh database on the server; undefined on PGlite. */
  readonly dbUrl: string | undefined;
  /** The `[database]` overrides of the scratch: `data_dir` = `<dir>/pglite`, and `url` on the server. */
  database(): Record<string, string>;
  /** `loadConfig` in `dir` with no environment, `overrides` and then {@link LedgerScratch.database}. */
  configFor(overrides: Overrides): LoadedConfig;
}

/**
 * Registers, in the enclosing `describe`, a `beforeAll` that creates the temp directory and (when
 * `backend.url` is set) a fresh database named `<dbPrefix>_…` on that server, and an `afterAll` that drops
 * the database and removes the directory. Does nothing when `backend.skip`. Register it before the suite's
 * own hooks: vitest runs `beforeAll` in order and `afterAll` in reverse.
 */
export function useLedgerScratch(
  backend: Pick<LedgerBackend, 'url' | 'skip'>,
  prefix: string,
  dbPrefix: string,
): LedgerScratch {
  let drop: (() => Promise<void>) | undefined;
  const scratch: { -readonly [K in keyof LedgerScratch]: LedgerScratch[K] } = {
    dir: '',
    dbUrl: undefined,
    database: () => ({
      data_dir: path.join(scratch.dir, 'pglite'),
      ...(scratch.dbUrl ? { url: scratch.dbUrl } : {}),
    }),
    configFor: (overrides) =>
      loadConfig({ cwd: scratch.dir, env: {}, overrides: { ...overrides, database: scratch.database() } }),
  };
  beforeAll(async () => {
    if (backend.skip) return;
    scratch.dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    if (backend.url) {
      const fresh = await freshServerDatabase(backend.url, dbPrefix);
      scratch.dbUrl = fresh.url;
      drop = fresh.drop;
    }
  });
  afterAll(async () => {
    if (backend.skip) return;
    await drop?.();
    rmSync(scratch.dir, { recursive: true, force: true });
  });
  return scratch;
}
