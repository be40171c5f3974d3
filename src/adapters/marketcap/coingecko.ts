/**
 * Market caps from CoinGecko's `GET /coins/markets` (https://docs.coingecko.com/reference/coins-markets),
 * for live runs: `vs_currency=usd&order=market_cap_desc&per_page=250&page=1..pages`. The API key, when
 * there is one, comes from the environment (`COINGECKO_API_KEY`; sent as `x-cg-pro-api-key` to the pro
 * host, `x-cg-demo-api-key` otherwise) and never appears in logs or errors.
 *
 * Tickers: CoinGecko's `symbol` upper-cased, taken as the Binance base asset (as the bundled CMC
 * snapshots are); where several coins share a ticker, the larger cap counts (§4 filter 7).
 */

import pRetry, { AbortError } from 'p-retry';
import type { Logger } from 'pino';
import { z } from 'zod';
import { DAY_MS } from '../../domain/time.ts';
import type { MarketCapObservation, MarketCaps } from '../../ports/market-caps.ts';

const marketsSchema = z.array(
  z.looseObject({
    symbol: z.string(),
    market_cap: z.number().nonnegative().nullable(),
  }),
);

/** Options of {@link CoinGeckoMarketCaps}. */
export interface CoinGeckoOptions {
  /** e.g. `https://api.coingecko.com/api/v3`. */
  readonly baseUrl: string;
  readonly apiKey: string | null;
  /** Pages of 250 coins (default 4: the top 1000). */
  readonly pages?: number;
  readonly timeoutMs: number;
  /** The current time, UTC ms (the snapshot's date). */
  now(): number;
  readonly logger: Logger;
}

/** Error of the CoinGecko adapter (names the URL path and the page, never the key). */
export class MarketCapSourceError extends Error {
  override readonly name = 'MarketCapSourceError';
  readonly exitCode = 69;
}

/** Live market caps: one snapshot "now", fetched once per instance. */
export class CoinGeckoMarketCaps implements MarketCaps {
  private snapshot: Promise<Map<string, MarketCapObservation>> | null = null;

  constructor(private readonly opts: CoinGeckoOptions) {}

  /**
   * The caps of now when `dayMs` is within `maxAgeDays` of today (a live run); else an empty map
   * (CoinGecko's markets endpoint has no history).
   * @throws MarketCapSourceError after retries (HTTP errors, timeouts, invalid JSON).
   */
  async capsAt(dayMs: number, maxAgeDays: number): Promise<ReadonlyMap<string, MarketCapObservation>> {
    const now = this.opts.now();
    const today = now - (now % DAY_MS);
    if (dayMs > today || today - dayMs > maxAgeDays * DAY_MS) return new Map();
    this.snapshot ??= this.fetchAll(today);
    return this.snapshot;
  }

  private async fetchAll(today: number): Promise<Map<string, MarketCapObservation>> {
    const out = new Map<string, MarketCapObservation>();
    const pages = this.opts.pages ?? 4;
    for (let page = 1; page <= pages; page++) {
      const rows = await this.fetchPage(page);
      for (const r of rows) {
        if (r.market_cap === null || r.market_cap <= 0) continue;
        const ticker = r.symbol.toUpperCase();
        const prev = out.get(ticker);
        if (!prev || r.market_cap > prev.capUsd)
          out.set(ticker, { ticker, capUsd: r.market_cap, snapshotMs: today });
      }
      if (rows.length < 250) break;
    }
    this.opts.logger.debug({ tickers: out.size }, 'market caps fetched from CoinGecko');
    return out;
  }

  private fetchPage(page: number) {
    const base = this.opts.baseUrl.replace(/\/+$/, '');
    const url = `${base}/coins/markets?vs_currency=usd&order=market_cap_desc&per_page=250&page=${page}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.apiKey) {
      headers[/pro-api/.test(base) ? 'x-cg-pro-api-key' : 'x-cg-demo-api-key'] = this.opts.apiKey;
    }
    const where = `CoinGecko GET /coins/markets page ${page}`;
    return pRetry(
      async () => {
        let res: Response;
        try {
          res = await fetch(url, { headers, signal: AbortSignal.timeout(this.opts.timeoutMs) });
        } catch (err) {
          throw new MarketCapSourceError(`${where}: ${(err as Error).message}`);
        }
        if (!res.ok) {
          const e = new MarketCapSourceError(`${where}: HTTP ${res.status}`);
          if (res.status !== 429 && res.status < 500) throw new AbortError(e);
          throw e;
        }
        let body: unknown;
        try {
          body = await res.json();
        } catch {
          throw new AbortError(new MarketCapSourceError(`${where}: response is not JSON`));
        }
        const parsed = marketsSchema.safeParse(body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new AbortError(
            new MarketCapSourceError(
              `${where}: invalid response: field ${issue?.path.join('.') || '(body)'}: ${issue?.message}`,
            ),
          );
        }
        return parsed.data;
      },
      { retries: 3, minTimeout: 500, factor: 2, randomize: true },
    );
  }
}
