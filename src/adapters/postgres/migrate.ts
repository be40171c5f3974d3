/**
 * Schema migrations of the ledger: `sql/migrations/NNN_name.sql` applied in file-name order, each in
 * its own transaction and recorded in `schema_migrations`; then every `sql/views/*.sql` (Metabase
 * views, `create or replace view`) re-applied in one transaction. Every transaction first takes a
 * transaction-scoped Postgres advisory lock, so two processes migrating the same database at once
 * run one after the other (the second finds the versions recorded and skips them). Idempotent.
 *
 * Views are re-created (`create or replace view`) whenever their text changes (recorded in
 * `schema_migrations` as `views:<checksum>`); `create or replace` can add columns at the end
 * but not drop, rename or retype them: such a change needs a migration that drops the view first.
 * A migration file must not contain its own BEGIN/COMMIT.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { type Kysely, sql } from 'kysely';
import { SQL_DIR } from '../../paths.ts';
import type { Database } from './schema.ts';

/** The repository's `sql/` directory. */
export { SQL_DIR };

/** Advisory lock key (an arbitrary bigint constant) taken by every migration transaction. */
export const MIGRATION_LOCK_KEY = '7810748611451171';

/** Minimal structured logger (pino-compatible). */
export interface MigrationLogger {
  info(obj: object, msg: string): void;
}

/** What {@link migrate} did. */
export interface MigrationReport {
  /** Migration versions applied by this call (file names without `.sql`), in order. */
  readonly applied: readonly string[];
  /** Migration versions that were already recorded. */
  readonly skipped: readonly string[];
  /** View files (re)applied. */
  readonly views: readonly string[];
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** Directory holding `migrations/` and `views/` (default: the repository's `sql/`). */
  readonly sqlDir?: URL;
  readonly logger?: MigrationLogger;
}

/**
 * Applies the pending migrations, then the views.
 * @returns the versions applied and skipped and the view files applied.
 * @throws Error when `sql/migrations` cannot be read; the database error of the first failing file (its transaction is rolled back, so that file
 *   is not recorded and earlier files stay applied), wrapped in an Error naming the file.
 */
export async function migrate(db: Kysely<Database>, opts: MigrateOptions = {}): Promise<MigrationReport> {
  const dir = opts.sqlDir ?? SQL_DIR;
  const migrations = await sqlFiles(new URL('migrations/', dir), /^\d+_[\w-]+\.sql$/, true);
  const views = await sqlFiles(new URL('views/', dir), /^[\w-]+\.sql$/, false);
  const applied: string[] = [];
  const skipped: string[] = [];
  const viewTexts = await Promise.all(
    views.map(async (f) => ({ name: f.name, text: await readFile(f.url, 'utf8') })),
  );
  // The views are recorded by a checksum of their text: unchanged views are not re-created.
  const viewsVersion = `views:${createHash('sha256')
    .update(viewTexts.map((v) => `${v.name}\n${v.text}`).join('\n'))
    .digest('hex')
    .slice(0, 16)}`;

  // Fast path (every start of the job): one query when everything is already applied.
  const recorded = await recordedVersions(db);
  const versions = migrations.map((f) => f.name.replace(/\.sql$/, ''));
  if (versions.every((v) => recorded.has(v)) && (viewTexts.length === 0 || recorded.has(viewsVersion))) {
    return { applied: [], skipped: versions, views: [] };
  }

  for (const file of migrations) {
    const version = file.name.replace(/\.sql$/, '');
    const text = await readFile(file.url, 'utf8');
    const didApply = await db.transaction().execute(async (trx) => {
      await lock(trx);
      await sql`create table if not exists schema_migrations (
        version text primary key,
        applied_at timestamptz not null default now()
      )`.execute(trx);
      const done = await trx
        .selectFrom('schema_migrations')
        .select('version')
        .where('version', '=', version)
        .executeTakeFirst();
      if (done) return false;
      await runFile(trx, file.name, text);
      await trx.insertInto('schema_migrations').values({ version }).execute();
      return true;
    });
    (didApply ? applied : skipped).push(version);
    if (didApply) opts.logger?.info({ version }, 'ledger migration applied');
  }

  if (viewTexts.length > 0) {
    await db.transaction().execute(async (trx) => {
      await lock(trx);
      for (const v of viewTexts) await runFile(trx, v.name, v.text);
      await trx
        .insertInto('schema_migrations')
        .values({ version: viewsVersion })
        .onConflict((oc) => oc.column('version').doNothing())
        .execute();
    });
  }
  return { applied, skipped, views: views.map((v) => v.name) };
}

/** Versions recorded in `schema_migrations`; empty when the table does not exist yet. */
async function recordedVersions(db: Kysely<Database>): Promise<Set<string>> {
  const exists = await sql<{
    ok: boolean;
  }>`select to_regclass('schema_migrations') is not null as ok`.execute(db);
  if (!exists.rows[0]?.ok) return new Set();
  const rows = await db.selectFrom('schema_migrations').select('version').execute();
  return new Set(rows.map((r) => r.version));
}

async function lock(trx: Kysely<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${sql.raw(MIGRATION_LOCK_KEY)})`.execute(trx);
}

async function runFile(trx: Kysely<Database>, name: string, text: string): Promise<void> {
  try {
    await sql.raw(text).execute(trx);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`migration ${name} failed: ${msg}`, { cause: err });
  }
}

async function sqlFiles(dir: URL, pattern: RegExp, required: boolean): Promise<{ name: string; url: URL }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`cannot read the SQL directory ${dir.pathname}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return names
    .filter((n) => pattern.test(n))
    .sort()
    .map((name) => ({ name, url: new URL(name, dir) }));
}
