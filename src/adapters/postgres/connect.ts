/**
 * Opens the ledger: a Postgres server over `pg` when a URL is given, otherwise embedded PGlite in a
 * data directory. Both are configured to return values the adapter can parse without floats:
 * `bigint` and `numeric` as strings, `date` as its `YYYY-MM-DD` text, `timestamptz` as `Date`.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import type { CustomTypesConfig } from 'pg';
import { redactDsn } from '../../config/redact-dsn.ts';
import { LedgerConnectionError } from './errors.ts';
import { type DataDirSnapshot, inspectDataDir, restoreDataDir, snapshotDataDir } from './pglite-data-dir.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { type LedgerLogger, PostgresLedger } from './postgres-ledger.ts';
import type { Database } from './schema.ts';

export { LedgerConnectionError } from './errors.ts';

/** Postgres type OIDs the adapter reads as raw text. */
const OID = { INT8: 20, NUMERIC: 1700, DATE: 1082 } as const;
const RAW_TEXT_OIDS: ReadonlySet<number> = new Set(Object.values(OID));
const asText = (value: string): string => value;

/** Default PGlite data directory (relative to the working directory). */
export const DEFAULT_PGLITE_DIR = './var/pglite';
/** Default connection timeout for a Postgres server, ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** Options of {@link openLedger}. */
export interface OpenLedgerOptions {
  /**
   * Postgres connection URL (`postgres://user:password@host:port/database`). When set, the ledger
   * lives on that server; when unset, in PGlite at `dataDir`.
   */
  readonly url?: string | undefined;
  /**
   * PGlite data directory (created if missing; default `./var/pglite`). `:memory:` or `memory://`
   * for a throw-away in-memory database (tests). Ignored when `url` is set.
   */
  readonly dataDir?: string | undefined;
  /** Structured logger (pino-compatible); optional. */
  readonly logger?: LedgerLogger | undefined;
  /** Postgres server connection timeout in ms (default 5000). */
  readonly connectTimeoutMs?: number | undefined;
  /** Maximum pooled connections to a Postgres server (default 5). */
  readonly poolSize?: number | undefined;
  /** Apply pending migrations right after connecting (default false). */
  readonly migrate?: boolean | undefined;
}

/**
 * Opens the ledger and checks that the database answers (`select 1`).
 *
 * - With `url`: a `pg` pool (connection timeout `connectTimeoutMs`, default 5 s).
 * - Without: PGlite at `dataDir` (default `./var/pglite`, created if missing). The first start of a
 *   new data directory runs initdb and takes a few seconds; later starts well under one second.
 *
 * The schema is not touched unless `migrate: true` (otherwise call `ledger.migrate()`).
 * @throws LedgerConnectionError (exit 69) when the server is unreachable, refuses the login, the
 *   database does not exist, the timeout expires, or the PGlite directory cannot be opened — a foreign
 *   directory, a wrong or garbage PG_VERSION, a truncated control file, damaged database files: the
 *   message names the directory and says what to do, and the directory is left byte for byte as it was
 *   (`pglite-data-dir.ts`). The message names the target (`host:port/database` or the directory) and
 *   never contains the password.
 */
export async function openLedger(opts: OpenLedgerOptions = {}): Promise<PostgresLedger> {
  const db = opts.url
    ? await openServer(opts.url, opts)
    : await openPGlite(opts.dataDir ?? DEFAULT_PGLITE_DIR, opts);
  const ledger = new PostgresLedger(db.kysely, {
    backend: db.backend,
    target: db.target,
    logger: opts.logger,
  });
  if (opts.migrate) {
    try {
      await ledger.migrate();
    } catch (err) {
      await ledger.close().catch(() => {});
      throw err;
    }
  }
  return ledger;
}

interface Opened {
  readonly kysely: Kysely<Database>;
  readonly backend: 'postgres' | 'pglite';
  readonly target: string;
}

async function openServer(url: string, opts: OpenLedgerOptions): Promise<Opened> {
  const target = redactUrl(url);
  const password = passwordOf(url);
  // Imported only when a server is used (~70 ms of start-up the embedded default does not pay).
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    max: opts.poolSize ?? 5,
    application_name: 'momentum-rebalancer',
    types: pgTypeParsers(pg.types),
  });
  pool.on('error', (err: Error & { code?: string }) => {
    // An idle pooled connection died (server restart, network): the pool replaces it on next use.
    opts.logger?.warn(
      { target, code: err.code, msg: scrub(err.message, password) },
      'ledger connection lost',
    );
  });
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => {});
    const { code, detail } = describeError(err, password);
    throw new LedgerConnectionError(`cannot connect to Postgres at ${target}: ${detail}`, target, code, err);
  }
  opts.logger?.debug({ target }, 'ledger: connected to Postgres');
  return {
    kysely: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    backend: 'postgres',
    target,
  };
}

async function openPGlite(dataDir: string, opts: OpenLedgerOptions): Promise<Opened> {
  const inMemory = dataDir === ':memory:' || dataDir.startsWith('memory://');
  const target = inMemory ? 'memory://' : resolve(dataDir);
  const started = Date.now();
  let snapshot: DataDirSnapshot | null = null;
  if (!inMemory) {
    // Refuse a foreign or visibly damaged directory before PGlite writes anything into it.
    const problem = inspectDataDir(target);
    if (problem) throw unusableDataDir(target, problem, 'ENOTPGDATA');
    if (existsSync(join(target, 'PG_VERSION'))) snapshot = snapshotDataDir(target);
  }
  // Imported on first use: PGlite's module graph costs 60–80 ms at start-up, paid only by a process
  // that opens an embedded ledger (not by a Postgres-server run nor a `backtest --no-record`).
  const { PGlite: PGliteClass } = await import('@electric-sql/pglite');
  let pglite: PGlite | undefined;
  try {
    if (!inMemory) {
      if (!existsSync(join(target, 'PG_VERSION'))) {
        opts.logger?.info(
          { target },
          'ledger: creating the embedded database (first start takes several seconds)',
        );
      }
      await mkdir(target, { recursive: true });
    }
    pglite = await PGliteClass.create(inMemory ? undefined : target, {
      parsers: PGLITE_PARSERS,
      // The ledger is small: 16 MB of shared buffers instead of Postgres' default 128 MB keeps the
      // embedded database ~115 MB lighter (measured RSS 362 → 247 MB) at no measurable cost here.
      postgresqlconf: PGLITE_CONF,
    });
    await pglite.query('select 1');
  } catch (err) {
    await pglite?.close().catch(() => {});
    const { code, detail } = describeError(err, undefined);
    if (inMemory) {
      throw new LedgerConnectionError(`cannot open PGlite at ${target}: ${detail}`, target, code, err);
    }
    // Put back whatever the failed start wrote (control file, WAL, postmaster.pid, …).
    const unrestored = snapshot ? restoreDataDir(target, snapshot) : [];
    const reason =
      /Aborted\(|ASSERTIONS|\[object Object\]|failed to initialize|RuntimeError|unreachable/i.test(detail)
        ? 'PGlite could not start on it: its database files are damaged'
        : `PGlite could not start on it (${detail})`;
    throw unusableDataDir(target, reason, code ?? 'EPGDATA', err, unrestored);
  }
  if (!pglite) throw new Error('unreachable: PGlite not created');
  opts.logger?.debug({ target, ms: Date.now() - started }, 'ledger: PGlite opened');
  return {
    kysely: new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) }),
    backend: 'pglite',
    target,
  };
}

/**
 * The error for a PGlite data directory that cannot be used: names it, says why and what to do, and
 * whether it was left as it was.
 */
function unusableDataDir(
  target: string,
  reason: string,
  code: string,
  cause?: unknown,
  unrestored: readonly string[] = [],
): LedgerConnectionError {
  const left =
    unrestored.length === 0
      ? 'Nothing in it was changed.'
      : `The failed start changed ${unrestored.length} relation file(s) (${unrestored.slice(0, 3).join(', ')}).`;
  return new LedgerConnectionError(
    `cannot open the PGlite ledger at ${target}: ${reason}. ${left} Move it aside (mv ${target} ${target}.broken) to start a new empty ledger there, restore it from a backup, or set DATABASE_URL (or [database] url) to a Postgres server.`,
    target,
    code,
    cause,
  );
}

/** `pg` type parsers for this pool only (the global `pg.types` registry is left alone). */
function pgTypeParsers(pgTypes: typeof import('pg').types): CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      RAW_TEXT_OIDS.has(oid) && format !== 'binary'
        ? asText
        : pgTypes.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
  };
}

/** postgresql.conf settings for the embedded database. */
const PGLITE_CONF = 'shared_buffers = 16MB';

/** PGlite parsers: by default it returns int8 as number/bigint, numeric as number, date as Date. */
const PGLITE_PARSERS: Record<number, (value: string) => unknown> = {
  [OID.INT8]: asText,
  [OID.NUMERIC]: asText,
  [OID.DATE]: asText,
};

/**
 * A Postgres URL fit for messages and logs: `scheme://user:***@host:port/database`, with the password
 * replaced by `***`, the default port made explicit and query parameters dropped.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${u.username}${u.password ? ':***' : ''}@` : '';
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    return `${u.protocol}//${user}${host}:${u.port || '5432'}${u.pathname}`;
  } catch {
    // Not a URL (e.g. a libpq key=value string): blank anything that looks like a password.
    return redactDsn(url);
  }
}

function passwordOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.password ? decodeURIComponent(u.password) : (u.searchParams.get('password') ?? undefined);
  } catch {
    return undefined;
  }
}

/** Replaces every occurrence of the password in a message. */
function scrub(message: string, password: string | undefined): string {
  return password ? message.split(password).join('***') : message;
}

/** The code and a one-line description of a connection error (AggregateError-aware). */
function describeError(
  err: unknown,
  password: string | undefined,
): { code: string | undefined; detail: string } {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown[] } | undefined;
  const inner = Array.isArray(e?.errors) && e.errors.length > 0 ? (e.errors[0] as typeof e) : undefined;
  const code =
    typeof e?.code === 'string' ? e.code : typeof inner?.code === 'string' ? inner.code : undefined;
  const raw = String((e?.message || inner?.message) ?? err).trim();
  const message = scrub(raw, password);
  let detail: string;
  if (!code) detail = message || 'unknown error';
  else if (!message || /^connect \w+ /.test(message)) detail = code;
  else detail = `${code}: ${message}`;
  return { code, detail };
}
