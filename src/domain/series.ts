/** Lookups in ascending daily candle series. */
import type { Candle } from './types.ts';

/**
 * Index of the candle whose open time is exactly `openTime`, or -1 (binary search).
 * @param candles ascending by open time.
 */
export function indexAt(candles: readonly Candle[], openTime: number): number {
  let lo = 0;
  let hi = candles.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const t = (candles[mid] as Candle).openTime;
    if (t === openTime) return mid;
    if (t < openTime) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Index of the last candle with open time `<= openTime`, or -1 when there is none.
 * @param candles ascending by open time.
 */
export function indexAtOrBefore(candles: readonly Candle[], openTime: number): number {
  let lo = 0;
  let hi = candles.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((candles[mid] as Candle).openTime <= openTime) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
