/**
 * Exact decimal arithmetic on native `bigint`s for the backtest's fast path: the same values as
 * `src/domain/decimal.ts` (decimal.js, 60 significant digits, ROUND_DOWN) at a fraction of the cost.
 *
 * Two representations:
 * - **scaled integers**: a `bigint` `m` with a scale fixed by the caller, value `m × 10^-scale` (prices,
 *   quantities, cash). Sums and products of such values are exact; this is what the fast book uses for
 *   money, so no rounding ever happens there.
 * - **{@link Dx}**: a mantissa/exponent pair on which every operation rounds like decimal.js configured as
 *   in `domain/decimal.ts` — the exact result truncated (towards zero) to 60 significant digits. Used
 *   where the domain divides without flooring afterwards (`delta` targets, strategy-semantics.md §8), so
 *   the fast path truncates exactly where decimal.js does.
 *
 * Equivalence with decimal.js is tested operation by operation (test/unit/backtest/exact.test.ts).
 */
import { partitionPoint } from '../series.ts';

/** Significant digits decimal.js keeps (`Decimal.precision` in domain/decimal.ts). */
export const PRECISION = 60;

const MAX_POW = 400;
/** `POW10[n] = 10^n` for n in [0, 400]. */
export const POW10: readonly bigint[] = (() => {
  const out: bigint[] = [];
  let p = 1n;
  for (let i = 0; i <= MAX_POW; i++) {
    out.push(p);
    p *= 10n;
  }
  return out;
})();

const P60 = POW10[PRECISION] as bigint;

/**
 * `10^n` as a bigint.
 * @throws RangeError when n is not an integer in [0, 400].
 */
export function pow10(n: number): bigint {
  const p = POW10[n];
  if (p === undefined) throw new RangeError(`pow10: exponent ${n} outside [0, ${MAX_POW}]`);
  return p;
}

/** Thrown when a value does not fit the fast path's fixed scales (the caller falls back to decimal.js). */
export class FastPathUnsupported extends Error {
  override readonly name = 'FastPathUnsupported';
}

/** Number of decimal digits of `|m|` (1 for 0). */
export function digitCount(m: bigint): number {
  const a = m < 0n ? -m : m;
  // smallest n in [0, MAX_POW] with a < 10^n
  return Math.max(
    1,
    partitionPoint(MAX_POW, (n) => a >= (POW10[n] as bigint)),
  );
}

/**
 * Decimals a plain decimal string needs (trailing zeros of the fraction ignored): `"1.2300"` → 2,
 * `"5"` → 0.
 */
export function decimalsOf(s: string): number {
  const dot = s.indexOf('.');
  if (dot < 0) return 0;
  let end = s.length;
  while (end > dot + 1 && s.charCodeAt(end - 1) === 48) end--;
  return end - dot - 1;
}

const PLAIN_RE = /^-?(?:\d+\.?\d*|\.\d+)$/;

/**
 * A plain decimal string (`"123.4500"`, `"-0.5"`, `".5"`; no exponent) as an integer at `scale` decimals:
 * `parseScaled("1.50", 8)` = `150000000n`.
 * @throws FastPathUnsupported when the value has more significant decimals than `scale`;
 *   RangeError when `s` is not a plain decimal.
 */
export function parseScaled(s: string, scale: number): bigint {
  if (!PLAIN_RE.test(s)) throw new RangeError(`not a plain decimal: ${JSON.stringify(s)}`);
  const dot = s.indexOf('.');
  if (dot < 0) return BigInt(s) * pow10(scale);
  let end = s.length;
  while (end > dot + 1 && s.charCodeAt(end - 1) === 48) end--;
  const decimals = end - dot - 1;
  if (decimals > scale) {
    throw new FastPathUnsupported(`${s} has ${decimals} decimals, more than the fast path's ${scale}`);
  }
  let int = s.slice(0, dot);
  if (int === '' || int === '-') int += '0';
  return BigInt(int + s.slice(dot + 1, end)) * pow10(scale - decimals);
}

/**
 * The canonical decimal string of `m × 10^-scale`, exactly as `decStr` / decimal.js `toFixed()` writes it:
 * no exponent, no trailing zeros, `"0"` for zero (`scaledToString(150000000n, 8)` = `"1.5"`).
 */
export function scaledToString(m: bigint, scale: number): string {
  if (m === 0n) return '0';
  const neg = m < 0n;
  let digits = (neg ? -m : m).toString();
  if (scale <= 0) return (neg ? '-' : '') + digits + (scale < 0 ? '0'.repeat(-scale) : '');
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  const cut = digits.length - scale;
  let end = digits.length;
  while (end > cut && digits.charCodeAt(end - 1) === 48) end--;
  const int = digits.slice(0, cut);
  return (neg ? '-' : '') + (end > cut ? `${int}.${digits.slice(cut, end)}` : int);
}

/**
 * `m × 10^-scale` as the nearest double (via its exact decimal string, so correctly rounded, exactly as
 * `Number(decStr(x))`).
 */
export function scaledToNumber(m: bigint, scale: number): number {
  // Small mantissas convert exactly; 10^scale is exact up to 10^22: one correctly rounded division.
  if (scale <= 22 && m < 9_007_199_254_740_992n && m > -9_007_199_254_740_992n) {
    return Number(m) / 10 ** scale;
  }
  return Number(scaledToString(m, scale));
}

const TWO53 = 2 ** 53;
const POW10_F = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];

/**
 * A plain non-negative decimal string times `10^scale` (scale ≤ 16) as an exact integer double: `"28923.63"`
 * → `2892363000000` at scale 8. NaN when that is not possible: a sign, an exponent or another character,
 * more significant decimals than `scale`, or a result of 2^53 or more. (Then `mantissa / 10^scale` is
 * exactly `Number(s)`: both are the correctly rounded value of the same decimal.)
 */
export function scaledMantissa(s: string, scale: number): number {
  let end = s.length;
  const dot = s.indexOf('.');
  if (dot >= 0) {
    while (end > dot + 1 && s.charCodeAt(end - 1) === 48) end--;
    if (end === dot + 1) end = dot;
  }
  const decimals = dot >= 0 && end > dot ? end - dot - 1 : 0;
  if (decimals > scale || end === 0) return Number.NaN;
  let v = 0;
  for (let j = 0; j < end; j++) {
    if (j === dot) continue;
    const digit = s.charCodeAt(j) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    v = v * 10 + digit;
    if (v >= TWO53) return Number.NaN;
  }
  const out = v * (POW10_F[scale - decimals] as number);
  return out < TWO53 ? out : Number.NaN;
}

const MANTISSA8_MAX = 2 ** 51;

/**
 * `scaledMantissa(s, 8)` with a fast path: given `x = Number(s)`, when `s` has at most 8 characters after
 * its point, `Math.round(x × 1e8)` is the exact mantissa for any value below 2^51 / 1e8 (the product's
 * relative error is below 2^-52, i.e. below 0.5 for integers below 2^51), which the round trip
 * `m / 1e8 === x` confirms; anything else (more decimals, exponents, signs, large values) takes the exact
 * digit-by-digit path. Same results as `scaledMantissa(s, 8)` (tested), several times faster.
 */
export function priceMantissa8(s: string, x: number): number {
  const dot = s.indexOf('.');
  if ((dot < 0 || s.length - dot - 1 <= 8) && x >= 0 && x * 1e8 < MANTISSA8_MAX) {
    const m = Math.round(x * 1e8);
    if (m / 1e8 === x) return m;
  }
  return scaledMantissa(s, 8);
}

/** `floor(a / b)` for `b > 0` (bigint `/` truncates towards zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
}

// ---------------------------------------------------------------------------------------------
// Dx: decimal.js arithmetic (60 significant digits, ROUND_DOWN) on bigints.
// ---------------------------------------------------------------------------------------------

/** A decimal `m × 10^-e` (e may be negative). Values from the operations below have ≤ 60 significant digits. */
export interface Dx {
  readonly m: bigint;
  readonly e: number;
}

/** The decimal zero. */
export const DX_ZERO: Dx = { m: 0n, e: 0 };

/** `m × 10^-e` truncated towards zero to 60 significant digits (decimal.js ROUND_DOWN at precision 60). */
export function trunc60(m: bigint, e: number): Dx {
  if (m < P60 && m > -P60) return { m, e };
  const drop = digitCount(m) - PRECISION;
  return { m: m / pow10(drop), e: e - drop };
}

/** A plain decimal string as a {@link Dx} (exact, not rounded: decimal.js does not round on construction). */
export function dxOf(s: string): Dx {
  return { m: parseScaled(s, decimalsOf(s)), e: decimalsOf(s) };
}

/** A scaled integer as a {@link Dx} (exact). */
export function dxScaled(m: bigint, scale: number): Dx {
  return { m, e: scale };
}

function align(a: Dx, b: Dx): [bigint, bigint, number] {
  if (a.e === b.e) return [a.m, b.m, a.e];
  if (a.e > b.e) return [a.m, b.m * pow10(a.e - b.e), a.e];
  return [a.m * pow10(b.e - a.e), b.m, b.e];
}

/** `a + b` as decimal.js `plus` computes it. */
export function dxAdd(a: Dx, b: Dx): Dx {
  if (b.m === 0n) return trunc60(a.m, a.e);
  if (a.m === 0n) return trunc60(b.m, b.e);
  const [x, y, e] = align(a, b);
  return trunc60(x + y, e);
}

/** `a − b` as decimal.js `minus` computes it. */
export function dxSub(a: Dx, b: Dx): Dx {
  return dxAdd(a, { m: -b.m, e: b.e });
}

/** `a × b` as decimal.js `times` computes it. */
export function dxMul(a: Dx, b: Dx): Dx {
  return trunc60(a.m * b.m, a.e + b.e);
}

/**
 * `a / b` as decimal.js `div` computes it: the exact quotient truncated to 60 significant digits.
 * @throws RangeError when b is zero (decimal.js would return ±Infinity, which `dec()` refuses).
 */
export function dxDiv(a: Dx, b: Dx): Dx {
  if (b.m === 0n) throw new RangeError('division by zero');
  if (a.m === 0n) return DX_ZERO;
  // Scale the dividend so that the integer quotient has at least 61 digits, then truncate to 60.
  const k = PRECISION + 1 - digitCount(a.m) + digitCount(b.m);
  const q = k >= 0 ? (a.m * pow10(k)) / b.m : a.m / (b.m * pow10(-k));
  return trunc60(q, a.e - b.e + k);
}

/** Sign of `a − b`: −1, 0 or 1. */
export function dxCmp(a: Dx, b: Dx): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * `floor(x / 10^-scale) ` as an integer at `scale` decimals when `x ≥ 0` — i.e. `x` rounded down to `scale`
 * decimals, as decimal.js `toDecimalPlaces(scale, ROUND_DOWN)` (towards zero).
 */
export function dxToScaledDown(x: Dx, scale: number): bigint {
  const shift = scale - x.e;
  return shift >= 0 ? x.m * pow10(shift) : x.m / pow10(-shift);
}

/** The canonical decimal string of a {@link Dx} (as `decStr`). */
export function dxToString(x: Dx): string {
  return scaledToString(x.m, x.e);
}
