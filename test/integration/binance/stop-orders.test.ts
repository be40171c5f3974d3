/**
 * Exchange-side stops through the adapter (issue 10 item 7, `[intraday] stop_on_exchange`):
 * BinanceExchange.placeStopLoss / cancelStop / openOrders → BinanceRest → binance-api-node → real HTTP →
 * the emulator over the bundled hourly BTCUSDT candles, its clock moved by the test controls.
 * Reproduces what the rebalance needs from the exchange: a stop placed at the §10 level rests NEW (the
 * stopPrice floored to tickSize 0.01, the quantity to stepSize 0.00001); one above the last price is
 * refused as `would_trigger_immediately` (Binance -2010) and nothing rests; a cancel before it triggers
 * returns it with nothing executed; a stop that triggered before the cancel comes back FILLED with its
 * fill. Hourly rows (from the CSV, as in test/emulator/stop-orders.test.ts): 2021-03-01 03:00 open
 * 46414.70 low 46204.08; 04:00 open 46336.38 low 45959.70 — a stop at 46000 fills at 46000 in the 04:00
 * candle; fee 0.001 × 460 = 0.46 USDT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceExchange } from '../../../src/adapters/binance/binance-exchange.ts';
import { type Dataset, loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { createLogger } from '../../../src/cli/logger.ts';
import { type RunningEmulator, startEmulator } from '../../../src/emulator/server.ts';
import { BUNDLED_DIR } from '../../emulator/support.ts';
import { BTC_RULES } from '../../support/btc-rules.ts';
import { openTestRest } from '../../support/test-rest.ts';

const logger = createLogger('silent', 'json');
const creds = { apiKey: 'stops-adapter', secret: 'stops-adapter-secret' };
const RULES = BTC_RULES;

describe('exchange-side stops through the Binance adapter', () => {
  let ds: Dataset;
  let emu: RunningEmulator;
  let ex: BinanceExchange;
  beforeAll(async () => {
    ds = await loadDataset(BUNDLED_DIR, { symbols: ['BTCUSDT'] });
    emu = await startEmulator({
      dataset: ds,
      asOf: '2021-03-01',
      accounts: [{ ...creds, balances: { USDT: '1000', BTC: '0.05' } }],
      testControls: true,
    });
    emu.control({ setClock: '2021-03-01T03:10:00Z' });
    const credentials = { apiKey: creds.apiKey, apiSecret: creds.secret };
    const rest = await openTestRest(emu.baseUrl, credentials, { retries: 1, logger });
    ex = new BinanceExchange({ rest, kind: 'testnet', rules: () => RULES, logger });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('places a stop (floored to tick/step), lists it, refuses one that would trigger, cancels one untouched', async () => {
    const placed = await ex.placeStopLoss({
      symbol: 'BTCUSDT',
      clientOrderId: 'mrs-a',
      quantity: '0.0100049',
      stopPrice: '45000.019',
    });
    expect(placed).toMatchObject({ status: 'NEW', executedQty: '0', clientOrderId: 'mrs-a' });
    expect(await ex.openOrders()).toEqual([
      {
        symbol: 'BTCUSDT',
        clientOrderId: 'mrs-a',
        type: 'STOP_LOSS',
        side: 'SELL',
        quantity: '0.01',
        stopPrice: '45000.01',
      },
    ]);
    // Last price 46414.70 (03:00 open): a SELL stop at 47000 is already triggered.
    const refused = await ex.placeStopLoss({
      symbol: 'BTCUSDT',
      clientOrderId: 'mrs-b',
      quantity: '0.01',
      stopPrice: '47000',
    });
    expect(refused).toMatchObject({ status: 'REJECTED', code: -2010, reason: 'would_trigger_immediately' });
    expect((await ex.openOrders()).map((o) => o.clientOrderId)).toEqual(['mrs-a']);
    const canceled = await ex.cancelStop('BTCUSDT', 'mrs-a');
    expect(canceled).toMatchObject({ status: 'EXPIRED', executedQty: '0', fills: [] });
    expect(await ex.openOrders()).toEqual([]);
    // Cancelling again: the exchange still knows the order (canceled), nothing executed.
    expect(await ex.cancelStop('BTCUSDT', 'mrs-a')).toMatchObject({ status: 'EXPIRED', executedQty: '0' });
    expect(await ex.cancelStop('BTCUSDT', 'never-placed')).toBeNull();
  });

  it('a stop that triggered before the cancel comes back FILLED with its fill and fee', async () => {
    await ex.placeStopLoss({
      symbol: 'BTCUSDT',
      clientOrderId: 'mrs-c',
      quantity: '0.01',
      stopPrice: '46000',
    });
    emu.control({ setClock: '2021-03-01T05:00:00Z' }); // the 04:00 candle crossed 46000
    const done = await ex.cancelStop('BTCUSDT', 'mrs-c');
    expect(done).toMatchObject({ status: 'FILLED', executedQty: '0.01', cummulativeQuoteQty: '460' });
    if (done === null || done.status === 'REJECTED') throw new Error('unreachable');
    expect(done.fills).toEqual([
      expect.objectContaining({
        price: '46000',
        quantity: '0.01',
        commission: '0.46',
        commissionAsset: 'USDT',
      }),
    ]);
  });
});
