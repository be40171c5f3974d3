/**
 * The venue of the Binance adapter tests: the emulator on the bundled data with one HMAC account that holds
 * only USDT, on the test's clock, optionally behind the test fault proxy; and the BinanceExchange the
 * tests place orders through (testnet kind, BTCUSDT's rules BTC_RULES, a silent logger).
 */
import { afterAll, beforeAll } from 'vitest';
import { BinanceExchange } from '../../src/adapters/binance/binance-exchange.ts';
import type { BinanceRest, BinanceRestOptions } from '../../src/adapters/binance/binance-rest.ts';
import { type Dataset, loadDataset } from '../../src/adapters/data/bundled-dataset.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { BUNDLED_DATA_DIR } from '../../src/compose/settings.ts';
import { type RunningEmulator, startEmulator } from '../../src/emulator/server.ts';
import { BTC_RULES } from './btc-rules.ts';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import { openTestRest } from './test-rest.ts';

/** A silent JSON logger, as the adapter tests pass it. */
export const silentLogger = createLogger('silent', 'json');

let bundled: Promise<Dataset> | undefined;
/** The bundled data, loaded once per test file (a `beforeAll` may load it ahead of the first venue). */
export function venueDataset(): Promise<Dataset> {
  bundled ??= loadDataset(BUNDLED_DATA_DIR);
  return bundled;
}

/** The account and the clock of a {@link UsdtVenue}. */
export interface UsdtVenueOptions {
  /** The emulator clock (UTC ms). */
  readonly now: () => number;
  readonly apiKey: string;
  /** The account's HMAC secret. */
  readonly secret: string;
  /** The account's only balance, in USDT. */
  readonly usdt: string;
  /** Put the test fault proxy in front of the emulator (the client then talks to the proxy). */
  readonly proxied?: boolean;
}

/** A running venue; {@link UsdtVenue.close} stops the proxy and the emulator. */
export interface UsdtVenue {
  readonly emu: RunningEmulator;
  /** The fault proxy in front of the emulator, when `proxied`. */
  readonly proxy: FaultProxy | undefined;
  /** The account's free USDT on the emulator (8 decimals), undefined without a USDT balance. */
  usdt(): string | undefined;
  /** `openTestRest` to the venue (through the proxy when there is one) with the account's key and `over`. */
  rest(over?: Partial<BinanceRestOptions>): Promise<BinanceRest>;
  close(): Promise<void>;
}

/**
 * Starts the emulator on the bundled data (loaded once per test file) with the account of `opts`, and the
 * fault proxy in front of it when `opts.proxied`.
 */
export async function startUsdtVenue(opts: UsdtVenueOptions): Promise<UsdtVenue> {
  const { apiKey, secret } = opts;
  const emu = await startEmulator({
    dataset: await venueDataset(),
    now: opts.now,
    accounts: [{ apiKey, secret, balances: { USDT: opts.usdt } }],
  });
  const proxy = opts.proxied ? await startFaultProxy(emu.baseUrl) : undefined;
  return {
    emu,
    proxy,
    usdt: () => emu.balances(apiKey).find((b) => b.asset === 'USDT')?.free,
    rest: (over = {}) =>
      openTestRest(
        proxy?.baseUrl ?? emu.baseUrl,
        { apiKey, apiSecret: secret },
        { logger: silentLogger, ...over },
      ),
    close: async () => {
      await proxy?.close();
      await emu.close();
    },
  };
}

/**
 * Registers, in the enclosing `describe`, a `beforeAll` that starts a venue with `opts` and an `afterAll`
 * that closes it. Call the returned function (in a test or a later hook) for the venue.
 */
export function useUsdtVenue(opts: UsdtVenueOptions): () => UsdtVenue {
  let venue: UsdtVenue | undefined;
  beforeAll(async () => {
    venue = await startUsdtVenue(opts);
  });
  afterAll(async () => {
    await venue?.close();
  });
  return () => {
    if (!venue) throw new Error('the venue starts in beforeAll: use it in a test or a later hook');
    return venue;
  };
}

/**
 * A venue per test: registers, in the enclosing `describe`, a `beforeAll` that loads the bundled data and an
 * `afterAll` that closes the last venue. The returned function closes the previous venue and starts a fresh
 * one with `opts`.
 */
export function useFreshUsdtVenues(): (opts: UsdtVenueOptions) => Promise<UsdtVenue> {
  let venue: UsdtVenue | undefined;
  beforeAll(async () => {
    await venueDataset();
  });
  afterAll(async () => {
    await venue?.close();
  });
  return async (opts) => {
    await venue?.close();
    venue = await startUsdtVenue(opts);
    return venue;
  };
}

/** The BinanceExchange over `rest` as the adapter tests build it: testnet, BTC_RULES, a silent logger. */
export function testExchange(rest: BinanceRest): BinanceExchange {
  return new BinanceExchange({ rest, kind: 'testnet', rules: () => BTC_RULES, logger: silentLogger });
}

/** A MARKET BUY of BTCUSDT for `quoteOrderQty` USDT (default 100) as `clientOrderId`. */
export function buyBtc(ex: BinanceExchange, clientOrderId: string, quoteOrderQty = '100') {
  return ex.placeMarketOrder({ symbol: 'BTCUSDT', side: 'BUY', clientOrderId, quoteOrderQty });
}
