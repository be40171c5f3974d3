import { describe, expect, it } from 'vitest';
import { priceMantissa8 } from '../../../../src/domain/backtest/exact.ts';
import { dec } from '../../../../src/domain/decimal.ts';
import {
  type ExitSignalSettings,
  exitSignalAt,
  exitSignalSeries,
  exitSignalSeriesOfText,
  exitSignalSeriesOfUnits,
} from '../../../../src/domain/signals/exit-signal.ts';
import { decimals as d } from '../../../support/decimals.ts';

const base: ExitSignalSettings = { exitSignal: 'none', exitSmaFast: 2, exitSmaSlow: 3, exitBreakoutBars: 3 };

describe('exit_signal switch (strategy-semantics §10)', () => {
  // closes [10, 10, 10, 7]: sma_cross 2/3 fires at t = 3 (SMA2 8.5 < SMA3 9 after a tie at t = 2);
  // lows [10, 10, 10, 7]: breakout 3 at t = 3: close 7 < min(10, 10, 10) = 10 → fires too.
  const closes = d([10, 10, 10, 7]);
  const lows = d([10, 10, 10, 7]);

  it.each([
    ['none', [false, false, false, false]],
    ['sma_cross', [false, false, false, true]],
    ['breakout', [false, false, false, true]],
  ] as const)('%s', (kind, expected) => {
    const s = { ...base, exitSignal: kind };
    expect(exitSignalSeries(closes, lows, s)).toEqual(expected);
    expect(closes.map((_, t) => exitSignalAt(closes, lows, t, s))).toEqual(expected);
  });

  it('the two signals answer differently where they should (hand-computed)', () => {
    // [3, 2, 1, 0.5]: at t = 2 SMA2 = 1.5 < SMA3 = 2 (already below) → no new cross at t = 3;
    // breakout: 0.5 < min(3, 2, 1) = 1 → fires
    const down = d([3, 2, 1, '0.5']);
    expect(exitSignalAt(down, down, 3, { ...base, exitSignal: 'sma_cross' })).toBe(false);
    expect(exitSignalAt(down, down, 3, { ...base, exitSignal: 'breakout' })).toBe(true);
    // [1, 4, 4, 1.5]: t = 3 SMA2 = 2.75 < SMA3 = 9.5/3 = 3.1666…, t = 2 SMA2 = 4 >= SMA3 = 3 → cross;
    // breakout: 1.5 < min(1, 4, 4) = 1? no
    const dip = d([1, 4, 4, '1.5']);
    expect(exitSignalAt(dip, dip, 3, { ...base, exitSignal: 'sma_cross' })).toBe(true);
    expect(exitSignalAt(dip, dip, 3, { ...base, exitSignal: 'breakout' })).toBe(false);
  });
});

describe('exitSignalSeriesOfText (scaled integers) answers as exitSignalSeries (decimal.js)', () => {
  // A seeded walk over prices with 8 decimals and many exact ties (flat runs), so that both the SMA tie
  // rule ("a tie is not <") and the channel's strict "<" are exercised; plus the hand case above.
  function walk(n: number, seed: number): string[] {
    let x = seed;
    const rnd = () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x / 2147483648;
    };
    let p = 1234567; // units of 1e-8
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = rnd();
      if (r > 0.4) p = Math.max(1, p + Math.round((rnd() - 0.5) * 50_000));
      out.push((p / 1e8).toFixed(8));
    }
    return out;
  }
  it.each([
    ['sma_cross', 3, 7],
    ['sma_cross', 12, 48],
    ['breakout', 3, 7],
    ['breakout', 24, 48],
  ] as const)('%s (%i/%i) on 3000 seeded bars', (kind, a, b) => {
    const closes = walk(3000, 42);
    const lows = closes.map((c, i) => (i % 3 === 0 ? c : (Number(c) * 0.999).toFixed(8)));
    const s: ExitSignalSettings = { exitSignal: kind, exitSmaFast: a, exitSmaSlow: b, exitBreakoutBars: a };
    const expected = exitSignalSeries(d(closes), d(lows), s);
    expect(expected.filter(Boolean).length).toBeGreaterThan(5); // the case exercises the rule
    expect(exitSignalSeriesOfText(closes, lows, s)).toEqual(expected);
  });
  it('the hand case [10, 10, 10, 7] and a value with more than 8 decimals (falls back, same answer)', () => {
    const s = { ...base, exitSignal: 'sma_cross' as const };
    expect(exitSignalSeriesOfText(['10', '10', '10', '7'], ['10', '10', '10', '7'], s)).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect(exitSignalSeriesOfText(['10', '10', '10', '6.999999999'], ['1', '1', '1', '1'], s)).toEqual([
      false,
      false,
      false,
      true,
    ]);
  });

  // The text path keeps scaled integers in doubles only while every sum and product stays below 2^53;
  // these walks leave that range (prices ~5e5 with slow = 48: 5e13 units · 49 · 48 > 2^53; a price of
  // 12 integer digits + 8 decimals > 2^53 units), so they take the BigInt path: still the same answers.
  it.each([
    ['sma_cross', 12, 48, 500_000],
    ['breakout', 24, 48, 500_000],
    ['sma_cross', 3, 7, 123_456_789_012],
  ] as const)('%s (%i/%i) at prices ~%d (beyond 2^53 in doubles)', (kind, a, b, scale) => {
    const closes = walk(600, 7).map((c) => dec(c).times(scale).toFixed(8));
    const lows = closes.map((c, i) => (i % 3 === 0 ? c : dec(c).times('0.999').toFixed(8)));
    const s: ExitSignalSettings = { exitSignal: kind, exitSmaFast: a, exitSmaSlow: b, exitBreakoutBars: a };
    const expected = exitSignalSeries(d(closes), d(lows), s);
    expect(expected.filter(Boolean).length).toBeGreaterThan(2);
    expect(exitSignalSeriesOfText(closes, lows, s)).toEqual(expected);
  });
  it.each([
    ['sma_cross', 3, 7],
    ['sma_cross', 12, 48],
    ['breakout', 3, 7],
    ['breakout', 24, 48],
  ] as const)(
    'exitSignalSeriesOfUnits on the 1e-8 units of the texts: %s (%i/%i), 3000 seeded bars',
    (kind, a, b) => {
      // the hourly backtest's path (HourlyColumns.closeUnits / lowUnits = priceMantissa8 of the texts)
      const closes = walk(3000, 42);
      const lows = closes.map((c, i) => (i % 3 === 0 ? c : (Number(c) * 0.999).toFixed(8)));
      const s: ExitSignalSettings = { exitSignal: kind, exitSmaFast: a, exitSmaSlow: b, exitBreakoutBars: a };
      const units = (xs: string[]) => Float64Array.from(xs, (x) => priceMantissa8(x, Number(x)));
      const expected = exitSignalSeries(d(closes), d(lows), s);
      expect(expected.filter(Boolean).length).toBeGreaterThan(5);
      expect(exitSignalSeriesOfUnits(units(closes), units(lows), s)).toEqual(expected);
    },
  );
  it.each([
    ['sma_cross', 12, 48],
    ['breakout', 24, 48],
  ] as const)(
    'exitSignalSeriesOfUnits at prices ~5e5 (%s %i/%i: products past 2^53, screened then BigInt on near-ties)',
    (kind, a, b) => {
      // 5e13 units · 49 · 48 > 2^53: the rounded products decide only when clearly apart; a flat run of 60
      // bars (exact ties: SMA_fast = SMA_slow, "a tie is not <") goes to the BigInt comparison
      const flat = Array.from({ length: 60 }, () => '612345.12345678');
      const closes = [
        ...walk(600, 7).map((c) => dec(c).times(500_000).toFixed(8)),
        ...flat,
        '612345.12345677',
      ];
      const lows = closes.map((c, i) => (i % 3 === 0 ? c : dec(c).times('0.999').toFixed(8)));
      const s: ExitSignalSettings = { exitSignal: kind, exitSmaFast: a, exitSmaSlow: b, exitBreakoutBars: a };
      const units = (xs: string[]) => Float64Array.from(xs, (x) => priceMantissa8(x, Number(x)));
      const expected = exitSignalSeries(d(closes), d(lows), s);
      expect(expected.filter(Boolean).length).toBeGreaterThan(2);
      if (kind === 'sma_cross') expect(expected.at(-1)).toBe(true); // one unit below the flat run crosses
      expect(exitSignalSeriesOfUnits(units(closes), units(lows), s)).toEqual(expected);
    },
  );
  it('exitSignalSeriesOfUnits: null where the doubles are not exact (NaN unit, sums past 2^53) — the caller falls back', () => {
    const s = { ...base, exitSignal: 'sma_cross' as const };
    // hand case [10, 10, 10, 7] in 1e-8 units: fires at t = 3 as above
    const u = Float64Array.from([10, 10, 10, 7], (x) => x * 1e8);
    expect(exitSignalSeriesOfUnits(u, u, s)).toEqual([false, false, false, true]);
    expect(exitSignalSeriesOfUnits(Float64Array.from([1e9, 1e9, Number.NaN, 7e8]), u, s)).toBeNull();
    // 2^52 units: a window sum of 4 values exceeds 2^53
    const big = Float64Array.from([1, 1, 1, 1], () => 2 ** 52);
    expect(exitSignalSeriesOfUnits(big, big, s)).toBeNull();
    expect(exitSignalSeriesOfUnits(u, u, { ...s, exitSignal: 'breakout' })).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect(exitSignalSeriesOfUnits(u, u, { ...s, exitSignal: 'none' })).toEqual([false, false, false, false]);
  });
  it('texts the double path does not take (".5", "10.", trailing zeros past 8 decimals) answer alike', () => {
    const s = { ...base, exitSignal: 'sma_cross' as const };
    const texts = ['10.', '10.000000000', '10', '.5'];
    // closes 10, 10, 10, 0.5: at t = 3 SMA2 = 5.25 < SMA3 = 6.8333…, at t = 2 a tie (10 = 10) → cross
    expect(exitSignalSeriesOfText(texts, texts, s)).toEqual([false, false, false, true]);
  });
});
