import { describe, expect, it } from 'vitest';
import { dec } from '../../../../src/domain/decimal.ts';
import { breakoutEntryUp } from '../../../../src/domain/signals/breakout-entry.ts';
import { type EntryFilterSettings, isTrendUp } from '../../../../src/domain/signals/entry-filter.ts';
import { smaTrendUp } from '../../../../src/domain/signals/sma-trend.ts';
import { DAY_MS, dayToMs } from '../../../../src/domain/time.ts';
import type { Candle } from '../../../../src/domain/types.ts';
import { findSegmentSplits } from '../../../../src/domain/universe/segments.ts';
import { decimals as d } from '../../../support/decimals.ts';

/** Daily candles from a start day; `null` leaves the day out (a gap). open = close unless given. */
function days(start: string, rows: ([close: number | string, high?: number | string] | null)[]): Candle[] {
  const t0 = dayToMs(start);
  const out: Candle[] = [];
  rows.forEach((r, i) => {
    if (r === null) return;
    const [close, high] = r;
    out.push({
      openTime: t0 + i * DAY_MS,
      open: String(close),
      high: String(high ?? close),
      low: String(close),
      close: String(close),
      volume: '1',
      quoteVolume: null,
      trades: null,
    });
  });
  return out;
}

const smaTrend: EntryFilterSettings = {
  entryFilter: 'sma_trend',
  entrySmaFast: 2,
  entrySmaSlow: 3,
  entryBreakoutDays: 3,
};
const breakout: EntryFilterSettings = { ...smaTrend, entryFilter: 'breakout' };

describe('sma_trend entry filter (strategy-semantics §11): up when SMA_f(D-1) > SMA_s(D-1)', () => {
  const rows: [string, (string | number)[], boolean][] = [
    // SMA2 = (2+3)/2 = 2.5 > SMA3 = 6/3 = 2
    ['rising', [1, 2, 3], true],
    // SMA2 = 1.5 < SMA3 = 2
    ['falling', [3, 2, 1], false],
    // SMA2 = 2 = SMA3 = 2: a tie is not up
    ['exact tie', [2, 2, 2], false],
    // 2 closes < s = 3
    ['fewer than s closes', [1, 5], false],
    // only the last 3 count: SMA2 = (5+6)/2 = 5.5 > SMA3 = (4+5+6)/3 = 5
    ['longer series uses the last s', [100, 4, 5, 6], true],
  ];
  it.each(rows)('%s', (_n, closes, expected) => {
    expect(smaTrendUp(d(closes), 2, 3)).toBe(expected);
  });

  it('on candles: only the current segment (§2) counts', () => {
    // 2021-01-01..05 at 1, gap on 06, 07..08 at 10: open(07)/close(05) = 10 > 5 → new segment on 07.
    const c = days('2021-01-01', [[1], [1], [1], [1], [1], null, [10], [11]]);
    const splits = findSegmentSplits(c);
    expect(splits.map((s) => s.index)).toEqual([5]);
    // D = 2021-01-09, D-1 = 08: the segment holds 2 closes (10, 11) < s = 3 → not up, although the
    // whole series has 7 closes and (10+11)/2 > (1+10+11)/3.
    expect(isTrendUp(c, splits, dayToMs('2021-01-09'), smaTrend)).toBe(false);
    // One more day in the segment: closes 10, 11, 12 → SMA2 = 11.5 > SMA3 = 11 → up.
    const c2 = days('2021-01-01', [[1], [1], [1], [1], [1], null, [10], [11], [12]]);
    expect(isTrendUp(c2, findSegmentSplits(c2), dayToMs('2021-01-10'), smaTrend)).toBe(true);
  });

  it('on candles: a gap that is not a split keeps one segment; days after D-1 are not read', () => {
    // closes 1, 2, (gap), 3 (ratio 3/2 inside [0.2, 5]) and a later 0.5 on D itself
    const c = days('2021-01-01', [[1], [2], null, [3], ['0.5']]);
    // D = 2021-01-05, D-1 = 04: closes 1, 2, 3 → SMA2 = 2.5 > 2 → up; the candle of D is ignored
    expect(isTrendUp(c, findSegmentSplits(c), dayToMs('2021-01-05'), smaTrend)).toBe(true);
  });

  it('no candle at D-1 → not up; entry_filter = none → always up', () => {
    const c = days('2021-01-01', [[1], [2], [3], null]);
    expect(isTrendUp(c, [], dayToMs('2021-01-05'), smaTrend)).toBe(false);
    expect(isTrendUp(c, [], dayToMs('2021-01-05'), { ...smaTrend, entryFilter: 'none' })).toBe(true);
  });
});

describe('breakout entry filter (strategy-semantics §11): close(D-1) > max(high of [D-1-N, D-2])', () => {
  it('table on arrays', () => {
    const highs = d([10, 12, 11]);
    expect(breakoutEntryUp(dec('12.5'), highs, 3, 3)).toBe(true); // 12.5 > 12
    expect(breakoutEntryUp(dec(12), highs, 3, 3)).toBe(false); // a tie is not up
    expect(breakoutEntryUp(dec(20), highs, 2, 3)).toBe(false); // segment holds 2 < N candles before D-1
    expect(breakoutEntryUp(dec(20), [], 5, 3)).toBe(false); // no candle in the window
  });

  it('on candles, N = 3: the window is D-4 … D-2; older highs and the high of D-1 do not count', () => {
    // 2021-01-01 high 100 (outside the window), 02 high 10, 03 high 12, 04 high 11, 05 = D-1 close 12.5
    // with its own high 50; D = 2021-01-06.
    const c = days('2021-01-01', [
      [5, 100],
      [5, 10],
      [5, 12],
      [5, 11],
      ['12.5', 50],
    ]);
    expect(isTrendUp(c, [], dayToMs('2021-01-06'), breakout)).toBe(true);
    const flat = days('2021-01-01', [[5, 100], [5, 10], [5, 12], [5, 11], [12]]);
    expect(isTrendUp(flat, [], dayToMs('2021-01-06'), breakout)).toBe(false);
  });

  it('on candles: a new segment must hold N candles before D-1', () => {
    // 01..02 at 1, gap 03, 04.. at 10 (split), D-1 = 06: the segment holds 04, 05 = 2 < 3 before D-1
    const c = days('2021-01-01', [[1], [1], null, [10], [10], [20]]);
    const splits = findSegmentSplits(c);
    expect(isTrendUp(c, splits, dayToMs('2021-01-07'), breakout)).toBe(false);
    // one more day: 04, 05, 06 before D-1 = 07 → window [04, 06] highs 10, 10, 20; close 21 > 20 → up
    const c2 = days('2021-01-01', [[1], [1], null, [10], [10], [20], [21]]);
    expect(isTrendUp(c2, findSegmentSplits(c2), dayToMs('2021-01-08'), breakout)).toBe(true);
  });
});
