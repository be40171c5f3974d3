/**
 * Helpers of the emulator tests: the bundled dataset (loaded once per test file), and a minimal Binance
 * client written from rest-api.md alone ("SIGNED Endpoint Examples": payload = query string + body,
 * HMAC-SHA256 hex or Ed25519 base64 signature, `X-MBX-APIKEY` header) — independent of the emulator's code.
 */
import { createHmac, type KeyObject, sign } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Dataset, loadDataset } from '../../src/adapters/data/bundled-dataset.ts';
import type { EmulatorOptions, RunningEmulator } from '../../src/emulator/server.ts';
import { useEmulator } from '../support/emulator.ts';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The bundled data directory. */
export const BUNDLED_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

let bundled: Promise<Dataset> | undefined;
/** The bundled dataset, loaded once per test file (module instance). */
export function bundledDataset(): Promise<Dataset> {
  bundled ??= loadDataset(BUNDLED_DIR);
  return bundled;
}

let dailyOnly: Promise<Dataset> | undefined;
/**
 * The bundled data without `binance/klines-1h` (bundled since 2026-12-03), loaded once per test file. It is a
 * directory of symlinks to the bundle's daily klines, exchangeInfo files, symbols.csv and marketcap/ (nothing
 * copied; relative links), `var/test/bundled-daily-only` (git-ignored; made once, atomically, and reused). On it the emulator
 * prices every symbol from its daily candles (docs/emulator.md "Price"), as tests of the daily price model
 * assume.
 */
export function dailyOnlyBundledDataset(): Promise<Dataset> {
  if (!dailyOnly) {
    const dir = path.join(REPO_ROOT, 'var', 'test', 'bundled-daily-only');
    if (!existsSync(dir)) {
      mkdirSync(path.dirname(dir), { recursive: true });
      const tmp = mkdtempSync(`${dir}-`);
      mkdirSync(path.join(tmp, 'binance'));
      for (const name of readdirSync(path.join(BUNDLED_DIR, 'binance'))) {
        if (name !== 'klines-1h')
          symlinkSync(
            path.join('..', '..', '..', '..', 'data', 'binance', name),
            path.join(tmp, 'binance', name),
          );
      }
      symlinkSync(path.join('..', '..', '..', 'data', 'marketcap'), path.join(tmp, 'marketcap'));
      try {
        renameSync(tmp, dir);
      } catch {
        rmSync(tmp, { recursive: true, force: true }); // another test file made it first
      }
    }
    dailyOnly = loadDataset(dir);
  }
  return dailyOnly;
}

/** UTC ms of `YYYY-MM-DDTHH:MM:SS(.sss)Z`. */
export const at = (iso: string): number => Date.parse(iso);

/** A parsed response. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies of many shapes; each test asserts the one it expects
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** GET `path` with query `params` (unsigned). */
// biome-ignore lint/suspicious/noExplicitAny: see Reply
export async function pub<T = any>(
  baseUrl: string,
  path: string,
  params: Record<string, string | number> = {},
): Promise<Reply<T>> {
  const qs = new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
  const r = await fetch(`${baseUrl}${path}${qs ? `?${qs}` : ''}`);
  return { status: r.status, headers: r.headers, body: (await r.json()) as T };
}

/** Credentials of a test account: an HMAC secret or an Ed25519 private key. */
export interface Creds {
  apiKey: string;
  secret?: string;
  privateKey?: KeyObject;
}

/** Options of {@link signed}. */
export interface SignedOpts {
  /** Send the parameters as an x-www-form-urlencoded body instead of the query string. */
  body?: boolean;
  /** `timestamp` to send (default `clock()`). */
  timestamp?: number;
  /** Replace the computed signature. */
  signature?: string;
  /** Omit the `X-MBX-APIKEY` header. */
  noKey?: boolean;
  /** Extra request headers (e.g. `X-MBX-TIME-UNIT`). */
  headers?: Record<string, string>;
}

/**
 * A SIGNED request per rest-api.md: `timestamp` appended, the payload (`k=v&…` percent-encoded) signed
 * with HMAC-SHA256 (hex) or Ed25519 (base64), `signature` appended last.
 */
// biome-ignore lint/suspicious/noExplicitAny: see Reply
export async function signed<T = any>(
  baseUrl: string,
  clock: () => number,
  creds: Creds,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  params: Record<string, string | number> = {},
  opts: SignedOpts = {},
): Promise<Reply<T>> {
  const all = { ...params, timestamp: opts.timestamp ?? clock() };
  const payload = new URLSearchParams(
    Object.entries(all).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
  const sig =
    opts.signature ??
    (creds.privateKey
      ? sign(null, Buffer.from(payload), creds.privateKey).toString('base64')
      : createHmac('sha256', creds.secret ?? '')
          .update(payload)
          .digest('hex'));
  const full = `${payload}&signature=${encodeURIComponent(sig)}`;
  const headers: Record<string, string> = {
    ...(opts.noKey ? {} : { 'X-MBX-APIKEY': creds.apiKey }),
    ...opts.headers,
  };
  let r: Response;
  if (opts.body) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    r = await fetch(`${baseUrl}${path}`, { method, headers, body: full });
  } else {
    r = await fetch(`${baseUrl}${path}?${full}`, { method, headers });
  }
  return { status: r.status, headers: r.headers, body: (await r.json()) as T };
}

/** A settable virtual clock for `EmulatorOptions.now`. */
export function manualClock(start: number): {
  now: () => number;
  set(t: number): void;
  advance(ms: number): void;
} {
  let t = start;
  return {
    now: () => t,
    set(v: number) {
      t = v;
    },
    advance(ms: number) {
      t += ms;
    },
  };
}

/**
 * The suite's emulator on the bundled dataset: started with `opts` (clock, accounts, limits, …) in a
 * `beforeAll` of the enclosing suite and closed in its `afterAll`. Call the returned function (in a test
 * or a hook that runs later) for the running emulator.
 */
export function useBundledEmulator(opts: Omit<EmulatorOptions, 'dataset'>): () => RunningEmulator {
  return useEmulator(async () => ({ dataset: await bundledDataset(), ...opts }));
}
