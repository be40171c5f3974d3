/**
 * Exact decimal arithmetic for quantities, cash and fees.
 *
 * We use decimal.js with 60 significant digits (strategy-semantics.md §7 asks for at least 28 when
 * computing `Q / p`). Additions, subtractions and multiplications of Binance values (at most 8
 * decimals, at most ~20 integer digits) are therefore exact; only divisions round, and every division
 * in the domain is followed by an explicit floor (`floorStep`, `roundDown8`).
 */
import { Decimal as DecimalJs } from 'decimal.js';

/** Decimal constructor configured for money: 60 significant digits, ROUND_DOWN, no exponent notation. */
export const Decimal = DecimalJs.clone({
  precision: 60,
  rounding: DecimalJs.ROUND_DOWN,
  toExpNeg: -60,
  toExpPos: 60,
});
export type Decimal = InstanceType<typeof Decimal>;

/** Anything accepted as a decimal value: a Decimal, a decimal string, or an integer/float literal. */
export type DecimalInput = Decimal | string | number;

/** The zero decimal. */
export const ZERO = new Decimal(0);

/** Converts a decimal input to a Decimal. Throws on NaN/Infinity or a non-numeric string. */
export function dec(x: DecimalInput): Decimal {
  const d = x instanceof Decimal ? x : new Decimal(x);
  if (!d.isFinite()) throw new Error(`not a finite decimal: ${String(x)}`);
  return d;
}

/** Rounds down (towards zero) to 8 decimal places — Binance's native precision (§2, §8). */
export function roundDown8(x: DecimalInput): Decimal {
  return dec(x).toDecimalPlaces(8, Decimal.ROUND_DOWN);
}

/**
 * `floor_step(x) = floor(x / step) * step` (strategy-semantics.md §6); a step of 0 means
 * "round down to 8 decimals". Quantities are never negative here; a negative input throws.
 */
export function floorStep(x: DecimalInput, step: DecimalInput): Decimal {
  const v = dec(x);
  if (v.isNegative() && !v.isZero()) throw new Error(`floorStep of a negative quantity: ${v.toFixed()}`);
  const s = dec(step);
  if (s.isZero()) return roundDown8(v);
  return v.dividedToIntegerBy(s).times(s);
}

/** Canonical decimal string without exponent and without trailing zeros (e.g. "0.1", "12"). */
export function decStr(x: DecimalInput): string {
  return dec(x).toFixed();
}
