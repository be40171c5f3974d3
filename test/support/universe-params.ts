/** §4 universe parameters shared by the universe tests. */
import type { UniverseParams } from '../../src/domain/universe/eligibility.ts';

/**
 * USDT quote, lookback L = 3 days, listed at least 5 days, no market-cap or volume floor, no include or
 * exclude list, trading judged from history: the base of the universe tests (each overrides what it tests).
 */
export const TEST_UNIVERSE: UniverseParams = {
  quoteAsset: 'USDT',
  lookbackDays: 3,
  minAgeDays: 5,
  minMarketCap: 0,
  minQuoteVolume: 0,
  exclude: [],
  include: [],
  tradingRule: 'history',
};
