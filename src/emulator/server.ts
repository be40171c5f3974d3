/**
 * A local Binance spot REST emulator (issue 3): an HTTP server on 127.0.0.1 speaking the Binance spot
 * API as documented in /work/shared/spec/binance (rest-api.md, errors.md, filters.md, enums.md) over the
 * project's real market data and its simulated matching engine (`adapters/sim/sim-exchange.ts`, fill
 * model strategy-semantics.md §7). Any Binance client pointed at `baseUrl` works; see docs/emulator.md
 * for what is and is not emulated, the clock and price model and the weights.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Dataset, loadDataset } from '../adapters/data/bundled-dataset.ts';
import { dec } from '../domain/decimal.ts';
import { dayToMs, msToDay } from '../domain/time.ts';
import { BUNDLED_DATA_URL } from '../paths.ts';
import {
  API_KEY_RE,
  checkTiming,
  ed25519PublicKey,
  type SigningKeys,
  signaturePayload,
  verifySignature,
} from './auth.ts';
import { buildEndpoints, type Endpoint } from './endpoints.ts';
import { ApiError, Errors } from './errors.ts';
import { fmt8 } from './format.ts';
import { HourlyKlines } from './hourly-klines.ts';
import { EmulatorMarket, QUOTE_ASSET } from './market.ts';
import { checkParams, checkUnread, mergeParams, type ParamSpecs, Params } from './params.ts';
import { IpBans, WindowCounter } from './rate-limit.ts';
import { type TimeUnit, timeUnitOf, toMicroseconds } from './time-unit.ts';
import { EmulatorAccount, TradingEngine } from './trading.ts';

/** One emulated account (API key). */
export interface EmulatorAccountSpec {
  /** The `X-MBX-APIKEY` value (printable ASCII, no spaces, ≤ 256 characters). */
  apiKey: string;
  /** HMAC-SHA256 secret (rest-api.md "HMAC Keys"). */
  secret?: string;
  /** Ed25519 public key, PEM (rest-api.md "Ed25519 Keys"). At least one of `secret` / this is required. */
  ed25519PublicKeyPem?: string;
  /** Starting free balances, decimal strings by asset (default: `EmulatorOptions.defaultBalances`). */
  balances?: Record<string, string>;
  /** Commission rates as fractions (default "0.001" = 10 bps each; the taker rate is the fill model's f). */
  makerCommission?: string;
  takerCommission?: string /* fraction, default "0.001" */;
  /**
   * Binance's "Using BNB to pay for fees": commissions are paid in BNB with the 25 % discount when the
   * account's free BNB suffices, else in the received asset (commission_faq.md). Default false.
   */
  payFeesInBnb?: boolean;
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Data directory of the shared layout (default: the bundled `data/`). */
  dataDir?: string;
  /** An already loaded dataset (tests share one); wins over `dataDir`. */
  dataset?: Dataset;
  /** YYYY-MM-DD: the emulator clock starts at asOf 00:00:00 UTC; default: the last day of the data. */
  asOf?: string;
  /** Virtual clock override (UTC ms), e.g. for tests; default: asOf 00:00 + real elapsed ms since start. */
  now?: () => number;
  /** Artificial latency added to every response, ms (default 0). */
  rttMs?: number;
  /** Pad the TRADING USDT universe to at least N symbols with replica symbols (docs/emulator.md). */
  symbols?: number;
  /** Accounts; default: one demo account ({@link DEMO_API_KEY} / {@link DEMO_API_SECRET}). */
  accounts?: EmulatorAccountSpec[];
  /** Seed for accounts without `balances` (default {@link DEFAULT_BALANCES}). */
  defaultBalances?: Record<string, string>;
  /** Default of `EmulatorAccountSpec.payFeesInBnb` for every account (default false). */
  payFeesInBnb?: boolean;
  /** REQUEST_WEIGHT per IP per 1 MINUTE (default 6000). */
  weightLimitPerMinute?: number;
  /** ORDERS per account per 10 SECOND (default 50). */
  orderLimitPer10s?: number;
  /** 429 answers an IP may get within one minute before it is banned (HTTP 418, 2 minutes, doubling); default 20. */
  banAfter429s?: number;
  /** Fill slippage against the taker, bps (default 0; strategy-semantics.md §7). */
  slippageBps?: number;
  /** Listen port (default 0 = a free port) and host (default 127.0.0.1). */
  port?: number;
  host?: string;
  /**
   * Serve the test controls over HTTP too (`POST /emulator/test-controls`, docs/emulator.md "Test
   * controls"); default false. The {@link RunningEmulator} methods work either way.
   */
  testControls?: boolean;
}

/** Test controls of a running emulator (docs/emulator.md "Test controls"); every field is optional. */
export interface TestControls {
  /**
   * Hold the next `count` (default 1) `POST /api/v3/order` requests for `ms` before they are processed,
   * as a slow network would: the timing check (`-1021` when the request then arrives after
   * `timestamp + recvWindow`, rest-api.md "Timing security") and the matching engine run after the delay.
   */
  delayNextOrders?: { ms: number; count?: number };
  /** The next `count` (default 1) MARKET orders fill `fraction` of what was asked and end EXPIRED. */
  partialFillNext?: { fraction: string; count?: number };
  /** Shift the emulator clock by this many ms from its base (positive = ahead); replaces an earlier skew. */
  clockSkewMs?: number;
  /**
   * Set the emulator clock to this time (UTC ms, or an ISO-8601 time such as `2021-03-01T10:00:00Z`); it
   * runs on from there as before. Applied after `clockSkewMs`.
   */
  setClock?: number | string;
  /** Move the emulator clock forward by this many ms (≥ 0); applied after `setClock`. */
  advanceClockMs?: number;
  /**
   * Forget every account's orders, trades and balance changes: back to the starting balances, as a
   * testnet reset (testnet/general-info.md) or an emulator restart does.
   */
  resetState?: boolean;
}

/** A started emulator. */
export interface RunningEmulator {
  /** e.g. `http://127.0.0.1:43121` (no trailing slash). */
  baseUrl: string;
  /** Stops listening and closes every connection (keep-alive ones included). */
  close(): Promise<void>;
  /** The emulator clock, UTC ms. */
  now(): number;
  /**
   * Balances of an account with a non-zero free or locked amount, sorted by asset; decimals as the API
   * prints them (8 decimals, e.g. "0.00100000"). @throws Error for an unknown API key.
   */
  balances(apiKey: string): { asset: string; free: string; locked: string }[];
  /** Requests served and weight counted since start or the last {@link resetStats} (all IPs). */
  stats(): { requests: number; weight: number };
  resetStats(): void;
  /** The accounts' API keys (and HMAC secrets), e.g. to print the demo credentials. */
  readonly accounts: readonly { readonly apiKey: string; readonly secret?: string }[];
  /** Applies test controls (see {@link TestControls}). @throws EmulatorConfigError for a bad value. */
  control(c: TestControls): void;
  /** The clock's start day (YYYY-MM-DD) and the number of symbols TRADING then (replicas included). */
  readonly asOf: string;
  readonly tradingSymbols: number;
}

/** API key of the default demo account. */
export const DEMO_API_KEY = 'EmulatorDemoApiKey0000000000000000000000000000000000000000000001';
/** HMAC secret of the default demo account. */
export const DEMO_API_SECRET = 'EmulatorDemoSecret0000000000000000000000000000000000000000000001';
/** Testnet-like starting balances of an account without `balances` (testnet/general-info.md: virtual funds). */
export const DEFAULT_BALANCES: Readonly<Record<string, string>> = {
  USDT: '10000',
  BTC: '1',
  ETH: '10',
  BNB: '10',
};
/** Default REQUEST_WEIGHT per minute and ORDERS limits (the bundled exchangeInfo snapshot's `rateLimits`). */
export const DEFAULT_WEIGHT_LIMIT = 6000;
export const DEFAULT_ORDER_LIMIT_10S = 50;
export const ORDER_LIMIT_DAY = 160_000;
/** Default of `EmulatorOptions.banAfter429s`. */
export const DEFAULT_BAN_AFTER_429S = 20;

/** A bad option of {@link startEmulator} (the CLI exits 2 on it). */
export class EmulatorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulatorConfigError';
  }
}

const MAX_BODY = 1 << 20;

/** Path of the HTTP test controls (served only with `EmulatorOptions.testControls`). */
export const TEST_CONTROLS_PATH = '/emulator/test-controls';

const SIGNED_PARAMS: ParamSpecs = {
  timestamp: { kind: 'LONG', mandatory: true },
  recvWindow: { kind: 'RECV_WINDOW' },
  signature: { kind: 'STRING', mandatory: true },
};

function nonNegInt(name: string, v: number | undefined, def: number, min = 0): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v < min)
    throw new EmulatorConfigError(`${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

function fraction(name: string, v: string | undefined): ReturnType<typeof dec> {
  let d: ReturnType<typeof dec>;
  try {
    d = dec(v ?? '0.001');
  } catch {
    throw new EmulatorConfigError(`${name} must be a decimal fraction, got ${JSON.stringify(v)}`);
  }
  if (d.isNegative() || d.gte(1)) throw new EmulatorConfigError(`${name} must be in [0, 1), got ${v}`);
  return d;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () =>
      size > MAX_BODY
        ? reject(new ApiError(413, -1101, 'Too many parameters sent for this endpoint.'))
        : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

/**
 * Starts the emulator: loads the data (unless `dataset` is given), builds the market at the clock and
 * the accounts, and listens.
 * @returns the running emulator once it listens.
 * @throws EmulatorConfigError for a bad option (asOf not a day of the data, bad account, bad limit);
 *   DataError for a missing or corrupt data directory; the listen error (e.g. EADDRINUSE).
 */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const dataset = opts.dataset ?? (await loadDataset(opts.dataDir ?? fileURLToPath(BUNDLED_DATA_URL)));
  if (Number.isNaN(dataset.lastDayMs)) throw new EmulatorConfigError(`no daily candles in ${dataset.dir}`);
  let asOfMs = dataset.lastDayMs;
  if (opts.asOf !== undefined) {
    try {
      asOfMs = dayToMs(opts.asOf);
    } catch (err) {
      throw new EmulatorConfigError(`asOf: ${(err as Error).message}`);
    }
    if (asOfMs < dataset.firstDayMs || asOfMs > dataset.lastDayMs) {
      throw new EmulatorConfigError(
        `asOf ${opts.asOf} is outside the data (${msToDay(dataset.firstDayMs)} .. ${msToDay(dataset.lastDayMs)})`,
      );
    }
  }
  const rttMs = nonNegInt('rttMs', opts.rttMs, 0);
  const weightLimit = nonNegInt('weightLimitPerMinute', opts.weightLimitPerMinute, DEFAULT_WEIGHT_LIMIT, 1);
  const orderLimit10s = nonNegInt('orderLimitPer10s', opts.orderLimitPer10s, DEFAULT_ORDER_LIMIT_10S, 1);
  const bans = new IpBans(nonNegInt('banAfter429s', opts.banAfter429s, DEFAULT_BAN_AFTER_429S), 60_000);
  const symbolsWanted = nonNegInt('symbols', opts.symbols, 0);
  const slippageBps = opts.slippageBps ?? 0;
  if (!Number.isFinite(slippageBps) || slippageBps < 0) {
    throw new EmulatorConfigError(`slippageBps must be ≥ 0, got ${slippageBps}`);
  }

  const perf0 = performance.now();
  const baseNow: () => number = opts.now ?? (() => asOfMs + Math.floor(performance.now() - perf0));
  let skewMs = 0;
  const now = (): number => baseNow() + skewMs;
  const startMs = now();
  const hourly = await HourlyKlines.open(dataset.dir);
  const market = new EmulatorMarket(dataset, hourly, { symbols: symbolsWanted, startMs });
  const engine = new TradingEngine(market, now, slippageBps);

  const specs: EmulatorAccountSpec[] = opts.accounts ?? [{ apiKey: DEMO_API_KEY, secret: DEMO_API_SECRET }];
  const accounts = new Map<string, EmulatorAccount>();
  const makeAccounts = () =>
    specs.forEach((spec, i) => {
      if (!API_KEY_RE.test(spec.apiKey)) {
        throw new EmulatorConfigError(
          `accounts[${i}].apiKey must be 1-256 printable ASCII characters, no spaces`,
        );
      }
      if (accounts.has(spec.apiKey)) throw new EmulatorConfigError(`accounts[${i}].apiKey is a duplicate`);
      if (spec.secret === undefined && spec.ed25519PublicKeyPem === undefined) {
        throw new EmulatorConfigError(`accounts[${i}] needs a secret or an ed25519PublicKeyPem`);
      }
      let keys: SigningKeys = spec.secret !== undefined ? { secret: spec.secret } : {};
      if (spec.ed25519PublicKeyPem !== undefined) {
        try {
          keys = { ...keys, ed25519: ed25519PublicKey(spec.ed25519PublicKeyPem) };
        } catch (err) {
          throw new EmulatorConfigError(`accounts[${i}].ed25519PublicKeyPem: ${(err as Error).message}`);
        }
      }
      const balances = spec.balances ?? opts.defaultBalances ?? DEFAULT_BALANCES;
      for (const [asset, v] of Object.entries(balances)) {
        let ok = false;
        try {
          ok = !dec(v).isNegative();
        } catch {
          ok = false;
        }
        if (!ok)
          throw new EmulatorConfigError(`accounts[${i}] balance of ${asset} must be a decimal ≥ 0, got ${v}`);
      }
      accounts.set(
        spec.apiKey,
        new EmulatorAccount(
          {
            apiKey: spec.apiKey,
            keys,
            uid: 100_000_001 + i,
            balances,
            makerCommission: fraction(`accounts[${i}].makerCommission`, spec.makerCommission),
            takerCommission: fraction(`accounts[${i}].takerCommission`, spec.takerCommission),
            payFeesInBnb: spec.payFeesInBnb ?? opts.payFeesInBnb ?? false,
          },
          market,
          now,
          slippageBps,
        ),
      );
    });
  makeAccounts();
  let orderDelays: { ms: number; left: number } | null = null;
  const control = (c: TestControls): void => {
    if (c.delayNextOrders) {
      const ms = nonNegInt('delayNextOrders.ms', c.delayNextOrders.ms, 0);
      const left = nonNegInt('delayNextOrders.count', c.delayNextOrders.count, 1);
      orderDelays = ms > 0 && left > 0 ? { ms, left } : null;
    }
    if (c.partialFillNext) {
      try {
        engine.partialFillNext(c.partialFillNext.fraction, c.partialFillNext.count ?? 1);
      } catch (err) {
        throw new EmulatorConfigError((err as Error).message);
      }
    }
    if (c.clockSkewMs !== undefined) {
      if (!Number.isInteger(c.clockSkewMs)) {
        throw new EmulatorConfigError(`clockSkewMs must be an integer, got ${c.clockSkewMs}`);
      }
      skewMs = c.clockSkewMs;
    }
    if (c.setClock !== undefined) {
      const target = typeof c.setClock === 'string' ? Date.parse(c.setClock) : c.setClock;
      if (
        !Number.isSafeInteger(target) ||
        (typeof c.setClock === 'string' && !/Z$|[+-]\d\d:\d\d$/.test(c.setClock))
      ) {
        throw new EmulatorConfigError(
          `setClock must be UTC ms or an ISO-8601 time with a zone (e.g. 2021-03-01T10:00:00Z), got ${JSON.stringify(c.setClock)}`,
        );
      }
      skewMs = target - baseNow();
    }
    if (c.advanceClockMs !== undefined) {
      skewMs += nonNegInt('advanceClockMs', c.advanceClockMs, 0);
    }
    if (c.clockSkewMs !== undefined || c.setClock !== undefined || c.advanceClockMs !== undefined) {
      for (const a of accounts.values()) engine.sweep(a);
    }
    if (c.resetState) {
      accounts.clear();
      makeAccounts();
      orders10s.clear();
      ordersDay.clear();
    }
  };

  const weights = new WindowCounter(60_000);
  const orders10s = new WindowCounter(10_000);
  const ordersDay = new WindowCounter(86_400_000);
  const routes = new Map<string, Map<string, Endpoint>>();
  for (const ep of buildEndpoints({
    market,
    engine,
    weightLimit,
    orderLimit10s,
    orderLimitDay: ORDER_LIMIT_DAY,
    orders10s,
    ordersDay,
  })) {
    const m = routes.get(ep.path) ?? new Map<string, Endpoint>();
    m.set(ep.method, ep);
    routes.set(ep.path, m);
  }
  let requests = 0;
  let totalWeight = 0;

  const authenticate = (
    req: IncomingMessage,
    raw: ReadonlyMap<string, string>,
    rawQuery: string,
    rawBody: string,
    t: number,
  ): EmulatorAccount => {
    const key = req.headers['x-mbx-apikey'];
    if (typeof key !== 'string' || !API_KEY_RE.test(key)) throw Errors.badApiKeyFormat();
    const acct = accounts.get(key);
    if (!acct) throw Errors.rejectedKey();
    checkParams(raw, SIGNED_PARAMS);
    const p = new Params(raw);
    checkTiming(p.time('timestamp') as number, Number(raw.get('recvWindow') ?? 5000), t);
    if (!verifySignature(acct.keys, signaturePayload(rawQuery, rawBody), p.req('signature'))) {
      throw Errors.badSignature();
    }
    return acct;
  };

  /** `POST /emulator/test-controls` with a JSON {@link TestControls} body (only with `testControls`). */
  const handleControl = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let status = 200;
    let answer: unknown;
    try {
      control(JSON.parse((await readBody(req)) || '{}') as TestControls);
      answer = { ok: true, serverTime: now() };
    } catch (err) {
      status = 400;
      answer = { code: -1130, msg: `test controls: ${(err as Error).message}` };
    }
    const text = JSON.stringify(answer);
    res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8' });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (opts.testControls && req.method === 'POST' && req.url === TEST_CONTROLS_PATH) {
      await handleControl(req, res);
      return;
    }
    requests++;
    let t = now();
    const ip = req.socket.remoteAddress ?? 'unknown';
    const headers: Record<string, string> = {};
    let status = 200;
    let body: unknown;
    let ep: Endpoint | undefined;
    let acct: EmulatorAccount | undefined;
    let unit: TimeUnit = 'MILLISECOND';
    try {
      const url = req.url ?? '/';
      const qi = url.indexOf('?');
      const path = qi < 0 ? url : url.slice(0, qi);
      const rawQuery = qi < 0 ? '' : url.slice(qi + 1);
      const rawBody = await readBody(req);
      const byMethod = routes.get(path);
      if (!byMethod) throw Errors.notFound();
      ep = byMethod.get(req.method ?? 'GET');
      if (!ep) throw Errors.methodNotAllowed();
      const ctype = String(req.headers['content-type'] ?? '');
      const form =
        ep.method !== 'GET' && (ctype === '' || ctype.startsWith('application/x-www-form-urlencoded'));
      const bodyParams = form ? rawBody : '';
      if (ep.placesOrders && orderDelays) {
        const d = orderDelays;
        d.left -= 1;
        if (d.left <= 0) orderDelays = null;
        await new Promise((r) => setTimeout(r, d.ms));
        t = now(); // the request "arrives" now
      }
      const raw = mergeParams(rawQuery, bodyParams);
      const bannedUntil = bans.bannedUntil(ip, t);
      if (bannedUntil !== null) {
        throw Errors.ipBanned(bannedUntil, Math.max(1, Math.ceil((bannedUntil - t) / 1000)));
      }
      unit = timeUnitOf(req.headers['x-mbx-time-unit']);
      const w = ep.weight(raw.values);
      totalWeight += w;
      const used = weights.add(ip, w, t);
      if (used > weightLimit) throw Errors.tooMuchWeight(weightLimit, weights.retryAfterSec(t));
      if (raw.duplicate) throw Errors.duplicateParam();
      if (raw.malformed !== null) throw new ApiError(400, -1100, 'Illegal characters found in a parameter.');
      const known = new Set(Object.keys(ep.params));
      if (ep.signed) {
        acct = authenticate(req, raw.values, rawQuery, bodyParams, t);
        engine.sweep(acct); // resting stop orders the price path has triggered by now
        for (const k of Object.keys(SIGNED_PARAMS)) known.add(k);
      }
      checkParams(raw.values, ep.params);
      checkUnread(raw.values, known);
      body = await ep.handle({ params: new Params(raw.values), now: t, ...(acct ? { account: acct } : {}) });
      if (unit === 'MICROSECOND') body = toMicroseconds(body, path);
    } catch (err) {
      let e: ApiError;
      if (err instanceof ApiError) e = err;
      else {
        process.stderr.write(
          `emulator: internal error on ${req.method} ${req.url}: ${(err as Error).stack}\n`,
        );
        e = Errors.unknown();
      }
      status = e.status;
      body = e.body();
      if (status === 429) bans.rejectedOnce(ip, t);
      Object.assign(headers, e.headers);
    }
    const used = String(weights.used(ip, t));
    headers['X-MBX-USED-WEIGHT'] = used;
    headers['X-MBX-USED-WEIGHT-1M'] = used;
    if (ep?.placesOrders && acct) {
      headers['X-MBX-ORDER-COUNT-10S'] = String(orders10s.used(acct.apiKey, t));
      headers['X-MBX-ORDER-COUNT-1D'] = String(ordersDay.used(acct.apiKey, t));
    }
    if (rttMs > 0) await new Promise((r) => setTimeout(r, rttMs));
    if (res.destroyed || req.socket.destroyed) return; // the client (or close()) went away meanwhile
    const text = JSON.stringify(body ?? {});
    res.writeHead(status, {
      'Content-Type': 'application/json;charset=UTF-8',
      'Content-Length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  };

  const server = createServer((req, res) => {
    res.on('error', () => {}); // a client that hangs up mid-response is not the emulator's failure
    handle(req, res).catch((err: unknown) => {
      process.stderr.write(`emulator: failed to answer: ${(err as Error).stack}\n`);
      res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  return {
    baseUrl: `http://${urlHost}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    now,
    balances(apiKey: string) {
      const acct = accounts.get(apiKey);
      if (!acct) throw new Error(`unknown API key ${JSON.stringify(apiKey)}`);
      engine.sweep(acct);
      return acct.exchange
        .balancesSync()
        .map((b) => ({ asset: b.asset, free: fmt8(b.free), locked: fmt8(b.locked) }));
    },
    stats: () => ({ requests, weight: totalWeight }),
    resetStats() {
      requests = 0;
      totalWeight = 0;
    },
    accounts: specs.map((s) => ({
      apiKey: s.apiKey,
      ...(s.secret !== undefined ? { secret: s.secret } : {}),
    })),
    control,
    asOf: msToDay(startMs),
    tradingSymbols: market
      .listed(startMs)
      .filter((s) => s.quoteAsset === QUOTE_ASSET && market.status(s, startMs) === 'TRADING').length,
  };
}
