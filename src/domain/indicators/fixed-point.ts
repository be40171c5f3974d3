/**
 * Binance prices as exact integers of 1e-8 units, for the hot loops of backtests (strategy-semantics.md
 * §10 "compare exactly, on the decimal closes"). Binance quotes at most 8 decimals, so `x · 1e8` is an
 * integer and sums and products of them (BigInt) are exact — the same answers as decimal.js, cheaper.
 */

const DECIMAL_RE = /^(\d+)(?:\.(\d{0,8}))?$/;

/** 1e8 as a BigInt: one unit of the 8th decimal. */
export const UNITS_PER_ONE = 100_000_000n;

/**
 * Parses a non-negative decimal string with at most 8 fractional digits (a Binance price) to its
 * integer count of 1e-8 units: `"0.02665"` → `2665000n`.
 * @throws on a negative value, an exponent, more than 8 decimals or anything else not a plain decimal.
 */
export function toUnits8(x: string): bigint {
  const m = DECIMAL_RE.exec(x);
  if (!m) throw new Error(`not a price with at most 8 decimals: ${JSON.stringify(x)}`);
  const frac = (m[2] ?? '').padEnd(8, '0');
  return BigInt(m[1] as string) * UNITS_PER_ONE + BigInt(frac);
}
