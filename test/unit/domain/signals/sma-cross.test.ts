import { describe, expect, it } from 'vitest';
import { parseScaled } from '../../../../src/domain/backtest/exact.ts';
import { decStr } from '../../../../src/domain/decimal.ts';
import { smaAt } from '../../../../src/domain/indicators/sma.ts';
import {
  smaCrossDownAt,
  smaCrossDownSeries,
  smaCrossDownSeriesUnits,
} from '../../../../src/domain/signals/sma-cross.ts';
import { decimals as d } from '../../../support/decimals.ts';

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
    expect(
      smaCrossDownSeriesUnits(
        closes.map((c) => parseScaled(String(c), 8)),
        fast,
        slow,
      )[t],
    ).toBe(expected);
  });

  it('the float route really disagrees on the tie row (so the row can fail)', () => {
    const sma3 = (0.1 + 0.3 + 0.2) / 3;
    expect(0.2 < sma3).toBe(true);
  });

  it('series and point versions agree on a longer deterministic series', () => {
    const closes = d(Array.from({ length: 200 }, (_, i) => ((i * 7919) % 97) / 8 + 10));
    const series = smaCrossDownSeries(closes, 12, 48);
    let crosses = 0;
    const units = smaCrossDownSeriesUnits(
      closes.map((c) => parseScaled(c.toFixed(), 8)),
      12,
      48,
    );
    for (let t = 0; t < closes.length; t++) {
      expect(series[t]).toBe(smaCrossDownAt(closes, t, 12, 48));
      expect(units[t]).toBe(series[t]);
      if (series[t]) crosses++;
    }
    expect(series[47]).toBeUndefined();
    expect(typeof series[48]).toBe('boolean');
    expect(crosses).toBeGreaterThan(0);
  });

  it('rejects fast >= slow', () => {
    expect(() => smaCrossDownAt(d([1, 2, 3]), 2, 3, 3)).toThrow(/fast < slow/);
  });

  it('real data: MATICUSDT 1h, an exact SMA12 = SMA48 tie at t-1 makes the cross at t that floats miss', () => {
    // ../shared/data/binance/klines-1h/MATICUSDT.csv, the 49 closes of 2021-01-10T21:00Z … 2021-01-12T21:00Z
    // (open_time 1610312400000 … 1610485200000). At t-1 (index 47): sum12 = 0.3198, sum48 = 1.2792, so
    // SMA12 = SMA48 = 0.02665 exactly (0.3198·48 = 1.2792·12 = 15.3504); at t: SMA12 < SMA48 → a cross.
    // Summing floats gives SMA12(t-1) = 0.026649999999999993 < 0.026650000000000004: "already below", no cross.
    const closes = d([
      '0.02995000',
      '0.03015000',
      '0.03024000',
      '0.02914000',
      '0.02875000',
      '0.02817000',
      '0.02590000',
      '0.02671000',
      '0.02628000',
      '0.02496000',
      '0.02616000',
      '0.02762000',
      '0.02793000',
      '0.02784000',
      '0.02696000',
      '0.02658000',
      '0.02569000',
      '0.02581000',
      '0.02437000',
      '0.02372000',
      '0.02464000',
      '0.02455000',
      '0.02435000',
      '0.02480000',
      '0.02533000',
      '0.02541000',
      '0.02593000',
      '0.02569000',
      '0.02585000',
      '0.02628000',
      '0.02641000',
      '0.02679000',
      '0.02749000',
      '0.02798000',
      '0.02776000',
      '0.02721000',
      '0.02761000',
      '0.02688000',
      '0.02690000',
      '0.02690000',
      '0.02566000',
      '0.02547000',
      '0.02604000',
      '0.02664000',
      '0.02716000',
      '0.02723000',
      '0.02663000',
      '0.02668000',
      '0.02649000',
    ]);
    const f = smaAt(closes, 47, 12);
    const s = smaAt(closes, 47, 48);
    expect([f && decStr(f.sum), s && decStr(s.sum)]).toEqual(['0.3198', '1.2792']);
    expect(smaCrossDownAt(closes, 48, 12, 48)).toBe(true);
    expect(smaCrossDownSeries(closes, 12, 48)[48]).toBe(true);
    expect(
      smaCrossDownSeriesUnits(
        closes.map((c) => parseScaled(c.toFixed(), 8)),
        12,
        48,
      )[48],
    ).toBe(true);
    const fl = closes.map((c) => c.toNumber());
    const mean = (from: number, to: number) =>
      fl.slice(from, to + 1).reduce((a, b) => a + b, 0) / (to - from + 1);
    expect(mean(36, 47) < mean(0, 47)).toBe(true); // the float route's wrong "already below"
  });
});
