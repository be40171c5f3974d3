// Where the bundled CLI lives and whether it is older than its sources (shared by the launcher and
// scripts/build.mjs).
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = new URL('../', import.meta.url);
export const OUT_FILE = new URL('dist/cli.mjs', ROOT);

/** Newest modification time (ms) of the files under `dir` (recursive). */
function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const m = statSync(`${e.parentPath ?? e.path}/${e.name}`).mtimeMs;
    if (m > newest) newest = m;
  }
  return newest;
}

/** True when dist/cli.mjs is missing or older than a file in src/ or package.json. */
export function isStale() {
  let built;
  try {
    built = statSync(OUT_FILE).mtimeMs;
  } catch {
    return true;
  }
  const src = newestMtime(fileURLToPath(new URL('src/', ROOT)));
  const pkg = statSync(new URL('package.json', ROOT)).mtimeMs;
  return Math.max(src, pkg) > built;
}
