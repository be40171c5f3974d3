import { describe, expect, it } from 'vitest';
import { rankUniverse } from '../../../src/domain/ranking/rank.ts';
import { dayToMs } from '../../../src/domain/time.ts';
import {
  evaluateUniverse,
  type SymbolHistory,
  type UniverseParams,
} from '../../../src/domain/universe/eligibility.ts';
import { findSegmentSplits } from '../../../src/domain/universe/segments.ts';
import { series } from '../../support/candles.ts';
import { TEST_UNIVERSE } from '../../support/universe-params.ts';

// Decision day D = 2024-01-10; L = 3, so the signal is close(D-1 = 01-09) / close(D-1-L = 01-06) - 1.
const D = dayToMs('2024-01-10');
const base: UniverseParams = TEST_UNIVERSE;
const info = (symbol: string, baseAsset: string, quoteAsset = 'USDT') => ({ symbol, baseAsset, quoteAsset });
// Ten candles 2024-01-01..01-10 with close(01-06) = c6 and close(01-09) = c9: ten('10', '12') → r = 12/10 - 1 = 0.2
const ten = (c6: string, c9: string, qv?: string) =>
  series('2024-01-01', [
    ['9', '9', qv],
    ['9', '9', qv],
    ['9', '9', qv],
    ['9', '9', qv],
    ['9', '9', qv],
    ['9', c6, qv],
    ['9', '9', qv],
    ['9', '9', qv],
    ['9', c9, qv],
    [c9, c9, qv],
  ]);

function decide(histories: SymbolHistory[], params: Partial<UniverseParams> = {}, caps = new Map()) {
  const out = evaluateUniverse(D, histories, caps, { ...base, ...params });
  return Object.fromEntries(out.map((d) => [d.symbol, d]));
}

describe('universe filter chain (strategy-semantics §4, hand-built series)', () => {
  it('records the first failed filter in the order of §4', () => {
    const r = decide([
      { info: info('AAAUSDT', 'AAA'), candles: ten('10', '12') },
      { info: info('AAABTC', 'AAA', 'BTC'), candles: ten('10', '12') }, // quote
      { info: info('USDCUSDT', 'USDC'), candles: ten('10', '12') }, // stablecoin
      { info: info('BTCUPUSDT', 'BTCUP'), candles: ten('10', '12') }, // leveraged token
      { info: info('BULLUSDT', 'BULL'), candles: ten('10', '12') }, // leveraged token
      { info: info('CCCUSDT', 'CCC'), candles: ten('10', '12').slice(0, 9) }, // no candle at D
      { info: info('DDDUSDT', 'DDD'), candles: ten('10', '12').slice(6) }, // listed 01-07: age 3 < 5
      { info: info('FFFUSDT', 'FFF'), candles: ten('10', '12').filter((_, i) => i !== 5) }, // no 01-06
    ]);
    expect(r.AAAUSDT).toMatchObject({ eligible: true, reason: null, ageDays: 9 });
    expect(r.AAAUSDT?.score).toBeCloseTo(0.2, 12);
    expect(r.AAABTC?.reason).toBe('quote');
    expect(r.USDCUSDT?.reason).toBe('excluded');
    expect(r.BTCUPUSDT?.reason).toBe('excluded');
    expect(r.BULLUSDT?.reason).toBe('excluded');
    expect(r.CCCUSDT?.reason).toBe('not_trading');
    expect(r.DDDUSDT).toMatchObject({ reason: 'too_young', ageDays: 3 });
    expect(r.FFFUSDT).toMatchObject({ reason: 'no_history', score: null });
  });

  it('exclude and include lists', () => {
    const h = [
      { info: info('AAAUSDT', 'AAA'), candles: ten('10', '12') },
      { info: info('BBBUSDT', 'BBB'), candles: ten('10', '11') },
    ];
    expect(decide(h, { exclude: ['AAAUSDT'] }).AAAUSDT?.reason).toBe('excluded');
    const inc = decide(h, { include: ['BBBUSDT'] });
    expect(inc.AAAUSDT?.reason).toBe('excluded');
    expect(inc.BBBUSDT?.eligible).toBe(true);
  });

  it('a token swap starts a new segment: age counts from it and the lookback must not cross it', () => {
    // GGG: 2023-12-30, 12-31, gap on 01-01, then 01-02..01-10 opening x1000 (redenomination, ratio > 5)
    const ggg = series('2023-12-30', [
      ['0.009', '0.01'],
      ['0.01', '0.01'],
      null,
      ['10', '10'],
      ['10', '10'],
      ['10', '10'],
      ['10', '10'],
      ['10', '10'],
      ['10', '11'],
      ['11', '11'],
      ['11', '12'],
      ['12', '12'],
    ]);
    expect(findSegmentSplits(ggg)).toMatchObject([
      { index: 2, dayMs: dayToMs('2024-01-02'), closeBefore: '0.01', openAfter: '10' },
    ]);
    // Age = D - 01-02 = 8 days; r = close(01-09)=12 / close(01-06)=10 - 1 = 0.2
    const r1 = decide([{ info: info('GGGUSDT', 'GGG'), candles: ggg }]);
    expect(r1.GGGUSDT).toMatchObject({ eligible: true, ageDays: 8 });
    expect(r1.GGGUSDT?.score).toBeCloseTo(0.2, 12);
    // With L = 9 the lookback candle is 2023-12-31, which lies in the old segment.
    expect(
      decide([{ info: info('GGGUSDT', 'GGG'), candles: ggg }], { lookbackDays: 9, minAgeDays: 0 }).GGGUSDT
        ?.reason,
    ).toBe('no_history');
    // A gap with a small price move is not a split (ratio 1.1 within [0.2, 5]).
    const plain = series('2024-01-01', [['1', '1'], null, ['1.1', '1.1']]);
    expect(findSegmentSplits(plain)).toEqual([]);
  });

  it('illiquid: mean quote volume over [D-L, D-1], volume × close where quote volume is empty', () => {
    // AAA quote volume 500/day → mean 500 < 1000; BBB has no quote volume: volume 1 × close 9..12, mean < 1000
    const r = decide(
      [
        { info: info('AAAUSDT', 'AAA'), candles: ten('10', '12', '500') },
        { info: info('CCCUSDT', 'CCC'), candles: ten('10', '12', '2000') },
        { info: info('BBBUSDT', 'BBB'), candles: ten('10', '12') },
      ],
      { minQuoteVolume: 1000 },
    );
    expect(r.AAAUSDT).toMatchObject({ reason: 'illiquid', meanQuoteVolume: 500 });
    expect(r.CCCUSDT?.eligible).toBe(true);
    // BBB: days [D-L, D-1] = 01-07..01-09 → closes 9, 9, 12 with volume 1 → (9 + 9 + 12) / 3 = 10
    expect(r.BBBUSDT).toMatchObject({ reason: 'illiquid', meanQuoteVolume: 10 });
  });

  it('market cap: none → no_market_cap, below the minimum → small_cap', () => {
    const caps = new Map([
      ['AAA', { ticker: 'AAA', capUsd: 2e9, snapshotMs: D }],
      ['BBB', { ticker: 'BBB', capUsd: 5e8, snapshotMs: D }],
    ]);
    const r = decide(
      [
        { info: info('AAAUSDT', 'AAA'), candles: ten('10', '12') },
        { info: info('BBBUSDT', 'BBB'), candles: ten('10', '12') },
        { info: info('CCCUSDT', 'CCC'), candles: ten('10', '12') },
      ],
      { minMarketCap: 1e9 },
      caps,
    );
    expect(r.AAAUSDT).toMatchObject({ eligible: true, marketCapUsd: 2e9 });
    expect(r.BBBUSDT?.reason).toBe('small_cap');
    expect(r.CCCUSDT?.reason).toBe('no_market_cap');
  });
});

describe('ranking (§5)', () => {
  const d = (symbol: string, score: number) => ({
    symbol,
    baseAsset: symbol.replace('USDT', ''),
    eligible: true,
    reason: null,
    score,
    closes: null,
    ageDays: 100,
    marketCapUsd: null,
    meanQuoteVolume: null,
  });
  const decisions = [d('BBBUSDT', 0.1), d('AAAUSDT', 0.1), d('CCCUSDT', 0.3), d('DDDUSDT', -0.2)];
  it('momentum: descending, ties by symbol ascending, first top_n selected', () => {
    const r = rankUniverse(decisions, 'momentum', 2);
    expect(r.map((x) => [x.symbol, x.rank, x.selected])).toEqual([
      ['CCCUSDT', 1, true],
      ['AAAUSDT', 2, true],
      ['BBBUSDT', 3, false],
      ['DDDUSDT', 4, false],
    ]);
  });
  it('reversal: ascending, ties still by symbol ascending', () => {
    const r = rankUniverse(decisions, 'reversal', 10);
    expect(r.map((x) => x.symbol)).toEqual(['DDDUSDT', 'AAAUSDT', 'BBBUSDT', 'CCCUSDT']);
    expect(r.every((x) => x.selected)).toBe(true); // K = 4 < top_n = 10
  });
  it('an exact tie hidden by float rounding is a tie: ZILUSDT and ANKRUSDT on 2019-11-21 (both 72/73 − 1)', () => {
    // Bundled klines-1d: ZILUSDT close 2019-11-20 0.00576000, 2019-11-13 0.00584000 (576/584 = 72/73);
    // ANKRUSDT 0.00223200 and 0.00226300 (2232/2263 = 72/73, 2263 = 31 × 73). As doubles the two divisions
    // give -0.013698630136986134 and -0.013698630136986245, which would put ZILUSDT first.
    const fromCloses = (symbol: string, prev: string, back: string) => ({
      ...d(symbol, Number(prev) / Number(back) - 1),
      closes: { prev, back },
    });
    const zil = fromCloses('ZILUSDT', '0.00576000', '0.00584000');
    const ankr = fromCloses('ANKRUSDT', '0.00223200', '0.00226300');
    expect(zil.score).not.toBe(ankr.score);
    for (const mode of ['momentum', 'reversal'] as const) {
      expect(rankUniverse([zil, ankr], mode, 1).map((x) => x.symbol)).toEqual(['ANKRUSDT', 'ZILUSDT']);
    }
    // Not a tie: 0.00576001 / 0.00584 is larger by about 1.7e-6 (well outside the float window).
    const zilUp = fromCloses('ZILUSDT', '0.00576001', '0.00584000');
    expect(rankUniverse([ankr, zilUp], 'momentum', 1)[0]?.symbol).toBe('ZILUSDT');
  });

  it('another exact tie: 0.10000001 / 0.30000003 and 0.33333333 / 0.99999999 are both exactly 1/3', () => {
    // As doubles: r = -0.6666666666666666 (BBBUSDT) and -0.6666666666666667 (AAAUSDT), which would rank
    // BBBUSDT first in momentum; exactly they tie, so the symbol decides.
    const a = { ...d('BBBUSDT', 0), closes: { prev: '0.10000001', back: '0.30000003' } };
    const b = { ...d('AAAUSDT', 0), closes: { prev: '0.33333333', back: '0.99999999' } };
    const withScores = [a, b].map((x) => ({
      ...x,
      score: Number(x.closes.prev) / Number(x.closes.back) - 1,
    }));
    expect(withScores[0]?.score).toBeGreaterThan(withScores[1]?.score as number);
    expect(rankUniverse(withScores, 'momentum', 2).map((x) => x.symbol)).toEqual(['AAAUSDT', 'BBBUSDT']);
  });

  it('ignores excluded symbols', () => {
    const r = rankUniverse(
      [...decisions, { ...d('EEEUSDT', 9), eligible: false, reason: 'too_young' }],
      'momentum',
      1,
    );
    expect(r[0]?.symbol).toBe('CCCUSDT');
  });
});
