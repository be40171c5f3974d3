/** Scratch databases on the real Postgres server of `DATABASE_URL`, for test isolation. */
import pg from 'pg';

/**
 * Creates a fresh, uniquely named database on the server at `baseUrl` and returns its URL and a
 * function that drops it (with `force`, closing leftover connections).
 */
export async function freshServerDatabase(
  baseUrl: string,
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  await admin(baseUrl, `create database "${name}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(baseUrl, `drop database if exists "${name}" with (force)`),
  };
}

async function admin(baseUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Several scratch databases on one server, dropped together by {@link ScratchDatabases.dropAll}. */
export class ScratchDatabases {
  readonly #drops: (() => Promise<void>)[] = [];
  constructor(
    private readonly baseUrl: string,
    private readonly prefix = 'ledger_test',
  ) {}

  /** Creates a fresh database and returns its URL. */
  async create(): Promise<string> {
    const db = await freshServerDatabase(this.baseUrl, this.prefix);
    this.#drops.push(db.drop);
    return db.url;
  }

  /** Drops every database this instance created. */
  async dropAll(): Promise<void> {
    for (const drop of this.#drops.splice(0)) await drop();
  }
}
