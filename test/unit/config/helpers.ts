/** Temp-dir helpers for the config tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { ConfigError, type LoadConfigOptions, loadConfig } from '../../../src/config/loader.ts';

const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test. */
export function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'rebalancer-config-'));
  dirs.push(d);
  return d;
}

/** Writes `text` to `dir/name` and returns the absolute path. */
export function writeFile(dir: string, name: string, text: string): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

/** loadConfig in `cwd` (a temp dir by default) with an empty environment unless given. */
export function load(opts: LoadConfigOptions = {}) {
  return loadConfig({ cwd: opts.cwd ?? tempDir(), env: {}, ...opts });
}

/** Runs `fn`, expecting a ConfigError, and returns it. */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

/**
 * The loader of a fresh temp directory whose `user.cfg` holds `text`, with environment `env` (empty
 * unless given): `configError(fromUserCfg(text))` for a bad file, `fromUserCfg(text)()` for a good one.
 */
export function fromUserCfg(text: string, env: NodeJS.ProcessEnv = {}): () => ReturnType<typeof loadConfig> {
  const cwd = tempDir();
  writeFile(cwd, 'user.cfg', text);
  return () => loadConfig({ cwd, env });
}
