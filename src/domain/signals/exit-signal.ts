/**
 * The `[signals] exit_signal` of strategy-semantics.md §10 as one switch: `none`, `sma_cross` or
 * `breakout`, on the closes (and lows) of the interval's candles, oldest first, gaps ignored.
 */
import { FastPathUnsupported, parseScaled } from '../backtest/exact.ts';
import { type Decimal, dec } from '../decimal.ts';
import { breakoutExitAt, breakoutExitSeries } from './breakout-exit.ts';
import { smaCrossDownAt, smaCrossDownSeries, smaCrossDownSeriesUnits } from './sma-cross.ts';

/** `[signals] exit_signal` and its lengths (bars of the interval). */
export interface ExitSignalSettings {
  readonly exitSignal: 'none' | 'sma_cross' | 'breakout';
  /** `exit_sma_fast`, default 12. */
  readonly exitSmaFast: number;
  /** `exit_sma_slow`, default 48. */
  readonly exitSmaSlow: number;
  /** `exit_breakout_bars`, default 24. */
  readonly exitBreakoutBars: number;
}

/**
 * Whether the exit signal fires at the close of bar `t` (§10). Undefined signals (too few bars) and
 * `none` answer false.
 * @param closes closes, oldest first (quote per base); @param lows lows of the same candles.
 */
export function exitSignalAt(
  closes: readonly Decimal[],
  lows: readonly Decimal[],
  t: number,
  s: ExitSignalSettings,
): boolean {
  if (s.exitSignal === 'sma_cross') return smaCrossDownAt(closes, t, s.exitSmaFast, s.exitSmaSlow) === true;
  if (s.exitSignal === 'breakout') return breakoutExitAt(closes, lows, t, s.exitBreakoutBars) === true;
  return false;
}

/**
 * `exitSignalAt` for every bar in one pass (for backtests).
 * @returns an array as long as `closes`; `out[t]` equals `exitSignalAt(closes, lows, t, s)`.
 */
export function exitSignalSeries(
  closes: readonly Decimal[],
  lows: readonly Decimal[],
  s: ExitSignalSettings,
): boolean[] {
  if (s.exitSignal === 'sma_cross') {
    return smaCrossDownSeries(closes, s.exitSmaFast, s.exitSmaSlow).map((x) => x === true);
  }
  if (s.exitSignal === 'breakout') {
    return breakoutExitSeries(closes, lows, s.exitBreakoutBars).map((x) => x === true);
  }
  return closes.map(() => false);
}

/** Decimals of the scaled integers of {@link exitSignalSeriesOfText} (Binance prices have at most 8). */
const UNITS_SCALE = 8;

/**
 * {@link exitSignalSeries} on the candles' decimal TEXT (closes and lows as the data files write them),
 * computed on exact scaled integers (BigInt sums and comparisons) instead of decimal.js objects: the same
 * answers (an exact comparison either way, §10), without a Decimal per candle — the hourly backtest's
 * signal series over a year of 39 symbols. Falls back to {@link exitSignalSeries} when a value has more
 * than 8 decimals.
 * @returns an array as long as `closes`; `out[t]` equals `exitSignalAt(closes, lows, t, s)` on the parsed values.
 * @throws RangeError when a value is not a plain decimal.
 */
export function exitSignalSeriesOfText(
  closes: readonly string[],
  lows: readonly string[],
  s: ExitSignalSettings,
): boolean[] {
  if (s.exitSignal === 'none') return closes.map(() => false);
  const fast = exitSignalOfSafeUnits(closes, lows, s);
  if (fast !== null) return fast;
  try {
    const c = closes.map((x) => parseScaled(x, UNITS_SCALE));
    if (s.exitSignal === 'sma_cross') {
      return smaCrossDownSeriesUnits(c, s.exitSmaFast, s.exitSmaSlow).map((x) => x === true);
    }
    const l = lows.map((x) => parseScaled(x, UNITS_SCALE));
    return breakoutSeriesUnits(c, l, s.exitBreakoutBars);
  } catch (err) {
    if (!(err instanceof FastPathUnsupported)) throw err;
    return exitSignalSeries(closes.map(dec), lows.map(dec), s);
  }
}

/** `breakoutExitSeries` on scaled integers: `close(t) < min(low(t−N) … low(t−1))`, false while `t < N`. */
function breakoutSeriesUnits<T extends bigint | number>(
  closes: ArrayLike<T>,
  lows: ArrayLike<T>,
  bars: number,
): boolean[] {
  if (!Number.isInteger(bars) || bars < 1)
    throw new Error(`breakout bars must be an integer >= 1, got ${bars}`);
  if (lows.length !== closes.length) throw new Error('breakoutExitSeries: closes and lows differ in length');
  const out: boolean[] = new Array(closes.length).fill(false);
  // Monotonic deque of indices with increasing lows: the window's minimum at its front.
  const q: number[] = [];
  let head = 0;
  for (let t = 0; t < closes.length; t++) {
    if (t >= bars) {
      while (head < q.length && (q[head] as number) < t - bars) head++;
      out[t] = (closes[t] as T) < (lows[q[head] as number] as T);
    }
    const low = lows[t] as T;
    while (q.length > head && (lows[q[q.length - 1] as number] as T) >= low) q.pop();
    q.push(t);
  }
  return out;
}

/**
 * Relative gap above which two rounded products of exact integers (each within 2^-53 ≈ 1.1e-16 of the
 * exact product, the difference within one more rounding) are surely ordered as the exact ones.
 */
const PRODUCT_REL = 1e-14;

/** 10^k for the scaled-integer parse below (k = 0 … 8). */
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];
/** Largest accumulated digit value that stays exact after one more `· 10 + 9`. */
const DIGITS_LIMIT = (Number.MAX_SAFE_INTEGER - 9) / 10;

/**
 * The exact value of a plain decimal text (digits, at most one dot, at most 8 decimals, no sign) times
 * 10^8, as a double holding an integer below 2^53 — or NaN when the text is anything else (the caller
 * then takes the BigInt path, which handles or rejects it).
 */
function safeUnits8(text: string): number {
  let v = 0;
  let decimals = -1;
  const n = text.length;
  for (let j = 0; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c >= 48 && c <= 57) {
      if (v > DIGITS_LIMIT) return Number.NaN;
      v = v * 10 + (c - 48);
      if (decimals >= 0) decimals++;
    } else if (c === 46 && decimals < 0) decimals = 0;
    else return Number.NaN;
  }
  if (n === 0 || decimals === 0 || decimals > 8) return Number.NaN;
  const units = v * (POW10[8 - Math.max(decimals, 0)] as number);
  return units <= Number.MAX_SAFE_INTEGER ? units : Number.NaN;
}

/**
 * {@link exitSignalSeriesOfText} on scaled integers held in doubles, when every value is one below 2^53
 * and the largest window sum times the other length stays below 2^53 (then every sum, difference and
 * product below is an exact integer, so the §10 comparisons are the exact ones); null otherwise (the
 * caller takes the BigInt path). Lengths it does not accept are left to the BigInt path too (which
 * throws the usual error).
 */
function exitSignalOfSafeUnits(
  closes: readonly string[],
  lows: readonly string[],
  s: ExitSignalSettings,
): boolean[] | null {
  if (s.exitSignal !== 'sma_cross' && s.exitSignal !== 'breakout') return null;
  const n = closes.length;
  if (s.exitSignal === 'breakout' && lows.length !== n) return null;
  const c = new Float64Array(n);
  const l = s.exitSignal === 'breakout' ? new Float64Array(n) : null;
  for (let t = 0; t < n; t++) {
    const uc = safeUnits8(closes[t] as string);
    if (!(uc >= 0)) return null;
    c[t] = uc;
    if (l !== null) {
      const ul = safeUnits8(lows[t] as string);
      if (!(ul >= 0)) return null;
      l[t] = ul;
    }
  }
  return exitSignalSeriesOfUnits(c, l ?? c, s);
}

/**
 * {@link exitSignalSeries} on prices given as exact scaled integers held in doubles (`value × 10^k` for
 * one `k` shared by both arrays, e.g. the 10^8 units of `priceMantissa8`; NaN for a value that has none):
 * every window sum it forms is an exact integer while the largest value times `slow + 1` stays below
 * 2^53. sma_cross's comparison `sum_f · slow < sum_s · fast` is exact in doubles when the products stay
 * below 2^53 too; above, the rounded products decide only when they differ by more than
 * {@link PRODUCT_REL} of their size (each is within 2^-53 of the exact one), and BigInt products decide
 * the rest — so every answer is the exact §10 comparison. Null when the sums cannot be exact (a NaN or
 * negative value, too large a value) or for lengths it does not accept: the caller then takes
 * {@link exitSignalSeriesOfText} (exact BigInt or decimal.js path).
 * @param closeUnits closes, oldest first; @param lowUnits lows of the same candles (read by `breakout` only).
 * @returns `out[t]` = `exitSignalAt(closes, lows, t, s)`, or null (see above); `none` → all false.
 */
export function exitSignalSeriesOfUnits(
  closeUnits: ArrayLike<number>,
  lowUnits: ArrayLike<number>,
  s: ExitSignalSettings,
): boolean[] | null {
  const n = closeUnits.length;
  if (s.exitSignal === 'none') return new Array(n).fill(false);
  if (s.exitSignal === 'sma_cross') {
    const fast = s.exitSmaFast;
    const slow = s.exitSmaSlow;
    if (!Number.isInteger(fast) || !Number.isInteger(slow) || fast < 1 || fast >= slow) return null;
    let max = 0;
    for (let t = 0; t < n; t++) {
      const u = closeUnits[t] as number;
      if (!(u >= 0 && u <= Number.MAX_SAFE_INTEGER)) return null;
      if (u > max) max = u;
    }
    // sums of up to `slow + 1` values: exact below 2^53; their products with at most `slow` too, or screened
    if (max * (slow + 1) > Number.MAX_SAFE_INTEGER) return null;
    const exactProducts = max * (slow + 1) * slow <= Number.MAX_SAFE_INTEGER;
    const out: boolean[] = new Array(n).fill(false);
    let sumFast = 0;
    let sumSlow = 0;
    let lessBefore = false;
    for (let t = 0; t < n; t++) {
      const x = closeUnits[t] as number;
      sumFast += x;
      sumSlow += x;
      if (t >= fast) sumFast -= closeUnits[t - fast] as number;
      if (t >= slow) sumSlow -= closeUnits[t - slow] as number;
      // SMA_fast(t) < SMA_slow(t) ⇔ sum_f · slow < sum_s · fast (§10), defined from t = slow − 1
      const a = sumFast * slow;
      const b = sumSlow * fast;
      let less: boolean;
      if (exactProducts) less = a < b;
      else {
        const margin = (a + b) * PRODUCT_REL;
        if (b - a > margin) less = true;
        else if (a - b > margin) less = false;
        else less = BigInt(sumFast) * BigInt(slow) < BigInt(sumSlow) * BigInt(fast);
      }
      if (t >= slow) out[t] = less && !lessBefore;
      lessBefore = less;
    }
    return out;
  }
  if (s.exitSignal === 'breakout') {
    const bars = s.exitBreakoutBars;
    if (!Number.isInteger(bars) || bars < 1 || lowUnits.length !== n) return null;
    for (let t = 0; t < n; t++) {
      const uc = closeUnits[t] as number;
      const ul = lowUnits[t] as number;
      if (!(uc >= 0 && uc <= Number.MAX_SAFE_INTEGER && ul >= 0 && ul <= Number.MAX_SAFE_INTEGER))
        return null;
    }
    return breakoutSeriesUnits(closeUnits, lowUnits, bars);
  }
  return null;
}
