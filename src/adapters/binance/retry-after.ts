/**
 * Reads the `Retry-After` header of Binance's 429 / 418 answers, which binance-api-node drops: its error
 * for a JSON error body carries only `code` and `msg` (http-client.js `sendResult`). rest-api.md
 * "IP Limits": "A `Retry-After` header is sent with a 418 or 429 responses and will give the number of
 * seconds required to wait, in the case of a 429, to prevent a ban".
 *
 * How: binance-api-node takes its fetch from `require('node-fetch').default` when it is first loaded;
 * {@link installRetryAfterProbe} (called before that) puts a wrapper there that passes every call
 * through unchanged and notes, per `host:port`, when a 429/418 answer said to retry. The notes live on
 * `globalThis` (one per process, like the library's module cache). When the library was loaded before
 * the probe, nothing is noted and callers fall back to `X-MBX-USED-WEIGHT-1M`.
 */
import { createRequire } from 'node:module';

interface RetryNote {
  /** Local clock when the answer arrived, UTC ms. */
  readonly atMs: number;
  /** Local clock from which a retry is allowed, UTC ms. */
  readonly retryAtMs: number;
}

type Fetch = (
  url: string,
  init?: unknown,
) => Promise<{ status: number; headers: { get(k: string): string | null } }>;

const KEY = Symbol.for('momentum-rebalancer.binance.retry-after');

function notes(): Map<string, RetryNote> | undefined {
  return (globalThis as Record<symbol, Map<string, RetryNote> | undefined>)[KEY];
}

/**
 * Installs the probe once per process (idempotent). Must run before binance-api-node is first loaded.
 * @returns true when the probe is (already) installed, false when node-fetch could not be found.
 */
export function installRetryAfterProbe(): boolean {
  if (notes()) return true;
  try {
    const fromHere = createRequire(import.meta.url);
    const fromLib = createRequire(fromHere.resolve('binance-api-node'));
    const nodeFetch = fromLib('node-fetch') as Fetch & { default?: Fetch };
    const original: Fetch = nodeFetch.default ?? nodeFetch;
    const byHost = new Map<string, RetryNote>();
    const probe: Fetch = (url, init) =>
      original(url, init).then((res) => {
        if (res.status === 429 || res.status === 418) {
          const header = res.headers.get('retry-after');
          const seconds = header === null || header.trim() === '' ? Number.NaN : Number(header);
          if (Number.isFinite(seconds) && seconds >= 0) {
            const at = Date.now();
            byHost.set(hostOf(url), { atMs: at, retryAtMs: at + seconds * 1000 });
          }
        }
        return res;
      });
    nodeFetch.default = probe;
    (globalThis as Record<symbol, unknown>)[KEY] = byHost;
    return true;
  } catch {
    return false;
  }
}

/**
 * The local time (UTC ms) from which `host` (`host:port`) may be retried, as the last 429/418 answer
 * received at or after `sinceMs` (local UTC ms) said in `Retry-After`; null when no such answer was noted.
 */
export function retryAt(host: string, sinceMs: number): number | null {
  const n = notes()?.get(host);
  return n && n.atMs >= sinceMs ? n.retryAtMs : null;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
