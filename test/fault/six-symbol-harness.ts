/** The fault-suite harness over six symbols, for the small tests that run the real CLI a few times. */
import { afterAll, beforeAll } from 'vitest';
import { loadDataset } from '../../src/adapters/data/bundled-dataset.ts';
import { BUNDLED_DATA_DIR } from '../../src/compose/settings.ts';
import { type HarnessEnv, prepareHarness } from './harness.ts';

/**
 * Prepares the harness (test/fault/harness.ts) on the bundled data restricted to BTC, ETH, BNB, SOL, XRP
 * and ADA in a `beforeAll` of the enclosing suite, and closes it in its `afterAll`. Six symbols keep a
 * cold run to a few kline requests (each run takes seconds, well inside a 60 s lease), and the default
 * top 10 buys all six (six orders). Call the returned function from a test for the harness.
 */
export function useSixSymbolHarness(): () => HarnessEnv {
  let h: HarnessEnv | undefined;
  beforeAll(async () => {
    h = prepareHarness(await loadDataset(BUNDLED_DATA_DIR), {
      include: 'BTCUSDT,ETHUSDT,BNBUSDT,SOLUSDT,XRPUSDT,ADAUSDT',
    });
  }, 120_000);
  afterAll(() => h?.close());
  return () => {
    if (!h) throw new Error('the harness is not prepared yet (useSixSymbolHarness: call it from a test)');
    return h;
  };
}
