/**
 * Base assets that are never part of a momentum universe (strategy-semantics.md §4, filter 2):
 * stablecoins and fiat, and leveraged tokens.
 */

/** Stablecoin and fiat base assets (§4 "at least" list). */
export const STABLE_OR_FIAT_ASSETS: ReadonlySet<string> = new Set([
  'USDT',
  'USDC',
  'BUSD',
  'TUSD',
  'PAX',
  'USDP',
  'DAI',
  'FDUSD',
  'USDS',
  'USDSB',
  'SUSD',
  'UST',
  'USTC',
  'EUR',
  'GBP',
  'AUD',
  'AEUR',
  'EURI',
  'BKRW',
  'USD1',
  'XUSD',
]);

const LEVERAGED_RE = /(UP|DOWN|BULL|BEAR)USDT$/;

/**
 * True for Binance leveraged tokens: the symbol matches `(UP|DOWN|BULL|BEAR)USDT$` (this also covers
 * `BULLUSDT` and `BEARUSDT`), §4 filter 2. Note the rule is on the symbol, as the contract states, so
 * e.g. `JUPUSDT` matches `UPUSDT$` and is treated as leveraged (the bundled data has no such pair).
 */
export function isLeveragedToken(symbol: string): boolean {
  return LEVERAGED_RE.test(symbol);
}

/** True when `asset` is a stablecoin or fiat currency (§4 filter 2). */
export function isStableOrFiat(asset: string): boolean {
  return STABLE_OR_FIAT_ASSETS.has(asset);
}
