/**
 * The two instance-lock adapters behind the InstanceLocker port (issue 9 item 4), on their real
 * backends: an exclusive lock file in a temp directory, and advisory locks on the Postgres server at
 * DATABASE_URL (skipped without one). One holder at a time per account; a second taker gets
 * LockHeldError (exit 75) naming the holder after its wait; release lets the next one in.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockFileLocker } from '../../../src/adapters/lock/lock-file.ts';
import { AdvisoryLocker, accountLockKey } from '../../../src/adapters/postgres/instance-lock.ts';
import { LockHeldError } from '../../../src/ports/instance-lock.ts';
import { freshServerDatabase } from '../../support/postgres-server.ts';
import { useTempDir } from '../../support/temp-dirs.ts';

const serverUrl = process.env.DATABASE_URL;

async function heldError(p: Promise<unknown>): Promise<LockHeldError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LockHeldError) return err;
    throw err;
  }
  throw new Error('expected LockHeldError');
}

describe('LockFileLocker', () => {
  const dir = useTempDir('lockfile-');

  it('one holder; the second waits then fails naming pid, host, since, command; release frees it', async () => {
    const file = path.join(dir, 'sub', 'pglite.lock'); // the directory is created
    const a = await new LockFileLocker(file).acquire({ account: 'default', command: 'rebalance', waitMs: 0 });
    const content = JSON.parse(readFileSync(file, 'utf8'));
    expect(content).toMatchObject({
      pid: process.pid,
      host: os.hostname(),
      command: 'rebalance',
      account: 'default',
    });
    const t0 = Date.now();
    const err = await heldError(
      new LockFileLocker(file, { pollMs: 20 }).acquire({
        account: 'default',
        command: 'status',
        waitMs: 150,
      }),
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(err.exitCode).toBe(75);
    expect(err.holder).toMatchObject({
      pid: process.pid,
      host: os.hostname(),
      command: 'rebalance',
      since: content.since,
    });
    await a.release();
    await a.release(); // idempotent
    const b = await new LockFileLocker(file).acquire({ account: 'default', command: 'status', waitMs: 0 });
    await b.release();
  });

  it('a waiting taker gets the lock as soon as the holder releases it', async () => {
    const file = path.join(dir, 'wait.lock');
    const a = await new LockFileLocker(file).acquire({ account: 'x', command: 'rebalance', waitMs: 0 });
    setTimeout(() => void a.release(), 100);
    const b = await new LockFileLocker(file, { pollMs: 20 }).acquire({
      account: 'x',
      command: 'rebalance',
      waitMs: 5000,
    });
    await b.release();
  });

  it('an empty lock file (writer killed before writing) is held until it is 30 s old', async () => {
    const file = path.join(dir, 'empty.lock');
    writeFileSync(file, '');
    const err = await heldError(
      new LockFileLocker(file).acquire({ account: 'x', command: 'rebalance', waitMs: 0 }),
    );
    expect(err.holder).toBeNull();
    expect(err.message).toContain('an unknown process');
    rmSync(file);
  });
});

describe.skipIf(!serverUrl)('AdvisoryLocker (Postgres server)', () => {
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ url, drop } = await freshServerDatabase(serverUrl as string, 'instance_lock'));
  });
  afterAll(async () => {
    await drop?.();
  });

  it('the key is the first 8 bytes of SHA-256("momentum-rebalancer/account/<name>") as a signed bigint', () => {
    // `echo -n momentum-rebalancer/account/default | sha256sum` → c43ceceb8a6c7ba9…; 0xc43ceceb8a6c7ba9 − 2^64.
    expect(accountLockKey('default')).toBe(0xc43ceceb8a6c7ba9n - 2n ** 64n);
    expect(accountLockKey('default')).toBe(-4306306647289201751n);
  });

  it('one holder per account; the second names the holder; other accounts are free; release frees it', async () => {
    const a = await new AdvisoryLocker(url).acquire({ account: 'acct-a', command: 'rebalance', waitMs: 0 });
    const err = await heldError(
      new AdvisoryLocker(url, { pollMs: 20 }).acquire({
        account: 'acct-a',
        command: 'rebalance',
        waitMs: 100,
      }),
    );
    expect(err.exitCode).toBe(75);
    expect(err.holder).toMatchObject({ pid: process.pid, command: 'rebalance' });
    // application_name holds 63 bytes: a long host name arrives cut.
    expect(os.hostname().startsWith(err.holder?.host ?? '?')).toBe(true);
    expect(err.holder?.since).toBeGreaterThan(Date.now() - 60_000);
    expect(err.where).toContain('Postgres advisory lock');
    const other = await new AdvisoryLocker(url).acquire({
      account: 'acct-b',
      command: 'rebalance',
      waitMs: 0,
    });
    await other.release();
    await a.release();
    const again = await new AdvisoryLocker(url).acquire({
      account: 'acct-a',
      command: 'rebalance',
      waitMs: 0,
    });
    await again.release();
  });

  it('an unreachable server: LedgerConnectionError (exit 69) without the password', async () => {
    const bad = 'postgres://u:Pw-Secret-9@127.0.0.1:1/db';
    const err = await new AdvisoryLocker(bad, { connectTimeoutMs: 1000 })
      .acquire({ account: 'a', command: 'rebalance', waitMs: 0 })
      .catch((e: Error & { exitCode?: number }) => e);
    expect((err as { exitCode?: number }).exitCode).toBe(69);
    expect((err as Error).message).toContain('127.0.0.1:1');
    expect((err as Error).message).not.toContain('Pw-Secret-9');
  });
});
