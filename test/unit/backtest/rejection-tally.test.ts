/**
 * The strategy's rejected orders tallied from the fast book's compact records (BacktestRun.rejectionTally,
 * what the backtest command prints: counts by reason, and each symbol's first `no_price` day) equal the
 * tally of the rejections list itself (`result.rejected`, the results file's list), on real bundled data
 * through the real loader: a quarter around LUNA's delisting (May 2022), where the strategy is left with
 * dust that cannot be sold (`no_price`) besides its zero-quantity SELLs. The reference engine's ledger has
 * no compact form: its tally is the list's (a shorter month: that engine is slow).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type BacktestMarket, runBacktest } from '../../../src/app/backtest.ts';
import { settingsFrom } from '../../../src/compose/settings.ts';
import { loadConfig } from '../../../src/config/loader.ts';
import { tallyRejections } from '../../../src/domain/backtest/book.ts';
import { bundledMarket } from './bundled-market.ts';

let market: BacktestMarket;

beforeAll(async () => {
  market = await bundledMarket('2022-03-01', '2022-07-31');
});

describe('BacktestRun.rejectionTally', () => {
  it.each([
    ['fast', '2022-04-01', '2022-07-31', 1],
    ['reference', '2022-05-01', '2022-05-31', 0],
  ] as const)('equals the tally of result.rejected (%s engine, %s .. %s)', (engine, from, to, stuck) => {
    const settings = settingsFrom(loadConfig({ env: {}, overrides: {} }).config);
    const run = runBacktest(market, { settings, from, to, engine });
    const tally = run.rejectionTally();
    const expected = tallyRejections(run.result.rejected);
    expect(tally.byReason).toEqual(expected.byReason);
    expect([...tally.firstNoPrice]).toEqual([...expected.firstNoPrice]);
    // The case is not empty: dust SELLs, and symbols left without a price.
    expect(tally.byReason.get('zero_quantity')).toBeGreaterThan(100);
    expect(tally.firstNoPrice.size).toBeGreaterThanOrEqual(stuck);
    expect([...tally.byReason.values()].reduce((a, b) => a + b, 0)).toBe(run.rejectedCount);
  });
});
