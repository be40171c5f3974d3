/** `user.cfg.example` parses to the defaults and documents every key of describeConfigKeys(). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readIni } from '../../../src/config/ini-file.ts';
import { describeConfigKeys, envVarName, FLAG_KEYS, loadConfig } from '../../../src/config/loader.ts';
import { configSchema, defaultRawConfig } from '../../../src/config/schema.ts';
import { tempDir } from './helpers.ts';

const EXAMPLE = fileURLToPath(new URL('../../../user.cfg.example', import.meta.url));
const text = fs.readFileSync(EXAMPLE, 'utf8');

describe('user.cfg.example', () => {
  it('parses without problems and equals the defaults (copied to ./user.cfg it changes nothing)', () => {
    const cwd = tempDir();
    fs.copyFileSync(EXAMPLE, path.join(cwd, 'user.cfg'));
    const withExample = loadConfig({ cwd, env: {} });
    expect(withExample.sources.file).toBe(path.join(cwd, 'user.cfg'));
    const defaults = loadConfig({ cwd: tempDir(), env: {} });
    expect({ ...withExample.config, database: null }).toEqual({ ...defaults.config, database: null });
    expect(withExample.config.database.url).toBe('');
    expect(withExample.config.database.data_dir).toBe(path.join(cwd, 'var/pglite'));
  });

  it('sets every key of describeConfigKeys() to its default, under its section, and nothing else', () => {
    const doc = readIni(text);
    expect(doc.malformed).toEqual([]);
    const set = doc.entries.map((e) => `[${e.section}] ${e.key} = ${e.value}`);
    const expected = describeConfigKeys().map((k) => `[${k.section}] ${k.key} = ${k.default}`);
    expect(set).toEqual(expected);
  });

  it('documents every key: description, allowed values/unit, default and env variable in the comment above it', () => {
    const lines = text.split('\n');
    for (const k of describeConfigKeys()) {
      const i = lines.findIndex(
        (l, idx) => new RegExp(`^${k.key} =`).test(l) && sectionAt(lines, idx) === k.section,
      );
      expect(i, `${k.section}.${k.key} is set`).toBeGreaterThan(0);
      const comment: string[] = [];
      for (let j = i - 1; j >= 0 && (lines[j] ?? '').startsWith('#'); j--)
        comment.unshift((lines[j] ?? '').slice(2));
      const block = comment.join(' ');
      expect(block, `${k.section}.${k.key}`).toContain(k.description);
      expect(block, `${k.section}.${k.key}`).toContain(`Allowed: ${k.allowed}.`);
      expect(block, `${k.section}.${k.key}`).toContain(
        `Default: ${k.default === '' ? '(empty)' : k.default}.`,
      );
      for (const v of k.env) expect(block, `${k.section}.${k.key}`).toContain(v);
      if (k.flag !== null) expect(block, `${k.section}.${k.key}`).toContain(`Flag: ${k.flag}.`);
    }
  });

  it('explains env variable names, precedence and where credentials go at the top', () => {
    const header = text.slice(0, text.indexOf('\n['));
    expect(header).toContain('REBALANCER_<SECTION>_<KEY>');
    expect(header).toContain('built-in defaults < this file < environment variables < command-line flags');
    expect(header).toContain('DATABASE_URL');
    expect(header).toContain('LOG_LEVEL');
    expect(header).toContain('BINANCE_API_KEY');
  });
});

describe('describeConfigKeys()', () => {
  it('covers exactly the schema keys, in schema order, with env names and flags', () => {
    const keys = describeConfigKeys();
    const schemaKeys = Object.entries(configSchema.shape).flatMap(([s, obj]) =>
      Object.keys(obj.shape).map((k) => `${s}.${k}`),
    );
    expect(keys.map((k) => `${k.section}.${k.key}`)).toEqual(schemaKeys);
    // 25 keys of the foundation + exchange timeout_ms, recv_window_ms, weight_share, concurrency + data
    // market_caps, coingecko_url, market_url + database lock_wait_ms + universe allow_empty + schedule
    // rebalance_at, timezone, catch_up + the 17 [risk]/[signals]/[intraday] keys (issue 10) + the 6
    // [notify] keys (issue 11 item 4).
    expect(keys).toHaveLength(60);
    for (const k of keys) {
      expect(k.env[0]).toBe(envVarName(k.section, k.key));
      expect(k.description.length).toBeGreaterThan(10);
      expect(k.allowed.length).toBeGreaterThan(3);
    }
    const topN = keys.find((k) => k.key === 'top_n');
    expect(topN).toMatchObject({
      section: 'strategy',
      default: '10',
      env: ['REBALANCER_STRATEGY_TOP_N'],
      flag: '--top-n',
    });
    expect(keys.find((k) => k.key === 'url')?.env).toEqual(['REBALANCER_DATABASE_URL', 'DATABASE_URL']);
    expect(keys.find((k) => k.key === 'level')?.env).toEqual(['REBALANCER_LOG_LEVEL', 'LOG_LEVEL']);
    expect(keys.filter((k) => k.flag !== null)).toHaveLength(Object.keys(FLAG_KEYS).length);
  });

  it('every default is valid', () => {
    expect(configSchema.safeParse(defaultRawConfig()).success).toBe(true);
  });
});

function sectionAt(lines: readonly string[], idx: number): string | null {
  for (let j = idx; j >= 0; j--) {
    const m = /^\[(.+)\]$/.exec(lines[j] ?? '');
    if (m) return m[1] ?? null;
  }
  return null;
}
