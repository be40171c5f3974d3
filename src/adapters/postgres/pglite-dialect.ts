/**
 * A kysely dialect for PGlite (`@electric-sql/pglite`, embedded WASM Postgres). PGlite is one
 * single-user backend, i.e. one connection: the driver hands out that connection to one holder at a
 * time (a FIFO mutex), and a transaction holds it from BEGIN to COMMIT/ROLLBACK, so queries from other
 * async tasks wait instead of landing inside someone else's transaction. The SQL dialect itself is
 * Postgres: kysely's `PostgresAdapter`, `PostgresIntrospector` and `PostgresQueryCompiler` are reused.
 */
import type { PGliteInterface } from '@electric-sql/pglite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/** The part of a PGlite instance the dialect uses. */
export type PGliteClient = Pick<PGliteInterface, 'query' | 'exec' | 'close'>;

/** Configuration of {@link PGliteDialect}. */
export interface PGliteDialectConfig {
  /** The PGlite instance, or a function creating it (called once, on the first query). */
  readonly pglite: PGliteClient | (() => Promise<PGliteClient>);
  /** Close the PGlite instance when the Kysely instance is destroyed (default true). */
  readonly closeOnDestroy?: boolean;
}

/**
 * Kysely dialect over PGlite. Usage: `new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) })`.
 * Streaming (`.stream()`) is not supported.
 */
export class PGliteDialect implements Dialect {
  readonly #config: PGliteDialectConfig;

  /** @param config the PGlite instance (or factory) and whether to close it on destroy. */
  constructor(config: PGliteDialectConfig) {
    this.#config = Object.freeze({ ...config });
  }

  /** Creates the single-connection driver. */
  createDriver(): Driver {
    return new PGliteDriver(this.#config);
  }

  /** Postgres query compiler. */
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  /** Postgres adapter (RETURNING, transactional DDL, advisory-lock migrations). */
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  /** Postgres introspector. */
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

/** A FIFO mutex: `lock()` resolves when the caller holds it; `unlock()` hands it to the next waiter. */
class Mutex {
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  unlock(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }
}

class PGliteDriver implements Driver {
  readonly #config: PGliteDialectConfig;
  readonly #mutex = new Mutex();
  #client: PGliteClient | undefined;
  #connection: PGliteConnection | undefined;

  constructor(config: PGliteDialectConfig) {
    this.#config = config;
  }

  async init(): Promise<void> {
    const source = this.#config.pglite;
    this.#client = typeof source === 'function' ? await source() : source;
    this.#connection = new PGliteConnection(this.#client);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    if (!this.#connection) {
      this.#mutex.unlock();
      throw new Error('PGlite driver is not initialized or has been destroyed');
    }
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let text = 'begin';
    if (settings.isolationLevel || settings.accessMode) {
      text = 'start transaction';
      if (settings.isolationLevel) text += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode) text += ` ${settings.accessMode}`;
    }
    await connection.executeQuery(CompiledQuery.raw(text));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdent(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdent(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdent(name)}`));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#connection = undefined;
    if (client && this.#config.closeOnDestroy !== false) {
      // Wait for the current holder to finish, so close() never cuts a query short.
      await this.#mutex.lock();
      try {
        await client.close();
      } finally {
        this.#mutex.unlock();
      }
    }
  }
}

const COUNTED_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PGliteConnection implements DatabaseConnection {
  readonly #client: PGliteClient;

  constructor(client: PGliteClient) {
    this.#client = client;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const parameters = [...compiledQuery.parameters];
    // Without parameters use the simple-query protocol (`exec`), which, like `pg`, accepts several
    // statements in one text (migration files); with parameters the extended protocol (`query`).
    const result =
      parameters.length === 0
        ? (await this.#client.exec(compiledQuery.sql)).at(-1)
        : await this.#client.query<R>(compiledQuery.sql, parameters);
    if (!result) return { rows: [] };
    const command = result.command?.toUpperCase();
    const count = result.rowCount ?? result.affectedRows;
    return {
      rows: result.rows as R[],
      ...(command && COUNTED_COMMANDS.has(command) && count !== undefined
        ? { numAffectedRows: BigInt(count) }
        : {}),
    };
  }

  // biome-ignore lint/correctness/useYield: streaming is not supported; the generator only throws.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the PGlite dialect does not support streaming queries');
  }
}

/** Quotes an SQL identifier (savepoint names). */
function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
