/**
 * How the emulator prints decimals: as Binance does, fixed-point strings with 8 decimals
 * (rest-api.md responses: "0.00100000", "29331.70000000"). Values are exact decimals (`domain/decimal.ts`).
 */
import { Decimal, type DecimalInput, dec } from '../domain/decimal.ts';

/**
 * A decimal as Binance prints it: at least 8 decimals, e.g. `"0.00100000"`. A value with more than 8
 * significant decimals (possible only for a §7 commission `q × f` on a quantity of step < 1e-5) keeps
 * all of them instead of being rounded, so that balances always add up exactly.
 */
export function fmt8(x: DecimalInput): string {
  const d = dec(x);
  return d.toFixed(Math.max(8, d.decimalPlaces()));
}

/** Rounds down to 8 decimals and prints with exactly 8 (volumes and averages the emulator computes). */
export function fmtDown8(x: Decimal): string {
  return x.toFixed(8, Decimal.ROUND_DOWN);
}

/** A percentage with 3 decimals, e.g. `"-0.740"` (rest-api.md ticker `priceChangePercent`). */
export function fmtPercent(x: Decimal): string {
  return x.toFixed(3, Decimal.ROUND_HALF_UP);
}
