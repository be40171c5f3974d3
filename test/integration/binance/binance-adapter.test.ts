/**
 * The Binance adapter (BinanceRest, BinanceMarketData, BinanceExchange) through binance-api-node over
 * real HTTP to the local emulator: Ed25519 keys, clock-offset recovery from -1021, read timeouts, the
 * kline cache fetched incrementally, listing ages, tickers, and MARKET orders with their fills.
 * Expected candle values are the bundled data's (data/binance/klines-1d/BTCUSDT.csv.gz).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceExchange } from '../../../src/adapters/binance/binance-exchange.ts';
import { BinanceMarketData } from '../../../src/adapters/binance/binance-market-data.ts';
import type { BinanceRest, BinanceRestOptions } from '../../../src/adapters/binance/binance-rest.ts';
import { ExchangeError } from '../../../src/adapters/binance/errors.ts';
import { type Dataset, loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { openLedger } from '../../../src/adapters/postgres/connect.ts';
import { PostgresMarketCache } from '../../../src/adapters/postgres/market-cache.ts';
import type { PostgresLedger } from '../../../src/adapters/postgres/postgres-ledger.ts';
import { createLogger } from '../../../src/cli/logger.ts';
import { BUNDLED_DATA_DIR } from '../../../src/compose/settings.ts';
import { DAY_MS, dayToMs } from '../../../src/domain/time.ts';
import { type RunningEmulator, startEmulator } from '../../../src/emulator/server.ts';
import { runningClock } from '../../support/running-clock.ts';
import { openTestRest } from '../../support/test-rest.ts';
import { buyBtc } from '../../support/usdt-venue.ts';

const logger = createLogger('silent', 'json');
const SECRET = 'adapter-secret';
const ed = generateKeyPairSync('ed25519');
const ED_PUBLIC = ed.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ED_PRIVATE = ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('Binance adapter against the emulator', () => {
  let dataset: Dataset;
  let emu: RunningEmulator;
  let slow: RunningEmulator;
  let dir: string;
  let ledger: PostgresLedger;
  const clock = runningClock();
  const setClock = clock.set;

  beforeAll(async () => {
    dataset = await loadDataset(BUNDLED_DATA_DIR);
    setClock('2021-03-01', 30_000);
    const accounts = [
      { apiKey: 'hmac', secret: SECRET, balances: { USDT: '1000' } },
      { apiKey: 'ed', ed25519PublicKeyPem: ED_PUBLIC, balances: { USDT: '1000' } },
    ];
    emu = await startEmulator({ dataset, now: clock.now, accounts });
    slow = await startEmulator({ dataset, now: clock.now, accounts, rttMs: 400 });
    dir = mkdtempSync(path.join(os.tmpdir(), 'adapter-'));
    ledger = await openLedger({ dataDir: path.join(dir, 'pglite'), logger });
    await ledger.migrate();
  });
  afterAll(async () => {
    await ledger?.close();
    await emu?.close();
    await slow?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Market data over `r` for USDT pairs (31 days of history, 4 requests at once), cached in the ledger as `source`. */
  const marketData = (r: BinanceRest, source: string) =>
    new BinanceMarketData({
      rest: r,
      cache: new PostgresMarketCache(ledger.db),
      source,
      quoteAsset: 'USDT',
      minHistoryDays: 31,
      concurrency: 4,
      logger,
    });

  const rest = (over: Partial<BinanceRestOptions> = {}) =>
    openTestRest(emu.baseUrl, { apiKey: 'hmac', apiSecret: SECRET }, { logger, ...over });

  it('signs with an Ed25519 private key (BINANCE_PRIVATE_KEY_PATH) through the client library', async () => {
    const r = await rest({ credentials: { apiKey: 'ed', privateKeyPem: ED_PRIVATE } });
    await r.syncTime();
    const account = await r.account();
    expect(account.balances.find((b) => b.asset === 'USDT')?.free).toMatch(/^1000(\.0+)?$/);
  });

  it('recovers from -1021: the first signed request fails on the clock, the offset is measured, the retry passes', async () => {
    // The emulator's clock is 2021; the local clock is now: without a sync every timestamp is "in the future".
    const r = await rest();
    const account = await r.account();
    expect(account.canTrade).toBe(true);
    expect(Math.abs(r.now() - emu.now())).toBeLessThan(1000);
  });

  it('a read that does not answer within the timeout is retried, then fails as retryable naming the endpoint', async () => {
    const r = await rest({ baseUrl: slow.baseUrl, timeoutMs: 150, retries: 1 });
    const err = await r.tickerPrices().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExchangeError);
    expect((err as ExchangeError).kind).toBe('retryable');
    expect((err as ExchangeError).message).toMatch(
      /^GET \/api\/v3\/ticker\/price: gave up after 2 attempts: no response within 150 ms/,
    );
  });

  it('an IP ban (HTTP 418, -1003 "IP banned until …"): a terminal error naming the endpoint, not retried', async () => {
    // Another client on this IP ignored the 429s of an emulator that tolerates none: 127.0.0.1 is banned.
    const strict = await startEmulator({
      dataset,
      now: clock.now,
      weightLimitPerMinute: 1,
      banAfter429s: 0,
      accounts: [],
    });
    try {
      for (let i = 0; i < 3; i++) await fetch(`${strict.baseUrl}/api/v3/ping`);
      const r = await rest({ baseUrl: strict.baseUrl, credentials: null });
      const before = strict.stats().requests;
      const err = await r.tickerPrices().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExchangeError);
      expect((err as ExchangeError).kind).toBe('banned');
      expect((err as ExchangeError).message).toMatch(/GET \/api\/v3\/ticker\/price: .*-1003 .*IP banned/);
      expect(strict.stats().requests - before).toBe(1);
    } finally {
      await strict.close();
    }
  });

  it('klines are cached: a second call fetches nothing, the next day fetches one candle per symbol', async () => {
    setClock('2021-03-01', 30_000);
    const r = await rest();
    const md = () => marketData(r, 'emulator-test');
    const D = dayToMs('2021-03-01');
    const from = D - 8 * DAY_MS;
    const a = md();
    const [btc, eth] = await Promise.all([
      a.dailyCandles('BTCUSDT', from, D),
      a.dailyCandles('ETHUSDT', from, D),
    ]);
    expect(a.klineRequests()).toBe(2);
    // The unfinished candle of D is never served: the window ends at D-1.
    expect(btc.map((c) => c.openTime)).toEqual(Array.from({ length: 8 }, (_, i) => from + i * DAY_MS));
    const want = dataset.candlesBetween('BTCUSDT', from, D - DAY_MS);
    expect(btc.map((c) => [c.openTime, Number(c.close)])).toEqual(
      want.map((c) => [c.openTime, Number(c.close)]),
    );
    expect(eth).toHaveLength(8);
    // A full 31-candle answer proves BTC was listed at least 30 days before D-1.
    const seg = await a.segmentInfo('BTCUSDT');
    expect(seg.firstOpenTime).toBeLessThanOrEqual(D - 31 * DAY_MS);

    const b = md();
    await Promise.all([b.dailyCandles('BTCUSDT', from, D), b.dailyCandles('ETHUSDT', from, D)]);
    expect(b.klineRequests()).toBe(0);

    setClock('2021-03-02', 30_000);
    const r2 = await rest();
    const c = marketData(r2, 'emulator-test');
    const D2 = D + DAY_MS;
    const btc2 = await c.dailyCandles('BTCUSDT', D2 - 8 * DAY_MS, D2);
    expect(c.klineRequests()).toBe(1);
    expect(btc2.at(-1)?.openTime).toBe(D);
    expect(r2.stats().weight).toBe(20 + 2); // exchangeInfo (its serverTime gives the day) + one klines
  });

  it('exchangeInfo rules, last prices and 24h statistics', async () => {
    setClock('2021-03-01', 30_000);
    const r = await rest();
    const md = marketData(r, 'emulator-test-2');
    const symbols = await md.symbols();
    expect(symbols.every((s) => s.quoteAsset === 'USDT')).toBe(true);
    expect(symbols.find((s) => s.symbol === 'BTCUSDT')?.status).toBe('TRADING');
    const rules = await md.symbolRules('BTCUSDT');
    // exchangeInfo 2023-09-08 snapshot: BTCUSDT LOT_SIZE stepSize 0.00001, NOTIONAL minNotional 5.
    expect(Number(rules.stepSize)).toBe(0.00001);
    expect(Number(rules.minNotional)).toBe(5);
    const prices = await md.currentPrices();
    const open = dataset.candlesBetween('BTCUSDT', dayToMs('2021-03-01'), dayToMs('2021-03-01'))[0]?.open;
    expect(Number(prices.get('BTCUSDT'))).toBe(Number(open));
    const stats = await md.ticker24h();
    expect(Number(stats.get('BTCUSDT')?.lastPrice)).toBe(Number(open));
  });

  it('MARKET orders: SELL quantity floored to the stepSize; a filter failure comes back with its code', async () => {
    setClock('2021-03-01', 30_000);
    const r = await rest();
    await r.syncTime();
    const md = marketData(r, 'emulator-test-3');
    const rules = await md.symbolRules('BTCUSDT');
    const ex = new BinanceExchange({ rest: r, kind: 'testnet', rules: () => rules, logger });
    const buy = await buyBtc(ex, 'ad-buy-1');
    expect(buy.status).toBe('FILLED');
    if (buy.status === 'REJECTED') throw new Error('unreachable');
    expect(buy.fills[0]?.commissionAsset).toBe('BTC');
    // Held: q − q × 0.001 BTC, with more decimals than the step (0.00001): the SELL is floored first.
    const held = (await ex.balances()).find((b) => b.asset === 'BTC')?.free as string;
    const sell = await ex.placeMarketOrder({
      symbol: 'BTCUSDT',
      side: 'SELL',
      clientOrderId: 'ad-sell-1',
      quantity: held,
    });
    expect(sell.status).toBe('FILLED');
    if (sell.status === 'REJECTED') throw new Error('unreachable');
    expect(Number(sell.executedQty)).toBeLessThanOrEqual(Number(held));
    expect(Number(sell.executedQty) / 0.00001).toBeCloseTo(Math.round(Number(sell.executedQty) / 0.00001), 9);
    const tiny = await buyBtc(ex, 'ad-buy-2', '1');
    expect(tiny).toMatchObject({
      status: 'REJECTED',
      code: -1013,
      reason: 'min_notional',
      message: 'Filter failure: NOTIONAL',
    });
    // Looked up by clientOrderId (how an unknown outcome is resolved): the original order and its fill.
    // (Sending the id again would be a new order: Binance keeps clientOrderIds unique among open orders
    // only, rest-api.md "New order"; the ledger's PENDING record is what prevents a second send.)
    const found = await ex.queryOrder('BTCUSDT', 'ad-buy-1');
    expect(found).toMatchObject({ status: 'FILLED', exchangeOrderId: buy.exchangeOrderId });
    if (found?.status !== 'FILLED') throw new Error('unreachable');
    expect(found.fills).toEqual(buy.fills.map((f) => expect.objectContaining({ quantity: f.quantity })));
    expect(await ex.queryOrder('BTCUSDT', 'never-sent')).toBeNull();
  });
});
