import { describe, expect, it } from 'vitest';
import { breakoutExitAt, breakoutExitSeries } from '../../../../src/domain/signals/breakout-exit.ts';
import { decimals as d } from '../../../support/decimals.ts';

describe('breakout exit signal (strategy-semantics §10): close(t) < min(low of the previous N candles)', () => {
  // lows of the previous 3 candles [5, 4, 6] → channel 4
  const lows = [5, 4, 6, 3];
  const rows: [string, (string | number)[], number, boolean | undefined][] = [
    ['close 3.9 < 4 breaks the channel', [5, 5, 7, '3.9'], 3, true],
    ['close 4 = channel is not below', [5, 5, 7, 4], 3, false],
    // the bar's own low (3) is not part of the channel: 3.5 < min(5, 4, 6) = 4
    ['own low ignored', [5, 5, 7, '3.5'], 3, true],
    ['fewer than N earlier candles → undefined', [5, 5, 7, '3.9'], 2, undefined],
  ];

  it.each(rows)('%s', (_name, closes, t, expected) => {
    expect(breakoutExitAt(d(closes), d(lows), t, 3)).toBe(expected);
    expect(breakoutExitSeries(d(closes), d(lows), 3)[t]).toBe(expected);
  });

  it('series and point versions agree on a longer deterministic series', () => {
    const n = 150;
    const closes = d(Array.from({ length: n }, (_, i) => ((i * 31) % 53) + 100));
    const lowsLong = d(Array.from({ length: n }, (_, i) => ((i * 31) % 53) + 99));
    const series = breakoutExitSeries(closes, lowsLong, 24);
    let fired = 0;
    for (let t = 0; t < n; t++) {
      expect(series[t]).toBe(breakoutExitAt(closes, lowsLong, t, 24));
      if (series[t]) fired++;
    }
    expect(fired).toBeGreaterThan(0);
  });
});
