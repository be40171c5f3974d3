/**
 * Period from a trusted clock (issue 14 item 4, adapter side): the decision day of a live source is the
 * exchange's UTC day (exchangeInfo `serverTime`), never the local clock's, and the measured offset
 * (exchange − local) is exposed so that the use case can refuse when the clocks disagree near a period
 * boundary. Through binance-api-node → HTTP → the emulator, 60 s before 00:00 UTC of 2021-03-01 by the
 * emulator's clock, then with its clock-skew control moving it 90 s ahead (past midnight). The local
 * clock (years later) plays no part in the day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceMarketData } from '../../../src/adapters/binance/binance-market-data.ts';
import { BinanceRest } from '../../../src/adapters/binance/binance-rest.ts';
import { loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { openLedger } from '../../../src/adapters/postgres/connect.ts';
import { PostgresMarketCache } from '../../../src/adapters/postgres/market-cache.ts';
import type { PostgresLedger } from '../../../src/adapters/postgres/postgres-ledger.ts';
import { createLogger } from '../../../src/cli/logger.ts';
import { BUNDLED_DATA_DIR } from '../../../src/compose/settings.ts';
import { dayToMs } from '../../../src/domain/time.ts';
import { type RunningEmulator, startEmulator } from '../../../src/emulator/server.ts';

const logger = createLogger('silent', 'json');

describe('the decision day and the clock offset come from the exchange', () => {
  let emu: RunningEmulator;
  let ledger: PostgresLedger;
  const midnight = dayToMs('2021-03-01');

  beforeAll(async () => {
    const dataset = await loadDataset(BUNDLED_DATA_DIR);
    ledger = await openLedger({ dataDir: ':memory:', logger });
    await ledger.migrate();
    const t0 = Date.now();
    emu = await startEmulator({ dataset, now: () => midnight - 60_000 + (Date.now() - t0), accounts: [] });
  });
  afterAll(async () => {
    await emu?.close();
    await ledger?.close();
  });

  const source = async () => {
    const rest = await BinanceRest.open({
      baseUrl: emu.baseUrl,
      credentials: null,
      timeoutMs: 5000,
      recvWindowMs: 5000,
      weightBudget: 3000,
      logger,
    });
    return new BinanceMarketData({
      rest,
      cache: new PostgresMarketCache(ledger.db),
      source: 'clock-test',
      quoteAsset: 'USDT',
      minHistoryDays: 31,
      concurrency: 2,
      logger,
    });
  };

  it('before the skew: day 2021-02-28 (the exchange is 60 s before midnight); after +90 s: 2021-03-01, offset +90 s', async () => {
    const before = await source();
    const c1 = await before.exchangeClock();
    expect(c1.dayMs).toBe(dayToMs('2021-02-28'));
    expect((await before.coverage()).lastDayMs).toBe(c1.dayMs);
    // offset = exchange − local: the emulator clock is in 2021, the local one is not.
    expect(Math.abs(c1.offsetMs - (c1.serverTimeMs - Date.now()))).toBeLessThan(2_000);

    emu.control({ clockSkewMs: 90_000 });
    const after = await source();
    const c2 = await after.exchangeClock();
    expect(c2.dayMs).toBe(midnight);
    expect((await after.coverage()).lastDayMs).toBe(midnight);
    // The measured offsets differ by the skew, up to the round trips' error.
    expect(Math.abs(c2.offsetMs - c1.offsetMs - 90_000)).toBeLessThan(1_000);
  });
});
