/**
 * The Postgres connection Metabase should use, from the ledger's DSN (`--database-url`, else
 * DATABASE_URL): both forms the project accepts (src/config/redact-dsn.ts) — URL form
 * `postgres://user:pass@host:5432/db?sslmode=require` and libpq keyword/value form
 * `host=db port=5432 dbname=ledger user=u password=p` (PostgreSQL docs §34.1.1).
 * Mapped to Metabase's `details` of engine `postgres` (Metabase docs "PostgreSQL": host, port, dbname,
 * user, password, ssl). The password only ever goes into the request body, never a message.
 */
import { isKeyValueDsn, redactDsn } from '../config/redact-dsn.ts';
import { MetabaseConfigError } from './errors.ts';

/** Metabase `details` of a Postgres database (the keys its Postgres driver reads). */
export interface PostgresDetails {
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
  readonly user: string;
  readonly password?: string;
  readonly ssl: boolean;
}

/**
 * Parses `dsn` into Metabase's Postgres `details`. Defaults: host `localhost`, port 5432, user and
 * dbname `postgres` (libpq defaults); `ssl` true when `sslmode` is `require`, `verify-ca` or `verify-full`.
 * @throws MetabaseConfigError (exit 78) naming `source` and the redacted DSN when it is neither form or
 * the scheme is not postgres/postgresql.
 */
export function postgresDetails(dsn: string, source: string): PostgresDetails {
  const s = dsn.trim();
  let kv: Record<string, string>;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      throw new MetabaseConfigError(`${source} ${redactDsn(s)}: not a valid URL`);
    }
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
      throw new MetabaseConfigError(
        `${source} ${redactDsn(s)}: scheme ${u.protocol} is not allowed; allowed: postgres:, postgresql:`,
      );
    kv = Object.fromEntries(u.searchParams.entries());
    if (u.hostname) kv.host = decodeURIComponent(u.hostname).replace(/^\[|\]$/g, '');
    if (u.port) kv.port = u.port;
    if (u.username) kv.user = decodeURIComponent(u.username);
    if (u.password) kv.password = decodeURIComponent(u.password);
    if (u.pathname.length > 1) kv.dbname = decodeURIComponent(u.pathname.slice(1));
  } else if (isKeyValueDsn(s)) {
    kv = {};
    for (const m of s.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']*)/g)) {
      const raw = m[2] ?? '';
      kv[m[1] as string] = raw.startsWith("'") ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    }
  } else {
    throw new MetabaseConfigError(
      `${source} ${redactDsn(s)}: not a Postgres connection string (postgres://… or host=… dbname=…)`,
    );
  }
  const port = Number(kv.port ?? '5432');
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new MetabaseConfigError(`${source} ${redactDsn(s)}: port must be 1..65535`);
  const user = kv.user ?? 'postgres';
  return {
    host: kv.host ?? 'localhost',
    port,
    dbname: kv.dbname ?? user,
    user,
    ...(kv.password !== undefined ? { password: kv.password } : {}),
    ssl: ['require', 'verify-ca', 'verify-full'].includes(kv.sslmode ?? ''),
  };
}
