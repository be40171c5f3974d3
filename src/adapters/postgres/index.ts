/**
 * The Postgres ledger adapter: `openLedger` (a Postgres server via `pg`, or embedded PGlite),
 * `PostgresLedger` (the `Ledger` port), migrations, and the PGlite kysely dialect.
 */
export { DEFAULT_PGLITE_DIR, type OpenLedgerOptions, openLedger, redactUrl } from './connect.ts';
export { LedgerConnectionError } from './errors.ts';
export { type MigrateOptions, type MigrationReport, migrate, SQL_DIR } from './migrate.ts';
export { PGliteDialect, type PGliteDialectConfig } from './pglite-dialect.ts';
export { type LedgerLogger, PostgresLedger, type PostgresLedgerOptions } from './postgres-ledger.ts';
export type { Database } from './schema.ts';
