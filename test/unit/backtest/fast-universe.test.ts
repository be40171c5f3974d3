/**
 * The fast universe (src/domain/backtest/fast-universe.ts) must decide exactly as the domain functions
 * `evaluateUniverse` + `rankUniverse` do (through ReferenceUniverse, which calls them with the whole candle
 * series): same reason for every symbol, the same float score for every eligible one, the same selection
 * and ranks — on real days of the bundled data (every 9th day of 2017-09 .. 2026-01, i.e. ~340 days, plus
 * the COCOS and LUNA swap days) for several parameter sets covering every filter.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/adapters/data/bundled-dataset.ts';
import { type BacktestMarket, backtestMarketOf } from '../../../src/app/backtest.ts';
import { ReferenceUniverse } from '../../../src/app/backtest-reference.ts';
import {
  FastUniverse,
  type FastUniverseParams,
  reasonOf,
} from '../../../src/domain/backtest/fast-universe.ts';
import { dayToMs } from '../../../src/domain/time.ts';
import { MOMENTUM_7D_ALL_PAIRS } from '../../support/backtest-params.ts';

const DATA = fileURLToPath(new URL('../../../data/', import.meta.url));
let market: BacktestMarket;

beforeAll(async () => {
  market = backtestMarketOf(await loadDataset(DATA));
});

const BASE: FastUniverseParams = MOMENTUM_7D_ALL_PAIRS;

const CASES: [string, Partial<FastUniverseParams>][] = [
  ['defaults (momentum, L = 7, min age 30)', {}],
  ['reversal, L = 1, min age 0', { mode: 'reversal', lookbackDays: 1, minAgeDays: 0 }],
  ['L = 30, min_quote_volume 5e6 (illiquid)', { lookbackDays: 30, minQuoteVolume: 5e6 }],
  ['min_market_cap 1e9 (no_market_cap / small_cap), L = 14', { lookbackDays: 14, minMarketCap: 1e9 }],
  [
    'exclude / include lists',
    { exclude: ['ETHUSDT', 'BNBUSDT'], include: ['BTCUSDT', 'ETHUSDT', 'COCOSUSDT', 'LUNAUSDT', 'XRPUSDT'] },
  ],
  [
    'entry_filter sma_trend 10/30 (no_trend, §11), min_market_cap 1e9',
    {
      minMarketCap: 1e9,
      entryFilter: { entryFilter: 'sma_trend', entrySmaFast: 10, entrySmaSlow: 30, entryBreakoutDays: 20 },
    },
  ],
  [
    'entry_filter breakout 20 days (no_trend, §11), reversal',
    {
      mode: 'reversal',
      entryFilter: { entryFilter: 'breakout', entrySmaFast: 10, entrySmaSlow: 30, entryBreakoutDays: 20 },
    },
  ],
];

describe.each(CASES)('fast universe = evaluateUniverse + rankUniverse: %s', (_name, over) => {
  it('every symbol, every sampled day: same reason, score, selection and rank', () => {
    const params = { ...BASE, ...over };
    const fast = new FastUniverse(market, params);
    const ref = new ReferenceUniverse(market, params);
    const days: number[] = [];
    for (let d = 20; d < market.nDays; d += 9) days.push(d);
    for (const day of ['2021-01-23', '2021-01-24', '2022-05-31', '2022-06-08'])
      days.push(market.dayIndex(dayToMs(day)));
    let eligibleSeen = 0;
    let noTrendSeen = 0;
    const mismatches: string[] = [];
    for (const d of days) {
      for (const topN of [10, Number.POSITIVE_INFINITY]) {
        const a = JSON.stringify(fast.select(d, topN));
        const b = JSON.stringify(ref.select(d, topN));
        if (a !== b) mismatches.push(`${market.date(d)} top ${topN}: ${a} vs ${b}`);
      }
      ref.decisions.forEach((dec, i) => {
        const reason = reasonOf(fast.reasons[i] as number);
        if (dec.reason === 'no_trend') noTrendSeen++;
        if (reason !== dec.reason)
          mismatches.push(`${market.date(d)} ${dec.symbol}: ${reason} vs ${dec.reason}`);
        if (dec.eligible) {
          if (fast.scores[i] !== dec.score)
            mismatches.push(`${market.date(d)} ${dec.symbol}: score ${fast.scores[i]} vs ${dec.score}`);
          eligibleSeen++;
        }
      });
    }
    expect(mismatches).toEqual([]);
    expect(eligibleSeen).toBeGreaterThan(500);
    // with the §11 filter on, it must actually drop symbols (else the case would test nothing)
    if (params.entryFilter !== undefined) expect(noTrendSeen).toBeGreaterThan(100);
    else expect(noTrendSeen).toBe(0);
  });
});
