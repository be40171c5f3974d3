import { describe, expect, it } from 'vitest';
import { dec } from '../../../../src/domain/decimal.ts';
import { smaCrossDownAt, smaCrossDownSeries } from '../../../../src/domain/signals/sma-cross.ts';

const d = (xs: (string | number)[]) => xs.map((x) => dec(x));

describe('sma_cross exit signal (strategy-semantics §10): SMA_fast(t) < SMA_slow(t) and SMA_fast(t-1) >= SMA_slow(t-1)', () => {
  // Each row: closes, fast, slow, t, expected; the comment gives the hand-computed SMAs.
  const rows: [string, (string | number)[], number, number, number, boolean | undefined][] = [
    // t=3: SMA2 = (10+7)/2 = 8.5 < SMA3 = (10+10+7)/3 = 9; t=2: SMA2 = 10 = SMA3 = 10 (tie counts as >=)
    ['cross after a tie at t-1', [10, 10, 10, 7], 2, 3, 3, true],
    // t=3: SMA2 = (4+1)/2 = 2.5 < SMA3 = 9/3 = 3; t=2: SMA2 = 4 >= SMA3 = 3
    ['cross from above', [1, 4, 4, 1], 2, 3, 3, true],
    // t=3: SMA2 = 10 = SMA3 = 10: an exact tie is not "<"
    ['exact tie at t is no cross', [10, 10, 10, 10], 2, 3, 3, false],
    // t=3: SMA2 = 6.5 < SMA3 = 7; t=2: SMA2 = 7.5 < SMA3 = 8 already below → no new cross
    ['already below at t-1', [9, 8, 7, 6], 2, 3, 3, false],
    // t=3: SMA2 = 3.5 > SMA3 = 3
    ['above', [1, 2, 3, 4], 2, 3, 3, false],
    // only 3 closes end at t=2: slow + 1 = 4 needed
    ['undefined with fewer than slow + 1 closes', [10, 10, 10, 7], 2, 3, 2, undefined],
    // t=3, fast 1, slow 3: SMA1 = 0.2, SMA3 = (0.1+0.3+0.2)/3 = 0.2 exactly (floats: 0.20000000000000004
    // > 0.2, i.e. a false cross); t=2: SMA1 = 0.3 >= SMA3 = 0.6/3 = 0.2
    ['exact decimal tie that floats call a cross', ['0.2', '0.1', '0.3', '0.2'], 1, 3, 3, false],
  ];

  it.each(rows)('%s', (_name, closes, fast, slow, t, expected) => {
    expect(smaCrossDownAt(d(closes), t, fast, slow)).toBe(expected);
    expect(smaCrossDownSeries(d(closes), fast, slow)[t]).toBe(expected);
  });

  it('the float route really disagrees on the tie row (so the row can fail)', () => {
    const sma3 = (0.1 + 0.3 + 0.2) / 3;
    expect(0.2 < sma3).toBe(true);
  });

  it('series and point versions agree on a longer deterministic series', () => {
    const closes = d(Array.from({ length: 200 }, (_, i) => ((i * 7919) % 97) / 8 + 10));
    const series = smaCrossDownSeries(closes, 12, 48);
    let crosses = 0;
    for (let t = 0; t < closes.length; t++) {
      expect(series[t]).toBe(smaCrossDownAt(closes, t, 12, 48));
      if (series[t]) crosses++;
    }
    expect(series[47]).toBeUndefined();
    expect(typeof series[48]).toBe('boolean');
    expect(crosses).toBeGreaterThan(0);
  });

  it('rejects fast >= slow', () => {
    expect(() => smaCrossDownAt(d([1, 2, 3]), 2, 3, 3)).toThrow(/fast < slow/);
  });
});
