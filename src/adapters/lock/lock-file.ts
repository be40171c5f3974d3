/**
 * The instance lock of an embedded PGlite ledger: an exclusive lock file beside the data directory
 * (`<data_dir>.lock`), created with O_CREAT|O_EXCL (`open(…, 'wx')`, atomic on local file systems) and
 * holding `{ pid, host, since, command, account }` as JSON. PGlite is one process per directory, so the
 * lock covers the directory (every account in it) and is taken BEFORE PGlite opens it.
 *
 * A lock whose process is dead (same host, `kill(pid, 0)` fails with ESRCH) is stale and is broken:
 * under a second O_EXCL file (`<lock>.break`) so that two processes cannot both break it and then both
 * take it, and only if the file still holds the stale content. An empty or unreadable lock file (a
 * process killed between create and write) is stale after {@link EMPTY_LOCK_STALE_MS}.
 * A well-kept library (proper-lockfile) was considered: it detects staleness by mtime refresh only and
 * records no holder; this file records who holds the lock and frees a dead holder's lock at once.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { HeldLock, InstanceLocker, LockHolder, LockRequest } from '../../ports/instance-lock.ts';
import { LockHeldError } from '../../ports/instance-lock.ts';

/** An empty / unparseable lock file older than this (ms) is stale (its writer died before writing). */
export const EMPTY_LOCK_STALE_MS = 30_000;
/** A `.break` file older than this (ms) belongs to a breaker that died; it is removed. */
const BREAK_STALE_MS = 10_000;

/** Options of {@link LockFileLocker}. */
export interface LockFileOptions {
  /** Poll interval while waiting, ms (default 100). */
  readonly pollMs?: number;
}

interface LockContent extends LockHolder {
  readonly account: string | null;
}

/** Exclusive lock file; see the module comment. */
export class LockFileLocker implements InstanceLocker {
  readonly #file: string;
  readonly #pollMs: number;

  /**
   * @param file absolute path of the lock file, e.g. `/srv/app/var/pglite.lock`; its directory is
   *   created when missing.
   */
  constructor(file: string, opts: LockFileOptions = {}) {
    this.#file = path.resolve(file);
    this.#pollMs = opts.pollMs ?? 100;
  }

  /** The lock file's path. */
  get file(): string {
    return this.#file;
  }

  /**
   * Takes the lock (see {@link InstanceLocker.acquire}).
   * @throws LockHeldError naming the holder (pid, host, since, command) after `waitMs`; the file
   *   system's error when the lock directory cannot be created or written.
   */
  async acquire(req: LockRequest): Promise<HeldLock> {
    await mkdir(path.dirname(this.#file), { recursive: true });
    const started = Date.now();
    const mine: LockContent = {
      pid: process.pid,
      host: os.hostname(),
      since: Date.now(),
      command: req.command,
      account: req.account,
    };
    for (;;) {
      const text = JSON.stringify(mine);
      if (await this.#tryCreate(text)) return this.#held(text);
      const seen = await this.#read();
      if (seen !== null && (await this.#isStale(seen))) {
        await this.#breakStale(seen.raw);
        continue;
      }
      const waited = Date.now() - started;
      if (waited >= req.waitMs) {
        throw new LockHeldError(req.account, this.#file, seen?.holder ?? null, waited);
      }
      await sleep(Math.min(this.#pollMs, req.waitMs - waited));
    }
  }

  async #tryCreate(text: string): Promise<boolean> {
    let fh: Awaited<ReturnType<typeof open>>;
    try {
      fh = await open(this.#file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  }

  #held(text: string): HeldLock {
    const file = this.#file;
    let released = false;
    // A process that exits without releasing (process.exit) still frees its lock; a killed one is
    // freed by the next acquirer (dead pid).
    const onExit = () => {
      if (!released) unlinkIfMineSync(file, text);
    };
    process.once('exit', onExit);
    return {
      async release() {
        if (released) return;
        released = true;
        process.removeListener('exit', onExit);
        try {
          if ((await readFile(file, 'utf8')) === text) await unlink(file);
        } catch {
          // already gone
        }
      },
    };
  }

  async #read(): Promise<{ raw: string; holder: LockContent | null; mtimeMs: number } | null> {
    try {
      const [raw, st] = await Promise.all([readFile(this.#file, 'utf8'), stat(this.#file)]);
      return { raw, holder: parseContent(raw), mtimeMs: st.mtimeMs };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null; // released meanwhile: retry
      throw err;
    }
  }

  async #isStale(seen: { holder: LockContent | null; mtimeMs: number }): Promise<boolean> {
    const h = seen.holder;
    if (h === null) return Date.now() - seen.mtimeMs > EMPTY_LOCK_STALE_MS;
    if (h.host !== os.hostname() || h.pid === null) return false; // cannot check another host's pid
    return !isAlive(h.pid);
  }

  /** Removes the lock file if it still holds `raw`, under the `.break` file. */
  async #breakStale(raw: string): Promise<void> {
    const breaker = `${this.#file}.break`;
    let fh: Awaited<ReturnType<typeof open>>;
    try {
      fh = await open(breaker, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const st = await stat(breaker).catch(() => null);
      if (st !== null && Date.now() - st.mtimeMs > BREAK_STALE_MS) await unlink(breaker).catch(() => {});
      await sleep(this.#pollMs);
      return;
    }
    try {
      const now = await readFile(this.#file, 'utf8').catch(() => null);
      if (now === raw) await unlink(this.#file).catch(() => {});
    } finally {
      await fh.close();
      await unlink(breaker).catch(() => {});
    }
  }
}

function parseContent(raw: string): LockContent | null {
  try {
    const o = JSON.parse(raw) as Record<string, unknown>;
    if (typeof o !== 'object' || o === null) return null;
    return {
      pid: typeof o.pid === 'number' ? o.pid : null,
      host: typeof o.host === 'string' ? o.host : null,
      since: typeof o.since === 'number' ? o.since : null,
      command: typeof o.command === 'string' ? o.command : null,
      account: typeof o.account === 'string' ? o.account : null,
    };
  } catch {
    return null;
  }
}

/** True when a process with `pid` exists on this host (EPERM: it exists, owned by someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlinkIfMineSync(file: string, text: string): void {
  try {
    if (readFileSync(file, 'utf8') === text) unlinkSync(file);
  } catch {
    // nothing to free
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
