/**
 * The instance lock of a ledger on a Postgres server: a session-level advisory lock
 * (`pg_try_advisory_lock(bigint)`, PostgreSQL docs "Advisory Locks") held on ONE dedicated connection
 * for the whole run; it is freed by `pg_advisory_unlock` or, if the process dies, when the server
 * closes that connection. The key is a stable 64-bit hash of the account name ({@link accountLockKey}).
 *
 * Who holds it is read from the server: the holder's connection carries
 * `application_name = 'mr-lock pid=<pid> t=<epoch s> cmd=<command> host=<host>'` (63 bytes at most),
 * found through `pg_locks` ⋈ `pg_stat_activity`.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import type { Client } from 'pg';
import { redactDsn } from '../../config/redact-dsn.ts';
import type { HeldLock, InstanceLocker, LockHolder, LockRequest } from '../../ports/instance-lock.ts';
import { LockHeldError } from '../../ports/instance-lock.ts';
import { LedgerConnectionError } from './errors.ts';

/** Options of {@link AdvisoryLocker}. */
export interface AdvisoryLockOptions {
  /** Connection timeout, ms (default 5000). */
  readonly connectTimeoutMs?: number;
  /** Poll interval while waiting, ms (default 200). */
  readonly pollMs?: number;
  /** Called when the lock's connection fails while held (the lock is then lost). */
  readonly onLost?: (err: Error) => void;
}

/**
 * The advisory-lock key of an account: the first 8 bytes of SHA-256(`momentum-rebalancer/account/<name>`)
 * as a signed 64-bit integer (Postgres `bigint`). Stable across processes, hosts and versions.
 */
export function accountLockKey(account: string): bigint {
  const digest = createHash('sha256').update(`momentum-rebalancer/account/${account}`).digest();
  return digest.readBigInt64BE(0);
}

/** Advisory lock on a Postgres server; see the module comment. */
export class AdvisoryLocker implements InstanceLocker {
  readonly #url: string;
  readonly #opts: AdvisoryLockOptions;

  /** @param url the ledger's connection string (the lock lives in that database). */
  constructor(url: string, opts: AdvisoryLockOptions = {}) {
    this.#url = url;
    this.#opts = opts;
  }

  /**
   * Takes the account's advisory lock on a dedicated connection (see {@link InstanceLocker.acquire}).
   * @throws LockHeldError naming the holder after `waitMs`; LedgerConnectionError (exit 69, password
   *   redacted) when the server cannot be reached.
   */
  async acquire(req: LockRequest): Promise<HeldLock> {
    const key = accountLockKey(req.account);
    const target = redactDsn(this.#url);
    const { default: pg } = await import('pg');
    const appName = `mr-lock pid=${process.pid} t=${Math.floor(Date.now() / 1000)} cmd=${req.command} host=${os.hostname()}`;
    const client: Client = new pg.Client({
      connectionString: this.#url,
      connectionTimeoutMillis: this.#opts.connectTimeoutMs ?? 5_000,
      application_name: appName.slice(0, 63),
    });
    let held = false;
    client.on('error', (err) => {
      if (held) this.#opts.onLost?.(err);
    });
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => {});
      const e = err as { code?: string; message?: string };
      throw new LedgerConnectionError(
        `cannot connect to Postgres at ${target} to take the account lock: ${e.code ?? 'error'}`,
        target,
        e.code,
        err,
      );
    }
    const started = Date.now();
    const pollMs = this.#opts.pollMs ?? 200;
    try {
      for (;;) {
        const r = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1::bigint) as ok', [
          key.toString(),
        ]);
        if (r.rows[0]?.ok === true) break;
        const waited = Date.now() - started;
        if (waited >= req.waitMs) {
          const holder = await readHolder(client, key).catch(() => null);
          throw new LockHeldError(req.account, `Postgres advisory lock ${key} on ${target}`, holder, waited);
        }
        await new Promise((res) => setTimeout(res, Math.min(pollMs, req.waitMs - waited)));
      }
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    held = true;
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        held = false;
        await client.query('select pg_advisory_unlock($1::bigint)', [key.toString()]).catch(() => {});
        await client.end().catch(() => {});
      },
    };
  }
}

/** The holder of advisory lock `key` in the current database, from its connection's application_name. */
async function readHolder(client: Client, key: bigint): Promise<LockHolder | null> {
  const u = BigInt.asUintN(64, key);
  const r = await client.query<{ application_name: string; backend_start: Date | null }>(
    `select a.application_name, a.backend_start
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.objsubid = 1
        and l.classid = $1::oid and l.objid = $2::oid
        and l.database = (select oid from pg_database where datname = current_database())
      limit 1`,
    [(u >> 32n).toString(), (u & 0xffffffffn).toString()],
  );
  const row = r.rows[0];
  if (row === undefined) return null;
  const name = row.application_name ?? '';
  const pid = /\bpid=(\d+)/.exec(name)?.[1];
  const t = /\bt=(\d+)/.exec(name)?.[1];
  const cmd = /\bcmd=(\S+)/.exec(name)?.[1];
  const host = /\bhost=(\S+)/.exec(name)?.[1];
  return {
    pid: pid !== undefined ? Number(pid) : null,
    host: host ?? null,
    since: t !== undefined ? Number(t) * 1000 : row.backend_start ? row.backend_start.getTime() : null,
    command: cmd ?? null,
  };
}
