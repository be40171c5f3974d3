/**
 * §11 entry filter in the §4 chain (row 8, reason `no_trend`, after the market-cap filter), through
 * `evaluateUniverse` on hand-built daily candles; every expected value is computed by hand in the comments.
 * Decision day D = 2024-01-10, so D − 1 = 01-09.
 */
import { describe, expect, it } from 'vitest';
import { dayToMs } from '../../../src/domain/time.ts';
import type { Candle } from '../../../src/domain/types.ts';
import {
  entryFilterHistoryDays,
  evaluateUniverse,
  type SymbolHistory,
  type UniverseParams,
} from '../../../src/domain/universe/eligibility.ts';
import { TEST_UNIVERSE } from '../../support/universe-params.ts';

const D = dayToMs('2024-01-10');
const SMA = { entryFilter: 'sma_trend', entrySmaFast: 2, entrySmaSlow: 3, entryBreakoutDays: 20 } as const;
const BREAKOUT = {
  entryFilter: 'breakout',
  entrySmaFast: 10,
  entrySmaSlow: 30,
  entryBreakoutDays: 3,
} as const;
const base: UniverseParams = TEST_UNIVERSE;

/** Candles from 2024-01-01, one per row `[open, high, low, close]`; null = a missing day. */
function days(rows: readonly (readonly [string, string, string, string] | null)[]): Candle[] {
  const t0 = dayToMs('2024-01-01');
  return rows.flatMap((r, i) =>
    r === null
      ? []
      : [
          {
            openTime: t0 + i * 86_400_000,
            open: r[0],
            high: r[1],
            low: r[2],
            close: r[3],
            volume: '1',
            quoteVolume: null,
            trades: null,
          },
        ],
  );
}
/** Flat candles (open = high = low = close) with these closes from 01-01. */
const closes = (...cs: string[]) => days(cs.map((c) => [c, c, c, c] as const));
const sym = (symbol: string, candles: Candle[]): SymbolHistory => ({
  info: { symbol, baseAsset: symbol.replace(/USDT$/, ''), quoteAsset: 'USDT' },
  candles,
});

function decide(histories: SymbolHistory[], params: Partial<UniverseParams>, caps = new Map()) {
  return Object.fromEntries(
    evaluateUniverse(D, histories, caps, { ...base, ...params }).map((d) => [d.symbol, d.reason]),
  );
}

describe('entry_filter = sma_trend (§11), fast 2 / slow 3', () => {
  it('up when SMA2(D−1) > SMA3(D−1) exactly; a tie and a down trend are no_trend', () => {
    const r = decide(
      [
        // closes 01-07..01-09 = 11, 12, 13: SMA2 = 12.5 > SMA3 = 12 → up
        sym('RISEUSDT', closes('10', '10', '10', '10', '10', '10', '11', '12', '13', '13')),
        // 13, 12, 11: SMA2 = 11.5 < SMA3 = 12 → no_trend
        sym('FALLUSDT', closes('10', '10', '10', '10', '10', '10', '13', '12', '11', '11')),
        // 12, 12, 12: SMA2 = SMA3 = 12, a tie is not up → no_trend
        sym('TIEUSDT', closes('10', '10', '10', '10', '10', '10', '12', '12', '12', '12')),
      ],
      { entryFilter: SMA },
    );
    expect(r).toEqual({ RISEUSDT: null, FALLUSDT: 'no_trend', TIEUSDT: 'no_trend' });
  });

  it('off (none or absent): the same symbols are all eligible', () => {
    const hs = [sym('FALLUSDT', closes('10', '10', '10', '10', '10', '10', '13', '12', '11', '11'))];
    expect(decide(hs, {})).toEqual({ FALLUSDT: null });
    expect(decide(hs, { entryFilter: { ...SMA, entryFilter: 'none' } })).toEqual({ FALLUSDT: null });
  });

  it('counts only the current §2 segment: two closes after a x10 swap are fewer than 3 → no_trend', () => {
    // 01-01..01-06 close 1, 01-07 missing, 01-08 opens at 10 (10 / 1 > 5: a split), 01-09 closes 20.
    // Across the split the closes 1, 10, 20 would give SMA2 = 15 > SMA3 = 10.33 (up); the segment holds
    // only 10, 20 (2 < 3 closes) → not up.
    const candles = days([
      ['1', '1', '1', '1'],
      ['1', '1', '1', '1'],
      ['1', '1', '1', '1'],
      ['1', '1', '1', '1'],
      ['1', '1', '1', '1'],
      ['1', '1', '1', '1'],
      null,
      ['10', '10', '10', '10'],
      ['10', '20', '10', '20'],
      ['20', '20', '20', '20'],
    ]);
    expect(decide([sym('SWAPUSDT', candles)], { entryFilter: SMA, lookbackDays: 1, minAgeDays: 0 })).toEqual({
      SWAPUSDT: 'no_trend',
    });
  });

  it('comes after the market-cap filter: no cap → no_market_cap, a cap below the minimum → small_cap', () => {
    const down = closes('10', '10', '10', '10', '10', '10', '13', '12', '11', '11');
    const caps = new Map([['SMALL', { capUsd: 5, asOf: D }]]);
    const r = decide(
      [sym('NOCAPUSDT', down), sym('SMALLUSDT', down), sym('BIGUSDT', down)],
      {
        entryFilter: SMA,
        minMarketCap: 10,
      },
      new Map([...caps, ['BIG', { capUsd: 50, asOf: D }]]),
    );
    expect(r).toEqual({ NOCAPUSDT: 'no_market_cap', SMALLUSDT: 'small_cap', BIGUSDT: 'no_trend' });
  });
});

describe('entry_filter = breakout (§11), N = 3 days', () => {
  // window [D−1−3, D−2] = 01-06 .. 01-08, highs 14, 12, 13 → max 14
  const upTo = (closeDm1: string, high05 = '9') =>
    days([
      ['9', '9', '9', '9'],
      ['9', '9', '9', '9'],
      ['9', '9', '9', '9'],
      ['9', '9', '9', '9'],
      ['9', high05, '9', '9'],
      ['9', '14', '9', '10'],
      ['10', '12', '9', '11'],
      ['11', '13', '10', '12'],
      ['12', closeDm1, '12', closeDm1],
      [closeDm1, closeDm1, closeDm1, closeDm1],
    ]);
  it('up when close(D−1) > the highest high of the 3 days before; a tie is no_trend; older highs do not count', () => {
    const r = decide(
      [
        sym('RISEUSDT', upTo('15')), // 15 > 14 → up
        sym('TIEUSDT', upTo('14')), // 14 = 14 → no_trend
        sym('OLDUSDT', upTo('15', '30')), // the high 30 of 01-05 is outside the window → up
      ],
      { entryFilter: BREAKOUT },
    );
    expect(r).toEqual({ RISEUSDT: null, TIEUSDT: 'no_trend', OLDUSDT: null });
  });

  it('needs N candles of the segment before D−1: listed 01-07 (2 before 01-09) → no_trend', () => {
    const young = upTo('15').slice(6); // 01-07, 01-08, 01-09, 01-10
    expect(
      decide([sym('YOUNGUSDT', young)], { entryFilter: BREAKOUT, lookbackDays: 1, minAgeDays: 0 }),
    ).toEqual({
      YOUNGUSDT: 'no_trend',
    });
  });
});

describe('entryFilterHistoryDays', () => {
  it('is L + 1 when off, max(L + 1, slow) for sma_trend, max(L + 1, N + 1) for breakout', () => {
    expect(entryFilterHistoryDays(7)).toBe(8);
    expect(entryFilterHistoryDays(7, { ...SMA, entryFilter: 'none' })).toBe(8);
    expect(entryFilterHistoryDays(7, { ...SMA, entrySmaSlow: 30 })).toBe(30);
    expect(entryFilterHistoryDays(7, BREAKOUT)).toBe(8);
    expect(entryFilterHistoryDays(7, { ...BREAKOUT, entryBreakoutDays: 20 })).toBe(21);
  });
});
