/**
 * Parameter validation and order rejections, each with the code and exact message of
 * /work/shared/spec/binance/errors.md (templates filled with the parameter name) and the HTTP status of
 * rest-api.md "HTTP Return Codes" (4XX). Filter examples are computed by hand from the bundled
 * exchangeInfo snapshot 2023-09-08 (BTCUSDT: LOT_SIZE minQty/stepSize 0.00001, maxQty 9000;
 * MARKET_LOT_SIZE maxQty 168.82682004; PRICE_FILTER tickSize 0.01; NOTIONAL minNotional 5) and the
 * BTCUSDT open of 2021-01-02 (29331.7, data/binance/klines-1d/BTCUSDT.csv.gz).
 */
import { describe, expect, it } from 'vitest';
import { Dataset } from '../../src/adapters/data/bundled-dataset.ts';
import type { ExchangeInfoSnapshot } from '../../src/adapters/data/exchange-info.ts';
import { BundledMarketCaps } from '../../src/adapters/marketcap/bundled-snapshots.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import { at, bundledDataset, type Creds, manualClock, pub, signed, useBundledEmulator } from './support.ts';

const creds: Creds = { apiKey: 'validation-key', secret: 'validation-secret' };
const clock = manualClock(at('2021-01-02T00:00:05Z'));
const order = (params: Record<string, string | number>) =>
  signed(emu().baseUrl, clock.now, creds, 'POST', '/api/v3/order', params);
const market = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET' };
const gtcBuy = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC' };

const emu = useBundledEmulator({
  now: clock.now,
  accounts: [{ ...creds, balances: { USDT: '1000', BTC: '1' } }],
});

const err = (code: number, msg: string) => ({ code, msg });

describe('request validation (errors.md §11xx)', () => {
  it('-1104 unknown parameter, counted as read/sent', async () => {
    const r = await pub(emu().baseUrl, '/api/v3/ping', { foo: 1 });
    expect(r.status).toBe(400);
    expect(r.body).toEqual(
      err(-1104, "Not all sent parameters were read; read '0' parameter(s) but was sent '1'."),
    );
    const k = await pub(emu().baseUrl, '/api/v3/klines', { symbol: 'BTCUSDT', interval: '1d', bogus: 'x' });
    expect(k.body).toEqual(
      err(-1104, "Not all sent parameters were read; read '2' parameter(s) but was sent '3'."),
    );
  });

  it('-1102 mandatory parameter missing or empty', async () => {
    const r = await pub(emu().baseUrl, '/api/v3/klines', { interval: '1d' });
    expect(r.body).toEqual(
      err(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."),
    );
    const e = await pub(emu().baseUrl, '/api/v3/klines', { symbol: '', interval: '1d' });
    expect(e.body).toEqual(
      err(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."),
    );
    const m = await order({ ...market });
    expect(m.body).toEqual(
      err(-1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!"),
    );
    const l = await order({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.001',
      price: '20000',
    });
    expect(l.body).toEqual(
      err(-1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed."),
    );
    const q = await signed(emu().baseUrl, clock.now, creds, 'GET', '/api/v3/order', { symbol: 'BTCUSDT' });
    expect(q.body).toEqual(
      err(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"),
    );
  });

  it('-1105 optional parameter empty, -1118 empty newClientOrderId', async () => {
    const r = await pub(emu().baseUrl, '/api/v3/exchangeInfo', { symbol: '' });
    expect(r.body).toEqual(err(-1105, "Parameter 'symbol' was empty."));
    const c = await order({ ...market, quoteOrderQty: '10', newClientOrderId: '' });
    expect(c.body).toEqual(err(-1118, 'New client order ID was empty.'));
  });

  it('-1100 illegal characters, with the legal range', async () => {
    const r = await pub(emu().baseUrl, '/api/v3/klines', { symbol: 'btcusdt', interval: '1d' });
    expect(r.body).toEqual(
      err(-1100, "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'."),
    );
    const q = await order({ ...market, quantity: '1e-3' });
    expect(q.body).toEqual(
      err(
        -1100,
        "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
      ),
    );
    const c = await order({ ...market, quoteOrderQty: '10', newClientOrderId: 'has space' });
    expect(c.body).toEqual(
      err(
        -1100,
        "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
      ),
    );
    const long = await order({ ...market, quoteOrderQty: '10', newClientOrderId: 'x'.repeat(37) });
    expect(long.body.code).toBe(-1100);
  });

  it('-1101 a parameter sent twice', async () => {
    const r = await fetch(`${emu().baseUrl}/api/v3/klines?symbol=BTCUSDT&symbol=ETHUSDT&interval=1d`);
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual(err(-1101, 'Duplicate values for a parameter detected.'));
  });

  it('-1106 parameters not required by a MARKET order', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ timeInForce: 'GTC' }, "Parameter 'timeInForce' sent when not required."],
      [{ price: '1' }, "Parameter 'price' sent when not required."],
      [{ quantity: '0.001' }, "Parameter 'quoteOrderQty' sent when not required."],
    ];
    for (const [extra, msg] of cases) {
      expect((await order({ ...market, quoteOrderQty: '10', ...extra })).body).toEqual(err(-1106, msg));
    }
  });

  it('-1111 too much precision (more than 8 decimals)', async () => {
    expect((await order({ ...market, quantity: '0.000000001' })).body).toEqual(
      err(-1111, "Parameter 'quantity' has too much precision."),
    );
  });

  it('bad enums: -1116 type, -1117 side, -1115 timeInForce, -1120 interval, -1139 ticker type, -1122 symbolStatus', async () => {
    expect((await order({ ...market, type: 'FOO', quantity: '1' })).body).toEqual(
      err(-1116, 'Invalid orderType.'),
    );
    expect((await order({ ...market, side: 'HOLD', quantity: '1' })).body).toEqual(
      err(-1117, 'Invalid side.'),
    );
    expect(
      (
        await order({
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'DAY',
          quantity: '1',
          price: '1',
        })
      ).body,
    ).toEqual(err(-1115, 'Invalid timeInForce.'));
    expect((await pub(emu().baseUrl, '/api/v3/klines', { symbol: 'BTCUSDT', interval: '2d' })).body).toEqual(
      err(-1120, 'Invalid interval.'),
    );
    expect(
      (await pub(emu().baseUrl, '/api/v3/ticker/24hr', { symbol: 'BTCUSDT', type: 'TINY' })).body,
    ).toEqual(err(-1139, 'Invalid ticker type.'));
    expect((await pub(emu().baseUrl, '/api/v3/exchangeInfo', { symbolStatus: 'OPEN' })).body).toEqual(
      err(-1122, 'Invalid symbolStatus.'),
    );
  });

  it('-1121 invalid symbol: unknown, or not listed yet at the clock (CELOUSDT lists 2021-01-05)', async () => {
    expect((await pub(emu().baseUrl, '/api/v3/ticker/price', { symbol: 'NOPEUSDT' })).body).toEqual(
      err(-1121, 'Invalid symbol.'),
    );
    expect((await pub(emu().baseUrl, '/api/v3/klines', { symbol: 'CELOUSDT', interval: '1d' })).body).toEqual(
      err(-1121, 'Invalid symbol.'),
    );
    expect((await order({ ...market, symbol: 'NOPEUSDT', quantity: '1' })).body).toEqual(
      err(-1121, 'Invalid symbol.'),
    );
  });

  it('-1102 limit above its maximum; -1128 symbol with symbols', async () => {
    expect(
      (await pub(emu().baseUrl, '/api/v3/klines', { symbol: 'BTCUSDT', interval: '1d', limit: 1001 })).body,
    ).toEqual(err(-1102, "'limit' contains unexpected value. Cannot be greater than 1000."));
    expect(
      (await pub(emu().baseUrl, '/api/v3/ticker/price', { symbol: 'BTCUSDT', symbols: '["ETHUSDT"]' })).body,
    ).toEqual(err(-1128, 'Combination of optional parameters invalid.'));
    expect(
      (await pub(emu().baseUrl, '/api/v3/ticker/price', { symbols: '["BTCUSDT","BTCUSDT"]' })).body,
    ).toEqual(err(-1151, 'Symbol is present multiple times in the list.'));
  });

  it('unknown path: HTTP 404 with a JSON error; known path, other method: 405', async () => {
    const r = await fetch(`${emu().baseUrl}/api/v3/nope`);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(await r.json()).toEqual(err(-1020, 'This operation is not supported.'));
    const m = await fetch(`${emu().baseUrl}/api/v3/ping`, { method: 'POST' });
    expect(m.status).toBe(405);
  });
});

describe('filters (filters.md; errors.md "Filter failures"), hand-computed for BTCUSDT', () => {
  it('quantity 0.000001 is not a multiple of stepSize 0.00001 and below minQty → LOT_SIZE', async () => {
    const r = await order({ ...market, quantity: '0.000001' });
    expect(r.status).toBe(400);
    expect(r.body).toEqual(err(-1013, 'Filter failure: LOT_SIZE'));
    expect((await order({ ...market, quantity: '0.000015' })).body).toEqual(
      err(-1013, 'Filter failure: LOT_SIZE'),
    );
  });

  it('quantity 200 exceeds MARKET_LOT_SIZE maxQty 168.82682004 (LOT_SIZE maxQty 9000 passes) → MARKET_LOT_SIZE', async () => {
    expect((await order({ ...market, side: 'SELL', quantity: '200' })).body).toEqual(
      err(-1013, 'Filter failure: MARKET_LOT_SIZE'),
    );
  });

  it('quoteOrderQty 4: q = floor_step(4 / 29331.7) = 0.00013, 0.00013 × 29331.7 = 3.813121 < 5 → NOTIONAL', async () => {
    expect((await order({ ...market, quoteOrderQty: '4' })).body).toEqual(
      err(-1013, 'Filter failure: NOTIONAL'),
    );
    // quantity 0.0001: 2.93317 < 5
    expect((await order({ ...market, quantity: '0.0001' })).body).toEqual(
      err(-1013, 'Filter failure: NOTIONAL'),
    );
  });

  it('LIMIT price 20000.001 is not a multiple of tickSize 0.01 → PRICE_FILTER; price × qty 20000 × 0.0002 = 4 < 5 → NOTIONAL', async () => {
    const cases: [string, string, string][] = [
      ['0.001', '20000.001', 'Filter failure: PRICE_FILTER'],
      ['0.0002', '20000', 'Filter failure: NOTIONAL'],
      // PERCENT_PRICE_BY_SIDE bidMultiplierDown 0.2: 29331.7 × 0.2 = 5866.34 > 5000
      ['0.01', '5000', 'Filter failure: PERCENT_PRICE_BY_SIDE'],
    ];
    for (const [quantity, price, msg] of cases) {
      expect((await order({ ...gtcBuy, quantity, price })).body).toEqual(err(-1013, msg));
    }
  });
});

describe('order rejections (errors.md "Messages for -2010 / -2011", -2013)', () => {
  it('-2010 insufficient balance: 1000 USDT cannot buy 0.05 BTC (0.05 × 29331.7 = 1466.585)', async () => {
    const r = await order({ ...market, quantity: '0.05' });
    expect(r.status).toBe(400);
    expect(r.body).toEqual(err(-2010, 'Account has insufficient balance for requested action.'));
    expect((await order({ ...market, side: 'SELL', quantity: '2' })).body).toEqual(
      err(-2010, 'Account has insufficient balance for requested action.'),
    );
  });

  it('-2010 duplicate clientOrderId among open orders; a filled or canceled order frees it (rest-api.md "New order")', async () => {
    // newClientOrderId: "A unique id among open orders … can be accepted only when the previous one is
    // filled, otherwise the order will be rejected." A rejected order takes no id either.
    const rejected = await order({ ...market, quantity: '0.05', newClientOrderId: 'dup-1' });
    expect(rejected.body.code).toBe(-2010);
    const open = await order({ ...gtcBuy, quantity: '0.001', price: '20000', newClientOrderId: 'dup-1' });
    expect(open.body.status).toBe('NEW');
    const second = await order({ ...market, quoteOrderQty: '10', newClientOrderId: 'dup-1' });
    expect(second.body).toEqual(err(-2010, 'Duplicate order sent.'));
    const cancel = await signed(emu().baseUrl, clock.now, creds, 'DELETE', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'dup-1',
    });
    expect(cancel.body.status).toBe('CANCELED');
    const filled = await order({ ...market, quoteOrderQty: '10', newClientOrderId: 'dup-1' });
    expect(filled.body.status).toBe('FILLED');
    const again = await order({ ...market, quoteOrderQty: '10', newClientOrderId: 'dup-1' });
    expect(again.body.status).toBe('FILLED');
    expect(again.body.orderId).not.toBe(filled.body.orderId);
  });

  it('-2010 "Market is closed." for a listed symbol in BREAK (VENUSDT: last candle 2018-10-19)', async () => {
    expect((await order({ ...market, symbol: 'VENUSDT', quoteOrderQty: '10' })).body).toEqual(
      err(-2010, 'Market is closed.'),
    );
  });

  it('-2010 for order types and features the emulator does not offer (exchangeInfo flags say so)', async () => {
    // STOP_LOSS / TAKE_PROFIT are emulated (stop-orders.test.ts); their _LIMIT variants are not.
    const stopLimit = {
      ...market,
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '30000',
      stopPrice: '31000',
    };
    expect((await order({ ...stopLimit, type: 'STOP_LOSS_LIMIT' })).body).toEqual(
      err(-2010, 'Stop loss limit orders are not supported for this symbol.'),
    );
    expect((await order({ ...stopLimit, type: 'TAKE_PROFIT_LIMIT' })).body).toEqual(
      err(-2010, 'Take profit limit orders are not supported for this symbol.'),
    );
    expect((await order({ ...gtcBuy, quantity: '0.01', price: '20000', icebergQty: '0.001' })).body).toEqual(
      err(-2010, 'Iceberg orders are not supported for this symbol.'),
    );
  });

  it('-2013 unknown order; -2011 cancel of an unknown order', async () => {
    const q = await signed(emu().baseUrl, clock.now, creds, 'GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'never-placed',
    });
    expect(q.status).toBe(400);
    expect(q.body).toEqual(err(-2013, 'Order does not exist.'));
    const c = await signed(emu().baseUrl, clock.now, creds, 'DELETE', '/api/v3/order', {
      symbol: 'BTCUSDT',
      orderId: 999999,
    });
    expect(c.body).toEqual(err(-2011, 'Unknown order sent.'));
  });

  it('order/test validates like an order but places nothing and ignores balances', async () => {
    const before = emu().balances(creds.apiKey);
    const ok = await signed(emu().baseUrl, clock.now, creds, 'POST', '/api/v3/order/test', {
      ...market,
      quantity: '0.5',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({});
    const bad = await signed(emu().baseUrl, clock.now, creds, 'POST', '/api/v3/order/test', {
      ...market,
      quantity: '0.000001',
    });
    expect(bad.body).toEqual(err(-1013, 'Filter failure: LOT_SIZE'));
    expect(emu().balances(creds.apiKey)).toEqual(before);
  });
});

describe('symbols no bundled snapshot lists, and legacy MIN_NOTIONAL', () => {
  it('TAOUSDT (first candle 2024-04-11, in no snapshot) gets the default filters: minNotional 10', async () => {
    const c = manualClock(at('2025-06-01T00:00:00Z'));
    const e = await startEmulator({ dataset: await bundledDataset(), now: c.now, accounts: [{ ...creds }] });
    try {
      const info = await pub(e.baseUrl, '/api/v3/exchangeInfo', { symbol: 'TAOUSDT' });
      expect(info.body.symbols[0].filters).toEqual([
        {
          filterType: 'PRICE_FILTER',
          minPrice: '0.00000001',
          maxPrice: '1000000.00000000',
          tickSize: '0.00000001',
        },
        {
          filterType: 'LOT_SIZE',
          minQty: '0.00000001',
          maxQty: '9000000000.00000000',
          stepSize: '0.00000001',
        },
        {
          filterType: 'MARKET_LOT_SIZE',
          minQty: '0.00000001',
          maxQty: '9000000000.00000000',
          stepSize: '0.00000001',
        },
        {
          filterType: 'NOTIONAL',
          minNotional: '10.00000000',
          applyMinToMarket: true,
          maxNotional: '9000000000.00000000',
          applyMaxToMarket: false,
          avgPriceMins: 5,
        },
      ]);
      const r = await signed(e.baseUrl, c.now, creds, 'POST', '/api/v3/order', {
        symbol: 'TAOUSDT',
        side: 'BUY',
        type: 'MARKET',
        quoteOrderQty: '9.99',
      });
      expect(r.body).toEqual(err(-1013, 'Filter failure: NOTIONAL'));
    } finally {
      await e.close();
    }
  });

  it('a symbol whose snapshot has MIN_NOTIONAL (applyToMarket) fails with Filter failure: MIN_NOTIONAL', async () => {
    // A hand-made dataset: OLDUSDT trades at open 2 on 2022-01-01; its snapshot (like exchangeInfo 2022-11-28)
    // has MIN_NOTIONAL 10 applyToMarket and LOT_SIZE step 0.1. quoteOrderQty 9 → q = 4.5, 4.5 × 2 = 9 < 10.
    const day = at('2022-01-01T00:00:00Z');
    const snapshot: ExchangeInfoSnapshot = {
      file: 'test',
      serverTimeMs: day,
      day: '2022-01-01',
      symbols: new Map([
        [
          'OLDUSDT',
          {
            symbol: 'OLDUSDT',
            baseAsset: 'OLD',
            quoteAsset: 'USDT',
            status: 'TRADING',
            filters: [
              {
                filterType: 'LOT_SIZE',
                minQty: '0.10000000',
                maxQty: '90000.00000000',
                stepSize: '0.10000000',
              },
              {
                filterType: 'MIN_NOTIONAL',
                minNotional: '10.00000000',
                applyToMarket: true,
                avgPriceMins: 5,
              },
            ],
          },
        ],
      ]),
    };
    const candle = {
      open: '2',
      high: '2',
      low: '2',
      close: '2',
      volume: '1',
      quoteVolume: null,
      trades: null,
    };
    const ds = new Dataset({
      dir: 'test',
      series: new Map([['OLDUSDT', [{ openTime: day, ...candle }]]]),
      snapshots: [snapshot],
      marketCaps: new BundledMarketCaps([]),
    });
    const e = await startEmulator({ dataset: ds, now: () => day + 1000, accounts: [{ ...creds }] });
    try {
      const ask = (q: string) =>
        signed(e.baseUrl, () => day + 1000, creds, 'POST', '/api/v3/order', {
          symbol: 'OLDUSDT',
          side: 'BUY',
          type: 'MARKET',
          quoteOrderQty: q,
        });
      expect((await ask('9')).body).toEqual(err(-1013, 'Filter failure: MIN_NOTIONAL'));
      // quoteOrderQty 10.05 → q = 5.0 (5.02 floored to 0.1), notional 10 ≥ 10: filled
      expect((await ask('10.05')).body).toMatchObject({ status: 'FILLED', executedQty: '5.00000000' });
    } finally {
      await e.close();
    }
  });
});
