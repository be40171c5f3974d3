/** Lookups in ascending series: the one binary search of the project and the candle lookups built on it. */
import type { Candle } from './types.ts';

/**
 * The first index `i` in `[0, length)` for which `before(i)` is false, or `length` when there is none
 * (binary search; C++ `std::partition_point`). `before` must be true on a prefix of the range and false
 * on the rest, e.g. `i => times[i] < t` on ascending `times` (the first time `>= t`, "lower bound") or
 * `i => times[i] <= t` (the first time `> t`, "upper bound").
 */
export function partitionPoint(length: number, before: (i: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Index of the first value `>= t` in ascending `values` (`values.length` when none).
 * @param values ascending (e.g. open times, UTC ms).
 */
export function lowerBoundOf(values: ArrayLike<number>, t: number): number {
  return partitionPoint(values.length, (i) => (values[i] as number) < t);
}

/**
 * Index of the first candle with open time `>= openTime` (`candles.length` when none).
 * @param candles ascending by open time.
 */
export function lowerBound(candles: readonly Candle[], openTime: number): number {
  return partitionPoint(candles.length, (i) => (candles[i] as Candle).openTime < openTime);
}

/**
 * Index of the candle whose open time is exactly `openTime`, or -1 (binary search).
 * @param candles ascending by open time.
 */
export function indexAt(candles: readonly Candle[], openTime: number): number {
  const i = lowerBound(candles, openTime);
  return i < candles.length && (candles[i] as Candle).openTime === openTime ? i : -1;
}

/**
 * Index of the last candle with open time `<= openTime`, or -1 when there is none.
 * @param candles ascending by open time.
 */
export function indexAtOrBefore(candles: readonly Candle[], openTime: number): number {
  return partitionPoint(candles.length, (i) => (candles[i] as Candle).openTime <= openTime) - 1;
}
