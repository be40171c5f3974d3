/**
 * Guards of a PGlite data directory (issue 9 "Bad input"): a corrupt or foreign directory must give a
 * message that names it and says what to do — not emscripten's `Aborted(). Build with -sASSERTIONS…` —
 * and must be left exactly as it was.
 *
 * - {@link inspectDataDir} refuses, before PGlite touches anything, a directory that is not a Postgres
 *   data directory (files but no PG_VERSION), a PG_VERSION that is not the major version this PGlite
 *   runs, and a missing or truncated `global/pg_control` (Postgres' control file is one 8192-byte block,
 *   PG_CONTROL_FILE_SIZE in pg_control.h).
 * - {@link snapshotDataDir} / {@link restoreDataDir} undo what a failed start wrote: Postgres writes its
 *   control file, WAL segments, relcache init files and `postmaster.pid` while starting, so those (every
 *   file except the relation data files, which it only writes after a successful start or during WAL
 *   replay) are held in memory before the open and written back after a failure; files the failed start
 *   created are removed. A relation file that changed anyway is reported, not hidden.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The Postgres major version of the bundled PGlite (its `PG_VERSION`). */
export const PGLITE_PG_MAJOR = '18';
/** Size of `global/pg_control` (PG_CONTROL_FILE_SIZE, one block). */
const PG_CONTROL_SIZE = 8192;
/** Relation data files: `base/<db oid>/<relfilenode>[_fsm|_vm|_init][.<segment>]`, `global/<relfilenode>…`. */
const RELATION_FILE = /^(base\/\d+|global)\/\d+(_(fsm|vm|init))?(\.\d+)?$/;

/**
 * Why `dir` cannot be a PGlite data directory, or null when it may be opened (a missing or empty
 * directory: a new database is created there). Reads only.
 */
export function inspectDataDir(dir: string): string | null {
  if (!existsSync(dir)) return null;
  if (!statSync(dir).isDirectory()) return 'it is not a directory';
  const entries = readdirSync(dir);
  if (entries.length === 0) return null;
  if (!entries.includes('PG_VERSION')) {
    const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
    return `it holds files (${shown}) but no PG_VERSION: it is not a PGlite data directory`;
  }
  const version = readFileSync(join(dir, 'PG_VERSION'), 'utf8').trim();
  if (!/^\d+$/.test(version)) {
    return `its PG_VERSION holds ${JSON.stringify(version.slice(0, 40))} instead of a Postgres major version`;
  }
  if (version !== PGLITE_PG_MAJOR) {
    return `it was made by Postgres ${version}; this PGlite runs Postgres ${PGLITE_PG_MAJOR}`;
  }
  const control = join(dir, 'global', 'pg_control');
  if (!existsSync(control)) return 'global/pg_control is missing';
  const size = statSync(control).size;
  if (size !== PG_CONTROL_SIZE) {
    return `global/pg_control is ${size} bytes instead of ${PG_CONTROL_SIZE}: truncated or damaged`;
  }
  return null;
}

interface FileState {
  readonly size: number;
  readonly mtimeMs: number;
  readonly atimeMs: number;
  /** The content, for the files a start may write; null for relation data files. */
  readonly bytes: Buffer | null;
}

/** What {@link snapshotDataDir} saw: files and directories by path relative to the directory. */
export interface DataDirSnapshot {
  readonly files: ReadonlyMap<string, FileState>;
  readonly dirs: ReadonlySet<string>;
}

/** Sizes and times of every file of `dir`, and the content of every file but the relation data files. */
export function snapshotDataDir(dir: string): DataDirSnapshot {
  const out = new Map<string, FileState>();
  const dirs = new Set<string>();
  for (const file of walk(dir, (d) => dirs.add(relative(dir, d)))) {
    const rel = relative(dir, file);
    const st = statSync(file);
    out.set(rel, {
      size: st.size,
      mtimeMs: st.mtimeMs,
      atimeMs: st.atimeMs,
      bytes: RELATION_FILE.test(rel) ? null : readFileSync(file),
    });
  }
  return { files: out, dirs };
}

/**
 * Puts `dir` back as `snapshot` saw it: removes files (and directories) created since, writes back the
 * saved content of changed files (with their times).
 * @returns the relation data files that changed and could not be restored (relative paths).
 */
export function restoreDataDir(dir: string, snapshot: DataDirSnapshot): string[] {
  const unrestored: string[] = [];
  const seenDirs: string[] = [];
  for (const file of walk(dir, (d) => seenDirs.push(relative(dir, d)))) {
    const rel = relative(dir, file);
    if (!snapshot.files.has(rel)) rmSync(file, { force: true });
  }
  for (const d of seenDirs.reverse()) {
    if (!snapshot.dirs.has(d)) rmSync(join(dir, d), { recursive: true, force: true });
  }
  for (const [rel, was] of snapshot.files) {
    const file = join(dir, rel);
    const now = existsSync(file) ? statSync(file) : null;
    if (was.bytes === null) {
      if (!now || now.size !== was.size || now.mtimeMs !== was.mtimeMs) unrestored.push(rel);
      continue;
    }
    if (now && now.size === was.size && readFileSync(file).equals(was.bytes)) continue;
    writeFileSync(file, was.bytes);
    utimesSync(file, was.atimeMs / 1000, was.mtimeMs / 1000);
  }
  return unrestored;
}

/** Every file under `dir` (depth first); `onDir` sees each subdirectory before its files. */
function* walk(dir: string, onDir: (d: string) => void = () => {}): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      onDir(p);
      yield* walk(p, onDir);
    } else yield p;
  }
}
