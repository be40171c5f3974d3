/**
 * A corrupt or foreign PGlite data directory (issue 9 "Bad input", issue 14): the probe saw emscripten's
 * `Aborted(). Build with -sASSERTIONS for more info.` or `[object Object]`, and a directory of stray files
 * silently turned into a new database. Each case opens a damaged copy of a real PGlite directory through
 * openLedger (the real PGlite) and expects a LedgerConnectionError (exit 69) that names the directory
 * and says what to do, with every file of the directory byte-identical afterwards (nothing written,
 * nothing created, nothing removed).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerConnectionError, openLedger } from '../../../src/adapters/postgres/connect.ts';

/** sha1 of every file and the list of directories, by relative path. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    for (const e of readdirSync(p)) {
      const f = path.join(p, e);
      const rel = path.relative(dir, f);
      if (statSync(f).isDirectory()) {
        out[`${rel}/`] = 'dir';
        walk(f);
      } else out[rel] = createHash('sha1').update(readFileSync(f)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('a corrupt PGlite directory: a clear LedgerConnectionError, exit 69, nothing overwritten', () => {
  let root: string;
  let pristine: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'corrupt-pglite-'));
    pristine = path.join(root, 'pristine');
    const ledger = await openLedger({ dataDir: pristine });
    await ledger.close();
  }, 120_000);
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  const copy = (name: string) => {
    const dir = path.join(root, name);
    cpSync(pristine, dir, { recursive: true });
    return dir;
  };

  const expectRefused = async (dir: string, reason: RegExp) => {
    const before = tree(dir);
    const err = await openLedger({ dataDir: dir }).then(
      async (l) => {
        await l.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LedgerConnectionError);
    const e = err as LedgerConnectionError;
    expect(e.exitCode).toBe(69);
    expect(e.message).toContain(`cannot open the PGlite ledger at ${dir}: `);
    expect(e.message).toMatch(reason);
    expect(e.message).toContain('Nothing in it was changed.');
    expect(e.message).toMatch(/Move it aside \(mv .*\.broken\).*restore it from a backup.*DATABASE_URL/);
    expect(e.message).not.toMatch(/Aborted\(\)|ASSERTIONS|\[object Object\]/);
    expect(tree(dir)).toEqual(before);
  };

  it('control: an intact copy opens', async () => {
    const ledger = await openLedger({ dataDir: copy('intact') });
    await ledger.close();
  }, 60_000);

  it('a truncated file (global/pg_control cut to 100 bytes; was "Aborted(). Build with -sASSERTIONS…")', async () => {
    const dir = copy('truncated');
    truncateSync(path.join(dir, 'global', 'pg_control'), 100);
    await expectRefused(dir, /global\/pg_control is 100 bytes instead of 8192: truncated or damaged/);
  }, 60_000);

  it('a garbage PG_VERSION', async () => {
    const dir = copy('pg-version');
    writeFileSync(path.join(dir, 'PG_VERSION'), 'garbage\n');
    await expectRefused(dir, /its PG_VERSION holds "garbage" instead of a Postgres major version/);
  }, 60_000);

  it('random bytes over the first block of a catalog relation file (pg_class of the database)', async () => {
    const dir = copy('relation');
    // base/5 is the "postgres" database PGlite uses; 1259 is pg_class's relfilenode (pg_class.h).
    const fd = openSync(path.join(dir, 'base', '5', '1259'), 'r+');
    writeSync(fd, randomBytes(8192), 0, 8192, 0);
    closeSync(fd);
    await expectRefused(dir, /PGlite could not start on it: its database files are damaged/);
  }, 60_000);

  it('a directory of stray files, no PG_VERSION (was: silently made a new database there)', async () => {
    const dir = path.join(root, 'stray');
    mkdirSync(path.join(dir, 'photos'), { recursive: true });
    writeFileSync(path.join(dir, 'notes.txt'), 'my notes');
    writeFileSync(path.join(dir, 'photos', 'a.jpg'), randomBytes(100));
    await expectRefused(
      dir,
      /it holds files \(notes\.txt, photos\) but no PG_VERSION: it is not a PGlite data directory/,
    );
  }, 60_000);
});
