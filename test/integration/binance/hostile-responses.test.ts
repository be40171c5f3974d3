/**
 * Validate what the exchange says (issue 14 item 2, adapter side): binance-api-node → HTTP → the test
 * fault proxy (test/support/fault-proxy.ts, which rewrites chosen response bodies as a broken exchange
 * or proxy would) → the emulator. Each case reproduces a response the probe saw accepted silently:
 * a FILLED order with executedQty "0", a cummulativeQuoteQty that does not match the fills, fills whose
 * quantities do not add up to executedQty (also through GET /api/v3/order + myTrades), a ticker price of
 * "0", an empty ticker list, and a daily candle with a close of 0. Each must be an ExchangeError of kind
 * invalid_response naming the endpoint, the symbol and the field. Also a partial fill (the emulator's
 * test control: EXPIRED with half filled) comes back as EXPIRED with its fill, not as FILLED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BinanceExchange } from '../../../src/adapters/binance/binance-exchange.ts';
import { BinanceMarketData } from '../../../src/adapters/binance/binance-market-data.ts';
import type { BinanceRest } from '../../../src/adapters/binance/binance-rest.ts';
import { ExchangeError } from '../../../src/adapters/binance/errors.ts';
import { openLedger } from '../../../src/adapters/postgres/connect.ts';
import { PostgresMarketCache } from '../../../src/adapters/postgres/market-cache.ts';
import type { PostgresLedger } from '../../../src/adapters/postgres/postgres-ledger.ts';
import { dec } from '../../../src/domain/decimal.ts';
import { DAY_MS, dayToMs } from '../../../src/domain/time.ts';
import type { FaultProxy } from '../../support/fault-proxy.ts';
import { runningClock } from '../../support/running-clock.ts';
import { buyBtc, silentLogger, testExchange, useUsdtVenue } from '../../support/usdt-venue.ts';

const logger = silentLogger;
const SECRET = 'hostile-secret';
const KEY = 'hostile';

/** JSON body rewrite of one endpoint's successful answers. */
const rewrite = (method: string, path: string, edit: (json: never) => unknown) => (m: string, p: string) =>
  m === method && p === path
    ? {
        respond: (up: { status: number; body: string }) => ({
          status: up.status,
          body: up.status === 200 ? JSON.stringify(edit(JSON.parse(up.body) as never)) : up.body,
        }),
      }
    : null;

interface Order {
  status: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  fills: { qty: string; price: string }[];
}

describe('hostile exchange responses are errors naming the endpoint, the symbol and the field', () => {
  const venue = useUsdtVenue({
    now: runningClock('2021-03-01', 30_000).now,
    apiKey: KEY,
    secret: SECRET,
    usdt: '100000',
    proxied: true,
  });
  let proxy: FaultProxy;
  let rest: BinanceRest;
  let ex: BinanceExchange;
  let ledger: PostgresLedger;
  let n = 0;

  beforeAll(async () => {
    proxy = venue().proxy as FaultProxy;
    rest = await venue().rest({ retries: 1 });
    await rest.syncTime();
    ex = testExchange(rest);
    ledger = await openLedger({ dataDir: ':memory:', logger });
    await ledger.migrate();
  });
  afterAll(async () => {
    await ledger?.close();
  });

  const buy = () => buyBtc(ex, `h-${++n}`);
  const failure = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExchangeError);
    expect((err as ExchangeError).kind).toBe('invalid_response');
    return (err as ExchangeError).message;
  };

  it('POST /api/v3/order: FILLED with executedQty "0"', async () => {
    proxy.setRule(
      rewrite('POST', '/api/v3/order', (o: Order) => ({ ...o, executedQty: '0.00000000', fills: [] })),
    );
    expect(await failure(buy())).toMatch(
      /^POST \/api\/v3\/order BTCUSDT: invalid response: field executedQty: status FILLED with executedQty 0/,
    );
  });

  it('POST /api/v3/order: cummulativeQuoteQty off the fills by 0.01 (more than the 8-decimal rounding)', async () => {
    proxy.setRule(
      rewrite('POST', '/api/v3/order', (o: Order) => ({
        ...o,
        cummulativeQuoteQty: dec(o.cummulativeQuoteQty).plus('0.01').toFixed(8),
      })),
    );
    expect(await failure(buy())).toMatch(/^POST \/api\/v3\/order BTCUSDT: .*field cummulativeQuoteQty: /);
  });

  it('POST /api/v3/order: a rounding of the 8th decimal (1e-8) is tolerated', async () => {
    proxy.setRule(
      rewrite('POST', '/api/v3/order', (o: Order) => ({
        ...o,
        cummulativeQuoteQty: dec(o.cummulativeQuoteQty).plus('0.00000001').toFixed(8),
      })),
    );
    expect((await buy()).status).toBe('FILLED');
  });

  it('POST /api/v3/order: fills whose qty add up to less than executedQty', async () => {
    proxy.setRule(
      rewrite('POST', '/api/v3/order', (o: Order) => ({
        ...o,
        fills: o.fills.map((f) => ({ ...f, qty: dec(f.qty).div(2).toFixed(8) })),
      })),
    );
    expect(await failure(buy())).toMatch(/^POST \/api\/v3\/order BTCUSDT: .*field fills\[\]\.qty: /);
  });

  it('GET /api/v3/order + myTrades (resolving an order): trades that do not add up to executedQty', async () => {
    proxy.setRule(null);
    const placed = await buy();
    expect(placed.status).toBe('FILLED');
    proxy.setRule(
      rewrite('GET', '/api/v3/myTrades', (ts: { qty: string }[]) =>
        ts.map((t) => ({ ...t, qty: dec(t.qty).plus(1).toFixed(8) })),
      ),
    );
    expect(await failure(ex.queryOrder('BTCUSDT', placed.clientOrderId))).toMatch(
      /^GET \/api\/v3\/order BTCUSDT: .*field myTrades\[\]\.qty: /,
    );
  });

  const marketData = () =>
    new BinanceMarketData({
      rest,
      cache: new PostgresMarketCache(ledger.db),
      source: `hostile-${++n}`,
      quoteAsset: 'USDT',
      minHistoryDays: 31,
      concurrency: 2,
      logger,
    });

  it('GET /api/v3/ticker/price: a price of "0" for a TRADING symbol', async () => {
    proxy.setRule(
      rewrite('GET', '/api/v3/ticker/price', (rows: { symbol: string; price: string }[]) =>
        rows.map((r) => (r.symbol === 'BTCUSDT' ? { ...r, price: '0.00000000' } : r)),
      ),
    );
    // Required (a symbol the run trades): an error naming endpoint, symbol and field.
    expect(await failure(marketData().currentPrices(['BTCUSDT']))).toBe(
      'GET /api/v3/ticker/price BTCUSDT: invalid response: field price: "0.00000000" is not a positive price; nothing further is sent',
    );
    // Not required: returned as it is, so the use case refuses it inside its run (recorded failed,
    // test/e2e/testnet-emulator.test.ts "validate what the exchange says").
    expect((await marketData().currentPrices()).get('BTCUSDT')).toBe('0.00000000');
  });

  it('GET /api/v3/ticker/price: an empty list when BTCUSDT is required', async () => {
    proxy.setRule(rewrite('GET', '/api/v3/ticker/price', () => []));
    expect(await failure(marketData().currentPrices(['BTCUSDT']))).toMatch(
      /^GET \/api\/v3\/ticker\/price BTCUSDT: invalid response: field symbol: no price for BTCUSDT in a list of 0/,
    );
  });

  it('GET /api/v3/klines: a daily candle with a close of 0', async () => {
    proxy.setRule(
      rewrite('GET', '/api/v3/klines', (rows: unknown[][]) =>
        rows.map((r, i) => (i === 2 ? [...r.slice(0, 4), '0.00000000', ...r.slice(5)] : r)),
      ),
    );
    const D = dayToMs('2021-03-01');
    const msg = await failure(marketData().dailyCandles('BTCUSDT', D - 8 * DAY_MS, D));
    expect(msg).toMatch(
      /^GET \/api\/v3\/klines BTCUSDT: invalid response: field \[2\]\.close \(openTime \d{4}-\d\d-\d\d\): "0.00000000" is not a positive price/,
    );
  });

  it('a partial fill (emulator control: EXPIRED with half filled) is reported as EXPIRED with its one fill', async () => {
    proxy.setRule(null);
    venue().emu.control({ partialFillNext: { fraction: '0.5' } });
    const out = await buy();
    if (out.status === 'REJECTED') throw new Error(out.message);
    expect(out.status).toBe('EXPIRED');
    // Half of quoteOrderQty 100 was executed: the quote spent is ≤ 50 and within one price step of it.
    expect(dec(out.cummulativeQuoteQty).lte(50)).toBe(true);
    expect(dec(out.cummulativeQuoteQty).gt(49)).toBe(true);
    expect(out.fills).toHaveLength(1);
    expect(out.fills[0]?.quantity).toBe(dec(out.executedQty).toFixed());
  });
});
