/**
 * The CoinGecko market-cap adapter over real HTTP against a local server that answers `/coins/markets`
 * with the documented shape (https://docs.coingecko.com/reference/coins-markets: an array of coins with
 * `symbol` lower-case and `market_cap` in USD, 250 per page at most).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoinGeckoMarketCaps } from '../../../src/adapters/marketcap/coingecko.ts';
import { createLogger } from '../../../src/cli/logger.ts';
import { DAY_MS } from '../../../src/domain/time.ts';

const logger = createLogger('silent', 'json');
const NOW = Date.UTC(2026, 0, 2, 12);

describe('CoinGeckoMarketCaps', () => {
  let server: http.Server;
  let base = '';
  const seen: { url: string; key: string | undefined }[] = [];
  let mode: 'ok' | 'html' | 'nan' | 'flaky' = 'ok';
  let flakyCalls = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', key: req.headers['x-cg-demo-api-key'] as string | undefined });
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page'));
      if (mode === 'html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html>maintenance</html>');
      }
      if (mode === 'flaky' && flakyCalls++ === 0) {
        res.writeHead(503);
        return res.end('busy');
      }
      // Page 1: 250 coins (a full page), page 2: 2 coins (the last page).
      const coins =
        page === 1
          ? Array.from({ length: 250 }, (_, i) => ({
              id: `c${i}`,
              symbol: i === 0 ? 'btc' : i === 1 ? 'eth' : `t${i}`,
              market_cap: mode === 'nan' && i === 3 ? 'NaN' : 1e9 - i,
            }))
          : [
              { id: 'btc-clone', symbol: 'btc', market_cap: 5 },
              { id: 'tiny', symbol: 'tiny', market_cap: null },
            ];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(coins));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const caps = (apiKey: string | null = null) =>
    new CoinGeckoMarketCaps({ baseUrl: base, apiKey, timeoutMs: 2000, now: () => NOW, logger });

  it('pages until a short page; a ticker listed twice keeps the larger cap; the key goes in the header', async () => {
    mode = 'ok';
    seen.length = 0;
    const today = NOW - (NOW % DAY_MS);
    const m = await caps('demo-key').capsAt(today, 45);
    expect(seen.map((s) => new URL(s.url, 'http://x').searchParams.get('page'))).toEqual(['1', '2']);
    expect(seen.every((s) => s.key === 'demo-key' && !s.url.includes('demo-key'))).toBe(true);
    expect(m.get('BTC')?.capUsd).toBe(1e9);
    expect(m.get('ETH')?.capUsd).toBe(1e9 - 1);
    expect(m.has('TINY')).toBe(false);
    expect(m.size).toBe(250);
    expect(m.get('BTC')?.snapshotMs).toBe(today);
  });

  it('a day in the past (no history on this endpoint) has no caps and sends no request', async () => {
    seen.length = 0;
    expect((await caps().capsAt(NOW - (NOW % DAY_MS) - 100 * DAY_MS, 45)).size).toBe(0);
    expect(seen).toHaveLength(0);
  });

  it('bad responses: an HTML page or a NaN cap is an error naming the endpoint and field; a 503 is retried', async () => {
    const today = NOW - (NOW % DAY_MS);
    mode = 'html';
    await expect(caps().capsAt(today, 45)).rejects.toThrow(
      /CoinGecko GET \/coins\/markets page 1: response is not JSON/,
    );
    mode = 'nan';
    await expect(caps().capsAt(today, 45)).rejects.toThrow(/page 1: invalid response: field 3\.market_cap/);
    mode = 'flaky';
    flakyCalls = 0;
    expect((await caps().capsAt(today, 45)).get('BTC')?.capUsd).toBe(1e9);
  });
});
