/** Scratch directories for tests that write files, removed after the file's tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/**
 * Registers the clean-up (vitest `afterAll`) and returns `makeDir(files)`: a fresh temp directory
 * (`<tmp>/<prefix>XXXXXX`) holding `files` (relative path → content; a Buffer is written as is, parent
 * folders created). Call it at the top level of a test file.
 */
export function useTempDirs(prefix: string): (files: Record<string, string | Buffer>) => string {
  const roots: string[] = [];
  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  return (files) => {
    const root = mkdtempSync(path.join(tmpdir(), prefix));
    roots.push(root);
    for (const [rel, content] of Object.entries(files)) {
      const p = path.join(root, rel);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, content);
    }
    return root;
  };
}

/**
 * One empty temp directory (`<tmp>/<prefix>XXXXXX`), created now and removed after the enclosing
 * suite (vitest `afterAll`): call it at the top of a `describe` or of a test file.
 */
export function useTempDir(prefix: string): string {
  return useTempDirs(prefix)({});
}
