import { type Decimal, dec } from '../../src/domain/decimal.ts';

/** A series written by hand (closes, highs, lows …) as exact decimals, in order. */
export function decimals(xs: readonly (string | number)[]): Decimal[] {
  return xs.map((x) => dec(x));
}
