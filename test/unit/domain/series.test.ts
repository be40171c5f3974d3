/**
 * The one binary search (src/domain/series.ts) and the candle lookups on it. Expected indices are
 * counted by hand on the small ascending series below, including the empty series, duplicates, values
 * before the first and after the last element.
 */
import { describe, expect, it } from 'vitest';
import {
  indexAt,
  indexAtOrBefore,
  lowerBound,
  lowerBoundOf,
  partitionPoint,
} from '../../../src/domain/series.ts';
import type { Candle } from '../../../src/domain/types.ts';

const candle = (openTime: number): Candle => ({ openTime }) as Candle;
const times = [10, 20, 20, 30];
const candles = times.map(candle);

describe('partitionPoint', () => {
  it('finds the first index where the predicate turns false', () => {
    expect(partitionPoint(0, () => true)).toBe(0);
    expect(partitionPoint(5, () => true)).toBe(5);
    expect(partitionPoint(5, () => false)).toBe(0);
    expect(partitionPoint(5, (i) => i < 3)).toBe(3);
  });
});

describe('lowerBound / lowerBoundOf', () => {
  it.each([
    [5, 0],
    [10, 0],
    [15, 1],
    [20, 1],
    [25, 3],
    [30, 3],
    [31, 4],
  ])('first open time >= %d is at %d', (t, want) => {
    expect(lowerBound(candles, t)).toBe(want);
    expect(lowerBoundOf(Float64Array.from(times), t)).toBe(want);
  });
  it('an empty series', () => {
    expect(lowerBound([], 1)).toBe(0);
  });
});

describe('indexAt / indexAtOrBefore', () => {
  it.each([
    [5, -1, -1],
    [10, 0, 0],
    [15, -1, 0],
    [20, 1, 2],
    [30, 3, 3],
    [99, -1, 3],
  ])('t = %d: exact at %d, at or before at %d', (t, at, atOrBefore) => {
    expect(indexAt(candles, t)).toBe(at);
    expect(indexAtOrBefore(candles, t)).toBe(atOrBefore);
  });
  it('an empty series', () => {
    expect(indexAt([], 1)).toBe(-1);
    expect(indexAtOrBefore([], 1)).toBe(-1);
  });
});
