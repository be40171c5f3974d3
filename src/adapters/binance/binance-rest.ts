/**
 * The one module that imports binance-api-node: a typed, validated, rate-limited Binance spot REST client.
 *
 * What it adds to the library (DEVELOPERS.md "Known traps"):
 * - the base URL only through `httpBase` (never `testnet: true`, which goes to Binance's demo servers);
 * - a request timeout (the library has none): a request that does not answer in `timeoutMs` is failed
 *   as `retryable` (reads) or `unknown_outcome` (orders);
 * - server-time offset: signed requests carry `timestamp = local clock + offset`, measured from
 *   `GET /api/v3/time` at start and again after a -1021 (rest-api.md "Timing security");
 * - request weight: every request reserves its documented weight (rest-api.md) in the current minute
 *   window, the window's count follows `X-MBX-USED-WEIGHT-1M`, and a request that would exceed
 *   `weightBudget` waits for the next minute (rest-api.md "IP Limits");
 * - retries with p-retry of reads that failed for a retryable reason, after an exponential backoff
 *   with jitter (`minBackoffMs` × 2^(n−1) × [1, 2), at most {@link MAX_BACKOFF_MS}); a -1003 / 429
 *   waits instead what the answer's `Retry-After` says (binance-api-node drops it: read by the probe of
 *   `retry-after.ts`), else — no header — until the end of the minute window when
 *   `X-MBX-USED-WEIGHT-1M` is at our budget, else 1 s: one 429 never costs the rest of the minute
 *   unless the exchange says so, and only the request it answered waits; a request that still fails
 *   after the retries ends with "gave up after N attempts: …";
 * - hedged GETs: a GET that has not answered after `hedgeAfterMs` is sent once more alongside (a read has
 *   no effect, so two are harmless); the first answer wins and the slow one is ignored — a slow answer
 *   then costs `hedgeAfterMs` plus one round trip, not its whole delay. Never for writes (orders,
 *   cancels);
 * - every response is validated with zod ({@link parseResponse}); every error is classified
 *   ({@link classifyError}) and sanitized: no key, secret, signature or signed URL in any message.
 */

import pRetry from 'p-retry';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { classifyError, ExchangeError, gaveUp } from './errors.ts';
import { checkPositivePrice } from './response-checks.ts';
import { installRetryAfterProbe, retryAt } from './retry-after.ts';
import {
  accountSchema,
  exchangeInfoSchema,
  klinesSchema,
  myTradesSchema,
  openOrdersSchema,
  orderSchema,
  parseResponse,
  serverTimeSchema,
  ticker24hSchema,
  tickerPricesSchema,
} from './schemas.ts';

/** API credentials: HMAC (`apiSecret`) or Ed25519 (`privateKeyPem`). */
export interface BinanceCredentials {
  readonly apiKey: string;
  readonly apiSecret?: string;
  readonly privateKeyPem?: string;
}

/** Options of {@link BinanceRest.open}. */
export interface BinanceRestOptions {
  /** e.g. `https://testnet.binance.vision` or the emulator's `http://127.0.0.1:PORT`. */
  readonly baseUrl: string;
  /** Null for market data only; signed calls then throw an `auth` error before any request. */
  readonly credentials: BinanceCredentials | null;
  /** Per-request timeout, ms. */
  readonly timeoutMs: number;
  /** `recvWindow` of signed requests, ms (≤ 60000). */
  readonly recvWindowMs: number;
  /** Request weight we allow ourselves per minute (e.g. 0.5 × 6000). */
  readonly weightBudget: number;
  /** Retries of a retryable read (default {@link DEFAULT_READ_RETRIES}). */
  readonly retries?: number;
  /** Smallest backoff, ms (default {@link DEFAULT_MIN_BACKOFF_MS}). */
  readonly minBackoffMs?: number;
  /**
   * A GET not answered after this many ms is sent once more alongside, the first answer wins (default
   * {@link DEFAULT_HEDGE_AFTER_MS}; 0 = never).
   */
  readonly hedgeAfterMs?: number;
  readonly logger: Logger;
}

/** Counters since the client was opened. */
export interface RestStats {
  readonly requests: number;
  /** Sum of the documented weights of the requests sent. */
  readonly weight: number;
  /** The last `X-MBX-USED-WEIGHT-1M` seen, or null. */
  readonly usedWeight1m: number | null;
  /** The largest `X-MBX-USED-WEIGHT-1M` seen, or null. */
  readonly maxUsedWeight1m: number | null;
  /** Times a request waited for the next minute window because of our own budget. */
  readonly throttled: number;
  /** Times the exchange answered 429 / -1003 (then the client waited as Retry-After said). */
  readonly rateLimited: number;
  /** Total time waited because of 429 / -1003 answers, ms. */
  readonly rateLimitWaitMs: number;
  /** Reads retried after a retryable failure other than a 429 (503, reset, -1021, …). */
  readonly readRetries: number;
  /** Total backoff before those retries, ms. */
  readonly backoffWaitMs: number;
  /** GETs sent once more because the first had not answered after `hedgeAfterMs`. */
  readonly hedged: number;
  /** Of those, the ones the second request answered first. */
  readonly hedgeWins: number;
}

/** The order parameters we send (MARKET only). */
export interface NewMarketOrder {
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly newClientOrderId: string;
  readonly quantity?: string;
  readonly quoteOrderQty?: string;
}

// The subset of binance-api-node's client we call; its own typings are wrong in places.
interface LibClient {
  getInfo(): Record<string, Record<string, string> | undefined>;
  time(): Promise<unknown>;
  exchangeInfo(payload?: Record<string, unknown>): Promise<unknown>;
  publicRequest(method: string, url: string, payload?: Record<string, unknown>): Promise<unknown>;
  privateRequest(method: string, url: string, payload?: Record<string, unknown>): Promise<unknown>;
  order(payload: Record<string, unknown>): Promise<unknown>;
}
type LibFactory = (opts: Record<string, unknown>) => LibClient;

let factoryPromise: Promise<LibFactory> | null = null;
/** Loads binance-api-node once (CommonJS: under ESM the default import is the module object). */
function loadFactory(): Promise<LibFactory> {
  installRetryAfterProbe(); // before the library is loaded: it takes its fetch at load time
  factoryPromise ??= import('binance-api-node').then((m) => {
    const mod = m as unknown as { default?: { default?: LibFactory } | LibFactory };
    const d = mod.default;
    const f = typeof d === 'function' ? d : (d?.default ?? (m as unknown as LibFactory));
    if (typeof f !== 'function') throw new Error('binance-api-node: no client factory export');
    return f;
  });
  return factoryPromise;
}

const MINUTE_MS = 60_000;
/**
 * Smallest backoff before a read is retried, ms: the first retry comes after 100–200 ms, the fourth after
 * 0.8–1.6 s. A 429 waits what its Retry-After says instead.
 */
export const DEFAULT_MIN_BACKOFF_MS = 100;
/** Largest backoff before a read is retried, ms. */
export const MAX_BACKOFF_MS = 2_000;
/**
 * Retries of a retryable read: 7 attempts. With one request in five failing (the fault proxy's defaults:
 * 503 10 %, 429 5 %, reset 5 %), 5 attempts gave up on one of a run's ~120 reads in ~4 % of the runs
 * (0.2^5 × 120; bench:faults seed 9, myTrades); 7 attempts in ~0.2 % (0.2^7 × 120), for at most
 * 0.2 + 0.4 + 0.8 + 1.6 + 2 + 2 = 7 s of backoff on that read (with the default minimum backoff).
 */
export const DEFAULT_READ_RETRIES = 6;
/**
 * When a GET is sent once more alongside, ms: well above a normal answer (tens of ms; a few hundred
 * with 20 klines in flight on a loaded machine), well below a stalled one (seconds).
 */
export const DEFAULT_HEDGE_AFTER_MS = 1_000;
/**
 * Margin added to `timestamp + recvWindow` before "not found" is final, ms: covers timer slack and the time
 * between recording an order and signing its request. The error bound of the measured clock offset is
 * added on top of it ({@link BinanceRest.finalAfter}).
 */
export const FINAL_LOOKUP_MARGIN_MS = 1_000;
/** Wait after a 429 without `Retry-After` while `X-MBX-USED-WEIGHT-1M` is below our budget, ms. */
export const RATE_LIMIT_FALLBACK_MS = 1_000;

/** HTTP 429 / -1003 "too much request weight" (not a ban: that is kind `banned`). */
function isRateLimit(e: ExchangeError): boolean {
  return e.kind === 'retryable' && (e.code === -1003 || e.httpStatus === 429);
}

/** A typed Binance spot REST client; see the module comment. */
export class BinanceRest {
  private offsetMs = 0;
  /** Bound of the offset's error: half the round trip it was measured over, ms (the server read its clock somewhere in it). */
  private offsetErrorMs = 0;
  private synced = false;
  /** The largest `timestamp` handed to a signed request so far (exchange clock, UTC ms). */
  private maxTimestamp = 0;
  private windowStart = 0;
  private windowUsed = 0;
  /** The counters {@link stats} returns, updated in place. */
  private readonly counts: { -readonly [K in keyof RestStats]: RestStats[K] } = {
    requests: 0,
    weight: 0,
    usedWeight1m: null,
    maxUsedWeight1m: null,
    throttled: 0,
    rateLimited: 0,
    rateLimitWaitMs: 0,
    readRetries: 0,
    backoffWaitMs: 0,
    hedged: 0,
    hedgeWins: 0,
  };
  private readonly host: string;
  /** `host:port` of the base URL (the key of the Retry-After notes). */
  private readonly hostPort: string;
  private readonly secrets: string[];

  private constructor(
    private readonly lib: LibClient,
    private readonly opts: BinanceRestOptions,
  ) {
    this.host = new URL(opts.baseUrl).hostname;
    this.hostPort = new URL(opts.baseUrl).host;
    this.secrets = [opts.credentials?.apiKey, opts.credentials?.apiSecret].filter(
      (s): s is string => typeof s === 'string' && s !== '',
    );
  }

  /**
   * Builds a client for `opts.baseUrl`. Makes no request.
   * @throws Error when binance-api-node cannot be loaded.
   */
  static async open(opts: BinanceRestOptions): Promise<BinanceRest> {
    const factory = await loadFactory();
    let self: BinanceRest | null = null;
    const c = opts.credentials;
    const lib = factory({
      httpBase: opts.baseUrl.replace(/\/+$/, ''),
      ...(c ? { apiKey: c.apiKey } : {}),
      ...(c?.apiSecret ? { apiSecret: c.apiSecret } : {}),
      ...(c?.privateKeyPem ? { privateKey: c.privateKeyPem.trim() } : {}),
      getTime: () => (self ? self.issueTimestamp() : Date.now()),
    });
    self = new BinanceRest(lib, opts);
    return self;
  }

  /** The exchange's clock estimate: local time + the measured offset, UTC ms. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /**
   * The measured clock offset: exchange server time − local clock, ms (0 before the first measure), and
   * whether it was measured (`GET /api/v3/time`, or exchangeInfo's `serverTime`). A use case compares
   * it with its tolerance, e.g. to refuse a run near a period boundary when the clocks disagree.
   */
  clockOffset(): { readonly offsetMs: number; readonly measured: boolean } {
    return { offsetMs: this.offsetMs, measured: this.synced };
  }

  /** `recvWindow` of signed requests, ms. */
  get recvWindowMs(): number {
    return this.opts.recvWindowMs;
  }

  /**
   * The exchange-clock time (UTC ms) from which a signed request whose `timestamp` is at most
   * `timestampMs` can no longer be executed: Binance rejects it with -1021 once
   * `serverTime − timestamp > recvWindow` (rest-api.md "Timing security"), so an order the exchange
   * does not know after that time was never placed. Adds {@link FINAL_LOOKUP_MARGIN_MS} and the bound of
   * the measured offset's error (half the round trip it was measured over): {@link waitUntil} reads the
   * exchange clock through that offset, whose estimate may run ahead of the exchange by up to that bound
   * (a request slow on its way; test/integration/binance/offset-error.test.ts).
   */
  finalAfter(timestampMs: number): number {
    return timestampMs + this.opts.recvWindowMs + FINAL_LOOKUP_MARGIN_MS + this.offsetErrorMs;
  }

  /** Waits until the exchange clock ({@link now}) reaches `exchangeMs` (returns at once when past). */
  async waitUntil(exchangeMs: number): Promise<void> {
    const wait = exchangeMs - this.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  /** The timestamp of a signed request (binance-api-node's `getTime`): {@link now}, remembered. */
  private issueTimestamp(): number {
    const t = this.now();
    if (t > this.maxTimestamp) this.maxTimestamp = t;
    return t;
  }

  /** Request and weight counters. */
  stats(): RestStats {
    return { ...this.counts };
  }

  /**
   * Measures the server-time offset with `GET /api/v3/time` (weight 1): offset = serverTime − the local
   * midpoint of the request. Returns the server time, UTC ms.
   */
  async syncTime(): Promise<number> {
    const t0 = Date.now();
    const body = await this.read('GET /api/v3/time', 1, () => this.lib.publicRequest('GET', '/api/v3/time'));
    const t1 = Date.now();
    const { serverTime } = parseResponse(serverTimeSchema, body, 'GET /api/v3/time');
    this.offsetMs = serverTime - Math.round((t0 + t1) / 2);
    this.offsetErrorMs = Math.ceil((t1 - t0) / 2);
    this.synced = true;
    return serverTime;
  }

  /**
   * `GET /api/v3/exchangeInfo` (weight 20), validated. Its `serverTime` also sets the clock offset when
   * none was measured yet (one round trip less than a separate `GET /api/v3/time`).
   */
  async exchangeInfo() {
    const ep = 'GET /api/v3/exchangeInfo';
    const t0 = Date.now();
    const body = await this.read(ep, 20, () => this.lib.exchangeInfo());
    const t1 = Date.now();
    const info = parseResponse(exchangeInfoSchema, body, ep);
    if (!this.synced) {
      this.offsetMs = info.serverTime - Math.round((t0 + t1) / 2);
      this.offsetErrorMs = Math.ceil((t1 - t0) / 2);
      this.synced = true;
    }
    return info;
  }

  /**
   * `GET /api/v3/klines` (weight 2): rows `[openTime, open, high, low, close, volume, closeTime,
   * quoteVolume, trades, …]`, validated; open/high/low/close must be positive.
   * @throws ExchangeError (`invalid_response`) naming the symbol, the row and the field of a price ≤ 0.
   */
  async klines(
    symbol: string,
    interval: string,
    params: { startTime?: number; endTime?: number; limit?: number },
  ): Promise<z.output<typeof klinesSchema>> {
    const ep = 'GET /api/v3/klines';
    const payload: Record<string, unknown> = { symbol, interval };
    if (params.startTime !== undefined) payload.startTime = params.startTime;
    if (params.endTime !== undefined) payload.endTime = params.endTime;
    if (params.limit !== undefined) payload.limit = params.limit;
    const body = await this.read(
      ep,
      2,
      () => this.lib.publicRequest('GET', '/api/v3/klines', payload),
      symbol,
    );
    const rows = parseResponse(klinesSchema, body, ep, symbol);
    rows.forEach((r, i) => {
      const day = new Date(r[0]).toISOString().slice(0, 10);
      for (const [k, name] of [
        [1, 'open'],
        [2, 'high'],
        [3, 'low'],
        [4, 'close'],
      ] as const) {
        checkPositivePrice(r[k], ep, symbol, `[${i}].${name} (openTime ${day})`);
      }
    });
    return rows;
  }

  /** `GET /api/v3/ticker/price` for every symbol (weight 4), validated. */
  async tickerPrices() {
    const ep = 'GET /api/v3/ticker/price';
    const body = await this.read(ep, 4, () => this.lib.publicRequest('GET', '/api/v3/ticker/price'));
    return parseResponse(tickerPricesSchema, body, ep);
  }

  /** `GET /api/v3/ticker/24hr` for every symbol (weight 80), validated. */
  async ticker24h() {
    const ep = 'GET /api/v3/ticker/24hr';
    const body = await this.read(ep, 80, () => this.lib.publicRequest('GET', '/api/v3/ticker/24hr'));
    return parseResponse(ticker24hSchema, body, ep);
  }

  /** `GET /api/v3/account?omitZeroBalances=true` (weight 20, signed), validated. */
  async account() {
    const ep = 'GET /api/v3/account';
    this.requireKeys(ep);
    const body = await this.read(ep, 20, () =>
      this.lib.privateRequest('GET', '/api/v3/account', {
        omitZeroBalances: true,
        recvWindow: this.opts.recvWindowMs,
      }),
    );
    return parseResponse(accountSchema, body, ep);
  }

  /**
   * `POST /api/v3/order` (weight 1, signed): a MARKET order with our clientOrderId and
   * `newOrderRespType=FULL`. Not retried here: an `unknown_outcome` error must be resolved by the caller
   * with {@link getOrder} before anything is sent again.
   * @throws ExchangeError — `rejected` (filters -1013, balance -2010, -1121, …), `unknown_outcome`
   *   (timeout, 5XX, connection lost), `retryable` (429/-1003, -1021: nothing executed), `auth`,
   *   `banned`, `invalid_response`.
   */
  async newOrder(order: NewMarketOrder) {
    const payload: Record<string, unknown> = {
      symbol: order.symbol,
      side: order.side,
      type: 'MARKET',
      newClientOrderId: order.newClientOrderId,
      newOrderRespType: 'FULL',
      recvWindow: this.opts.recvWindowMs,
      ...(order.quantity !== undefined ? { quantity: order.quantity } : {}),
      ...(order.quoteOrderQty !== undefined ? { quoteOrderQty: order.quoteOrderQty } : {}),
    };
    return this.sendOrder(order.symbol, () => this.lib.order(payload));
  }

  /**
   * `POST /api/v3/order` type `STOP_LOSS` (weight 1, signed): a SELL of `quantity` that becomes a MARKET
   * order when the last price falls to `stopPrice` (Binance trading-endpoints.md "New order", STOP_LOSS
   * requires quantity and stopPrice). Not retried here: the caller resolves an unknown outcome by its
   * clientOrderId (a stop order stays open, so Binance refuses a duplicate id with -2010 while it is).
   * @throws ExchangeError, classified as for {@link newOrder} (e.g. -2010 "Order would trigger immediately").
   */
  async newStopLossOrder(order: {
    readonly symbol: string;
    readonly quantity: string;
    readonly stopPrice: string;
    readonly newClientOrderId: string;
  }) {
    return this.sendOrder(order.symbol, () =>
      this.lib.privateRequest('POST', '/api/v3/order', {
        symbol: order.symbol,
        side: 'SELL',
        type: 'STOP_LOSS',
        quantity: order.quantity,
        stopPrice: order.stopPrice,
        newClientOrderId: order.newClientOrderId,
        newOrderRespType: 'RESULT',
        recvWindow: this.opts.recvWindowMs,
      }),
    );
  }

  /**
   * One `POST /api/v3/order` request made by `send` (weight 1, signed, never retried), its answer
   * parsed as an order. On failure: the classified ExchangeError, with the wait a 429 asks for and, for an
   * `unknown_outcome`, the exchange time after which a lookup of the order is final; a -1021 re-syncs
   * the clock first.
   * @throws ExchangeError, classified with `write: true` (see {@link newOrder}).
   */
  private async sendOrder(symbol: string, send: () => Promise<unknown>) {
    const ep = 'POST /api/v3/order';
    this.requireKeys(ep, symbol);
    await this.reserve(1);
    let body: unknown;
    const before = this.now();
    const started = Date.now();
    try {
      body = await this.withTimeout(send());
    } catch (err) {
      const e = classifyError(err, ep, { write: true, symbol, secrets: this.secrets });
      if (isRateLimit(e)) e.retryAfterMs = this.rateLimitWait(started);
      if (e.kind === 'unknown_outcome') {
        // The request may still reach the exchange, until its timestamp + recvWindow (every timestamp
        // issued so far bounds this request's: conservative under concurrency).
        e.lookupNotBefore = this.finalAfter(Math.max(before, this.maxTimestamp));
      }
      if (e.code === -1021) await this.syncTime().catch(() => undefined);
      throw e;
    } finally {
      this.afterResponse();
    }
    return parseResponse(orderSchema, body, ep, symbol);
  }

  /**
   * `DELETE /api/v3/order` by `origClientOrderId` (weight 1, signed), retried when retryable (cancelling
   * twice is harmless: the second answers -2011).
   * @returns the canceled order, or null when the exchange has no such OPEN order (-2011: unknown, or
   *   already filled/canceled — look it up with {@link getOrder}).
   */
  async cancelOrder(symbol: string, clientOrderId: string) {
    return this.orderByClientId('DELETE', symbol, clientOrderId, 1, -2011);
  }

  /** `GET /api/v3/openOrders` of the whole account (weight 80, signed), retried when retryable. */
  async openOrders() {
    const ep = 'GET /api/v3/openOrders';
    this.requireKeys(ep);
    const body = await this.read(ep, 80, () =>
      this.lib.privateRequest('GET', '/api/v3/openOrders', { recvWindow: this.opts.recvWindowMs }),
    );
    return parseResponse(openOrdersSchema, body, ep);
  }

  /**
   * `GET /api/v3/order` by `origClientOrderId` (weight 4, signed), retried when retryable.
   * @returns the order, or null when the exchange does not know it (-2013).
   */
  async getOrder(symbol: string, clientOrderId: string) {
    return this.orderByClientId('GET', symbol, clientOrderId, 4, -2013);
  }

  /**
   * `GET` or `DELETE /api/v3/order` by `origClientOrderId` (signed), retried when retryable; the order, or
   * null when Binance answers `notFoundCode` (-2013 no such order; -2011 unknown order to cancel).
   */
  private async orderByClientId(
    method: 'GET' | 'DELETE',
    symbol: string,
    clientOrderId: string,
    weight: number,
    notFoundCode: number,
  ) {
    const ep = `${method} /api/v3/order`;
    this.requireKeys(ep, symbol);
    try {
      const body = await this.read(
        ep,
        weight,
        () =>
          this.lib.privateRequest(method, '/api/v3/order', {
            symbol,
            origClientOrderId: clientOrderId,
            recvWindow: this.opts.recvWindowMs,
          }),
        symbol,
        method === 'GET',
      );
      return parseResponse(orderSchema, body, ep, symbol);
    } catch (err) {
      if (err instanceof ExchangeError && err.code === notFoundCode) return null;
      throw err;
    }
  }

  /** `GET /api/v3/myTrades?orderId=` (weight 5 with orderId, signed): the fills of one order. */
  async myTrades(symbol: string, orderId: number) {
    const ep = 'GET /api/v3/myTrades';
    this.requireKeys(ep, symbol);
    const body = await this.read(
      ep,
      5,
      () =>
        this.lib.privateRequest('GET', '/api/v3/myTrades', {
          symbol,
          orderId,
          recvWindow: this.opts.recvWindowMs,
        }),
      symbol,
    );
    return parseResponse(myTradesSchema, body, ep, symbol);
  }

  // ---- internals ----------------------------------------------------------------------------------

  private requireKeys(endpoint: string, symbol: string | null = null): void {
    if (!this.opts.credentials) {
      throw new ExchangeError(
        `${endpoint}: no API key: set BINANCE_API_KEY and BINANCE_API_SECRET (or BINANCE_PRIVATE_KEY_PATH)`,
        'auth',
        endpoint,
        null,
        symbol,
      );
    }
  }

  /**
   * A read with weight reservation, timeout, classification and retries (see the module comment);
   * `hedge`: a GET without effect, sent once more alongside when slow ({@link hedged}).
   */
  private async read(
    endpoint: string,
    weight: number,
    fn: () => Promise<unknown>,
    symbol: string | null = null,
    hedge = true,
  ) {
    let attempts = 0;
    const once = async () => {
      await this.reserve(weight);
      const started = Date.now();
      try {
        return await this.withTimeout(fn());
      } catch (err) {
        const e = classifyError(err, endpoint, { write: false, symbol, secrets: this.secrets });
        if (isRateLimit(e)) e.retryAfterMs = this.rateLimitWait(started);
        throw e;
      } finally {
        this.afterResponse();
      }
    };
    const minBackoff = this.opts.minBackoffMs ?? DEFAULT_MIN_BACKOFF_MS;
    return pRetry(
      () => {
        attempts += 1;
        return hedge ? this.hedged(endpoint, symbol, once) : once();
      },
      {
        retries: this.opts.retries ?? DEFAULT_READ_RETRIES,
        // The waits between attempts are ours (onFailedAttempt): a backoff, or Retry-After for a 429
        // instead of (not on top of) it.
        minTimeout: 0,
        shouldRetry: ({ error }) => error instanceof ExchangeError && error.kind === 'retryable',
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (!(error instanceof ExchangeError) || error.kind !== 'retryable' || retriesLeft === 0) return;
          this.opts.logger.warn(
            { endpoint, symbol, code: error.code, attempt: attemptNumber, retriesLeft },
            `${error.message}; attempt ${attemptNumber} failed, retrying`,
          );
          if (error.code === -1021) await this.syncTime().catch(() => undefined);
          if (isRateLimit(error)) {
            await this.backOff(error);
            return;
          }
          const wait = Math.round(
            Math.min(MAX_BACKOFF_MS, minBackoff * 2 ** (attemptNumber - 1) * (1 + Math.random())),
          );
          this.counts.readRetries += 1;
          this.counts.backoffWaitMs += wait;
          await new Promise((r) => setTimeout(r, wait));
        },
      },
    ).catch((err: unknown) => {
      if (err instanceof ExchangeError && err.kind === 'retryable' && attempts > 1) {
        throw gaveUp(err, attempts);
      }
      throw err;
    });
  }

  /**
   * Runs `attempt` (one GET); when it has not settled after `hedgeAfterMs`, runs it once more alongside.
   * Resolves with the first answer; rejects when every request started has failed (with the first
   * failure), or at once when the first fails before the second is due (the caller's retry applies).
   */
  private hedged<T>(endpoint: string, symbol: string | null, attempt: () => Promise<T>): Promise<T> {
    const after = this.opts.hedgeAfterMs ?? DEFAULT_HEDGE_AFTER_MS;
    if (!(after > 0)) return attempt();
    return new Promise<T>((resolve, reject) => {
      let running = 0;
      let hedgeDue = true;
      let settled = false;
      let failure: { readonly err: unknown } | null = null;
      const run = (second: boolean) => {
        running += 1;
        attempt().then(
          (v) => {
            running -= 1;
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            if (second) this.counts.hedgeWins += 1;
            resolve(v);
          },
          (err: unknown) => {
            running -= 1;
            failure ??= { err };
            if (hedgeDue) {
              hedgeDue = false;
              clearTimeout(timer);
            }
            if (!settled && running === 0) {
              settled = true;
              reject(failure.err);
            }
          },
        );
      };
      const timer = setTimeout(() => {
        if (settled || !hedgeDue) return;
        hedgeDue = false;
        this.counts.hedged += 1;
        this.opts.logger.info(
          { endpoint, symbol, afterMs: after },
          `no answer after ${after} ms: sending the same read once more, the first answer wins`,
        );
        run(true);
      }, after);
      run(false);
    });
  }

  /**
   * After a 429 / -1003 answer: waits `err.retryAfterMs` (Retry-After, see the module comment), counted
   * in {@link stats} (`rateLimited`, `rateLimitWaitMs`).
   */
  async backOff(err: ExchangeError): Promise<void> {
    const wait = err.retryAfterMs ?? this.rateLimitWait(Number.POSITIVE_INFINITY);
    this.counts.rateLimited += 1;
    this.counts.rateLimitWaitMs += wait;
    this.opts.logger.info(
      { endpoint: err.endpoint, waitMs: wait },
      `rate limited (HTTP 429): waiting ${wait} ms before the next request`,
    );
    await new Promise((r) => setTimeout(r, wait));
  }

  /**
   * How long to wait after a 429 answer to a request started at `startedMs` (local UTC ms): what its
   * `Retry-After` said; without one, the rest of the minute window when `X-MBX-USED-WEIGHT-1M` has
   * reached our budget, else {@link RATE_LIMIT_FALLBACK_MS}.
   */
  private rateLimitWait(startedMs: number): number {
    const at = retryAt(this.hostPort, startedMs);
    if (at !== null) return Math.max(0, at - Date.now());
    const used = this.counts.usedWeight1m;
    if (used !== null && used >= this.opts.weightBudget) {
      const now = this.now();
      return MINUTE_MS - (now % MINUTE_MS) + 50;
    }
    return RATE_LIMIT_FALLBACK_MS;
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    const ms = this.opts.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error(`no response within ${ms} ms`), { code: 'ETIMEDOUT_OURS' })),
        ms,
      );
    });
    // A request that loses the race may still settle later: swallow that to avoid an unhandled rejection.
    p.catch(() => undefined);
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  /** Reserves `weight` in the current minute window, waiting for the next window when over budget. */
  private async reserve(weight: number): Promise<void> {
    for (;;) {
      const now = this.now();
      const window = now - (now % MINUTE_MS);
      if (window !== this.windowStart) {
        this.windowStart = window;
        this.windowUsed = 0;
      }
      if (this.windowUsed + weight <= this.opts.weightBudget || this.windowUsed === 0) {
        this.windowUsed += weight;
        this.counts.requests += 1;
        this.counts.weight += weight;
        return;
      }
      this.counts.throttled += 1;
      this.opts.logger.info(
        { used: this.windowUsed, budget: this.opts.weightBudget },
        'request-weight budget of this minute reached: waiting for the next minute',
      );
      await this.waitForNextWindow();
    }
  }

  /** Waits until the next UTC minute of the exchange's clock (the request-weight window), + 50 ms. */
  private async waitForNextWindow(): Promise<void> {
    const now = this.now();
    const wait = MINUTE_MS - (now % MINUTE_MS) + 50;
    await new Promise((r) => setTimeout(r, wait));
  }

  /** Follows `X-MBX-USED-WEIGHT-1M` (binance-api-node keeps the last headers per host in getInfo()). */
  private afterResponse(): void {
    const info = this.lib.getInfo();
    const raw = (info[this.host] ?? info.null)?.usedWeight1m;
    const used = raw === undefined ? Number.NaN : Number(raw);
    if (Number.isFinite(used)) {
      const c = this.counts;
      c.usedWeight1m = used;
      if (c.maxUsedWeight1m === null || used > c.maxUsedWeight1m) c.maxUsedWeight1m = used;
      if (used > this.windowUsed) this.windowUsed = used;
    }
  }
}
